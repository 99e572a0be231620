using System.Security.Cryptography;
using System.Text;

namespace DocFlow.Security;

/// <summary>The roles of DESIGN.md §7. A principal has exactly one.</summary>
public static class Roles
{
    /// <summary>Keys and everything else.</summary>
    public const string Admin = "admin";

    /// <summary>Queues, dead letters, workers, metrics and every document's metadata, but no content.</summary>
    public const string Operator = "operator";

    /// <summary>Uploads, and reads documents and batches (metadata and content).</summary>
    public const string Submitter = "submitter";

    /// <summary>Reads documents and batches (metadata and content).</summary>
    public const string Reader = "reader";

    /// <summary>The audit log only.</summary>
    public const string Auditor = "auditor";

    /// <summary>Every role, in the order of DESIGN.md §7.</summary>
    public static readonly IReadOnlyList<string> All = [Admin, Operator, Submitter, Reader, Auditor];

    /// <summary>True for one of <see cref="All"/> (lower case, exactly).</summary>
    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>
/// An API key's wire form, <c>dfk_&lt;id&gt;_&lt;secret&gt;</c>: the id (8 lower-case letters and digits) names the key in
/// lists and logs as its prefix <c>dfk_&lt;id&gt;</c>; the secret is 32 random bytes (base64url). Only
/// <see cref="Hash"/> of the whole key is stored.
/// </summary>
public static class ApiKeyFormat
{
    /// <summary>What every key starts with.</summary>
    public const string Scheme = "dfk_";

    private const string IdAlphabet = "abcdefghijkmnopqrstuvwxyz23456789";
    private const int IdLength = 8;
    private const int SecretBytes = 32;

    /// <summary>A new key: its id and the full key (shown once).</summary>
    public static (string Id, string Key) Generate()
    {
        var id = RandomNumberGenerator.GetString(IdAlphabet, IdLength);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (id, $"{Scheme}{id}_{secret}");
    }

    /// <summary>The id of a well-formed key, or false. Says nothing about whether the key is valid.</summary>
    public static bool TryParse(string? key, out string id)
    {
        id = "";
        if (key is null || key.Length > 200 || !key.StartsWith(Scheme, StringComparison.Ordinal)) return false;
        var rest = key.AsSpan(Scheme.Length);
        var sep = rest.IndexOf('_');
        if (sep is < 1 or > 32 || sep == rest.Length - 1) return false;
        foreach (var c in rest[..sep]) if (!char.IsAsciiLetterOrDigit(c)) return false;
        id = rest[..sep].ToString();
        return true;
    }

    /// <summary>The prefix that identifies a key in lists and logs (never the secret).</summary>
    public static string Prefix(string id) => Scheme + id;

    /// <summary>SHA-256 of the whole key, lower-case hex: what is stored. The secret has 256 bits of entropy, so a
    /// fast hash is enough (no password stretching needed).</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>Whether <paramref name="key"/> hashes to <paramref name="storedHash"/>, in constant time.</summary>
    public static bool Matches(string key, string storedHash)
    {
        ArgumentNullException.ThrowIfNull(storedHash);
        var computed = Encoding.ASCII.GetBytes(Hash(key));
        var stored = Encoding.ASCII.GetBytes(storedHash.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(computed, stored);
    }
}

/// <summary>A stored API key: never the key itself, only its hash.</summary>
/// <param name="Id">The key's id (its prefix is <c>dfk_</c> + id).</param>
/// <param name="Name">What the key is for, as its creator named it.</param>
/// <param name="Role">One of <see cref="Roles.All"/>.</param>
/// <param name="Hash">SHA-256 of the full key (<see cref="ApiKeyFormat.Hash"/>).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked; a revoked key authenticates nothing.</param>
/// <param name="LastUsedAt">The last successful use seen (updated at most once a minute).</param>
/// <param name="Tenant">The tenant the key acts for (<see cref="Tenants"/>); <c>admin</c> and <c>operator</c> keys still see every tenant.</param>
public sealed record ApiKeyRecord(string Id, string? Name, string Role, string Hash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt,
    string Tenant = Tenants.Default)
{
    /// <summary><c>dfk_&lt;id&gt;</c>.</summary>
    public string Prefix => ApiKeyFormat.Prefix(Id);
}

/// <summary>Where API keys are kept (the job store's database).</summary>
public interface IApiKeyStore
{
    /// <summary>Stores a new key.</summary>
    Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>The key with this id, revoked or not; null when there is none. A value task: a caching store answers
    /// most calls (one per authenticated request) at once, without a task.</summary>
    ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every key, newest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Marks the key revoked; false when there is no such key or it was revoked already.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>True when at least one key is not revoked.</summary>
    Task<bool> AnyActiveAsync(CancellationToken cancellationToken);

    /// <summary>Records that the key was used (best effort).</summary>
    Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Creates keys: the one place a full key exists, returned once to the caller.</summary>
public static class ApiKeys
{
    /// <summary>Generates, stores and returns a new key; the returned string is the only copy of the key.</summary>
    public static Task<(ApiKeyRecord Record, string Key)> CreateAsync(IApiKeyStore store, string role, string? name, DateTimeOffset now, CancellationToken cancellationToken) =>
        CreateAsync(store, role, name, Tenants.Default, now, cancellationToken);

    /// <summary>Generates, stores and returns a new key of <paramref name="tenant"/>; the returned string is the only copy of the key.</summary>
    public static async Task<(ApiKeyRecord Record, string Key)> CreateAsync(IApiKeyStore store, string role, string? name, string tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        Tenants.Validate(tenant, nameof(tenant));
        if (!Roles.IsKnown(role)) throw new ArgumentException($"Unknown role '{role}'; use one of {string.Join(", ", Roles.All)}.", nameof(role));
        if (name is { Length: > 200 }) throw new ArgumentException("The name is longer than 200 characters.", nameof(name));
        var (id, key) = ApiKeyFormat.Generate();
        var record = new ApiKeyRecord(id, string.IsNullOrWhiteSpace(name) ? null : name.Trim(), role, ApiKeyFormat.Hash(key), now, null, null, tenant);
        await store.CreateAsync(record, cancellationToken).ConfigureAwait(false);
        return (record, key);
    }
}
