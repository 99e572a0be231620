namespace DocFlow.Blobs;

/// <summary>A stored original: its content-addressed key (<c>{tenant}/{sha256}</c>, or the bare SHA-256 of blobs stored
/// before tenants existed) and size.</summary>
public sealed record BlobInfo(string Key, long Length);

/// <summary>Where originals live: a folder by default, an S3-compatible bucket when distributed.</summary>
/// <remarks>Keys are the SHA-256 of the content, so the same file uploaded twice is stored once and a key
/// names exactly one content.</remarks>
public interface IBlobStore
{
    /// <summary>Streams <paramref name="content"/> into the store and returns its key (the bare SHA-256); never buffers it whole in memory.</summary>
    Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>Streams <paramref name="content"/> into <paramref name="tenant"/>'s part of the store and returns its key,
    /// <c>{tenant}/{sha256}</c>: the same file of two tenants is stored twice, so no tenant learns of (or reads) another's.</summary>
    Task<BlobInfo> PutAsync(Stream content, string tenant, CancellationToken cancellationToken);

    /// <summary>Opens a stored blob for reading. Throws <see cref="FileNotFoundException"/> for an unknown key.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

public static class BlobKeys
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> while hashing it; returns the content key.</summary>
    public static async Task<string> CopyAndHashAsync(Stream source, Stream target, CancellationToken cancellationToken)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Whether <paramref name="key"/> is a well-formed key: <c>{tenant}/{sha256}</c>, or a bare content hash
    /// (64 lower-case hex digits, the keys stored before tenants existed, still readable).</summary>
    public static bool IsValid(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? IsHash(key) : Security.Tenants.IsValid(key[..slash]) && IsHash(key[(slash + 1)..]);
    }

    /// <summary>The key of content <paramref name="sha256"/> in <paramref name="tenant"/>'s part of the store.</summary>
    public static string Of(string tenant, string sha256)
    {
        Security.Tenants.Validate(tenant, nameof(tenant));
        if (!IsHash(sha256)) throw new ArgumentException($"'{sha256}' is not a content hash (64 lower-case hex digits).", nameof(sha256));
        return $"{tenant}/{sha256}";
    }

    /// <summary>The key split into its tenant (null for a bare hash) and content hash; call on valid keys.</summary>
    public static (string? Tenant, string Sha256) Split(string key)
    {
        Validate(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }

    private static bool IsHash(string s) => s.Length == 64 && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public static void Validate(string key)
    {
        if (!IsValid(key)) throw new ArgumentException($"'{key}' is not a blob key ({{tenant}}/ and 64 lower-case hex digits).", nameof(key));
    }
}
