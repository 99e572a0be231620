using System.Text.RegularExpressions;

namespace DocFlow.Security;

/// <summary>Tenant ids (DESIGN.md §7): every principal, batch, job, blob and audit entry belongs to one.</summary>
public static partial class Tenants
{
    /// <summary>The tenant of everything made before tenants existed, of <c>docflow process</c>, of the loopback
    /// principal and of keys created without <c>--tenant</c>.</summary>
    public const string Default = "default";

    /// <summary>The claim type that carries a principal's tenant (API keys set it; a JWT's configured claim is mapped to it).</summary>
    public const string ClaimType = "docflow:tenant";

    /// <summary>True for a well-formed tenant id: <c>^[a-z0-9][a-z0-9-]{0,62}$</c> (usable in blob keys and paths as is).</summary>
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>Throws <see cref="ArgumentException"/> for an id that is not <see cref="IsValid"/>.</summary>
    public static string Validate(string? id, string paramName = "tenant") => IsValid(id)
        ? id!
        : throw new ArgumentException($"'{id}' is not a tenant id: 1 to 63 lower-case letters, digits and '-', starting with a letter or digit.", paramName);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>Which tenant's batches and jobs the job store's reads see in the current flow of work.</summary>
/// <remarks>
/// The store consults it on every read (EF Core global query filters on batches and jobs), so isolation does not depend
/// on each endpoint remembering to check. <see cref="Tenant"/> null means every tenant: workers, recovery and the
/// queue hand-off run so, and so do the <c>admin</c> and <c>operator</c> roles.
/// </remarks>
public interface ITenantScope
{
    /// <summary>The one tenant visible, or null for all of them.</summary>
    string? Tenant { get; }
}

/// <summary>The scope of the current asynchronous flow (an <see cref="AsyncLocal{T}"/>), set per request by the server
/// after authentication; unset (workers, background services) it sees every tenant.</summary>
public sealed class AmbientTenantScope : ITenantScope
{
    private static readonly AsyncLocal<Holder?> Current = new();

    /// <summary>The one instance needed (the state is the flow's, not the object's).</summary>
    public static AmbientTenantScope Instance { get; } = new();

    public string? Tenant => Current.Value?.Tenant;

    /// <summary>Limits the current flow (and what it starts) to <paramref name="tenant"/>, or to every tenant when null,
    /// until the returned handle is disposed. An empty string sees nothing (an unauthenticated request).</summary>
    public static IDisposable Enter(string? tenant)
    {
        var previous = Current.Value;
        Current.Value = new Holder(tenant);
        return new Exit(previous);
    }

    private sealed record Holder(string? Tenant);

    private sealed class Exit(Holder? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}

/// <summary>A fixed scope: one tenant, or all when null (tests, tools).</summary>
public sealed class FixedTenantScope(string? tenant) : ITenantScope
{
    public string? Tenant { get; } = tenant;
}
