using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using DocFlow.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Security;

/// <summary>
/// API keys (<c>Authorization: Bearer dfk_…</c>, <c>X-Api-Key: dfk_…</c> or Google's <c>x-goog-api-key: dfk_…</c>): the key's id finds its row, the SHA-256 of
/// the whole key is compared in constant time with the stored hash, a revoked key fails. Without credentials: a
/// local admin when <see cref="AuthMode.Required"/> is false (loopback, <c>--insecure</c>), else no result (401).
/// Challenges and refusals are RFC 7807 problem details.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IApiKeyStore keys, AuthMode mode, IOptions<AuthOptions> auth, TimeProvider time, KeyUseTracker uses, VerifiedKeys verified, KeyPrincipals principals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string GoogleHeaderName = "x-goog-api-key";
    public const string RoleClaim = "role";
    public const string KeyIdClaim = "docflow:key";

    /// <summary>The key in the request: <c>X-Api-Key</c>, or a bearer token that starts with <c>dfk_</c>.</summary>
    internal static string? KeyOf(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && !string.IsNullOrWhiteSpace(header)) return header.ToString().Trim();
        // Google's clients send an API key as x-goog-api-key (client_options api_key): the same DocFlow key.
        if (request.Headers.TryGetValue(GoogleHeaderName, out var google) && !string.IsNullOrWhiteSpace(google)) return google.ToString().Trim();
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            if (token.StartsWith(ApiKeyFormat.Scheme, StringComparison.Ordinal)) return token;
        }
        return null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = KeyOf(Request);
        if (key is null)
        {
            if (mode.Required) return AuthenticateResult.NoResult();
            return Success(principals.Local(mode.Name));
        }
        if (!ApiKeyFormat.TryParse(key, out var id)) return Fail("The API key is malformed.");
        // The bootstrap key (one hash, so one id): once it has been seen, other ids skip its check.
        if (auth.Value.BootstrapKeyHash is { Length: > 0 } bootstrap && (verified.BootstrapId is null || verified.BootstrapId == id)
            && verified.Matches(VerifiedKeys.BootstrapSlot, key, bootstrap))
        {
            verified.BootstrapId = id;
            return Success(principals.Bootstrap(id));
        }
        // A cached row (the common case) comes back without a task (CachingApiKeyStore; its bound on revocation holds).
        var record = await keys.FindAsync(id, Context.RequestAborted).ConfigureAwait(false);
        if (record is null || !verified.Matches(id, key, record.Hash)) return Fail($"Key {ApiKeyFormat.Prefix(id)} is not valid.");
        if (record.RevokedAt is not null) return Fail($"Key {ApiKeyFormat.Prefix(id)} was revoked.");
        if (uses.ShouldTouch(id, time.GetUtcNow()))
            await keys.TouchAsync(id, time.GetUtcNow(), Context.RequestAborted).ConfigureAwait(false);
        return Success(principals.Of(record));
    }

    private AuthenticateResult Fail(string message)
    {
        Logger.LogInformation("Authentication failed: {Reason}", message);
        Context.Items[FailureItem] = message;
        return AuthenticateResult.Fail(message);
    }

    internal const string FailureItem = "docflow:auth-failure";

    private static AuthenticateResult Success(ClaimsPrincipal principal) => AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));

    /// <summary>The principal of a key (or of the local admin): its name, role, method, tenant and key prefix as claims.</summary>
    internal static ClaimsPrincipal PrincipalOf(string name, string role, string? keyId, string method, string tenant)
    {
        List<Claim> claims = [new(ClaimTypes.Name, name), new(RoleClaim, role), new("docflow:method", method), new(Tenants.ClaimType, tenant)];
        if (keyId is not null) claims.Add(new Claim(KeyIdClaim, ApiKeyFormat.Prefix(keyId)));
        return new DocFlowPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, RoleClaim));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var why = Context.Items[FailureItem] as string
                  ?? (Request.Headers.Authorization.Count > 0 ? "The bearer token was not accepted (signature, issuer, audience, lifetime, or OIDC is not configured)." : null);
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            (why is null ? "This request needs credentials. " : why + " ") +
            $"Send an API key as 'Authorization: Bearer dfk_…' or '{HeaderName}: dfk_…'" + (mode.Jwt ? ", or an OIDC bearer token." : "."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirst(RoleClaim)?.Value ?? Context.User.Claims.FirstOrDefault(c => c.Type == ((ClaimsIdentity?)Context.User.Identity)?.RoleClaimType)?.Value;
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden",
            $"The role '{role ?? "none"}' may not do this; see docs/security.md for what each role may do.");
    }

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(Context);
    }
}

/// <summary>
/// A principal the key handler built (an API key, the bootstrap key, the local admin of an open server), with what the
/// tenant scope and the audit need of it worked out once, when it is built, instead of on every request by walking its
/// claims (~5 µs of an audited read; docs/benchmarks.md, "Authentication and audit cost", session 10). These principals
/// are shared between requests (<see cref="KeyPrincipals"/>) and nothing in DocFlow changes a principal after
/// authentication, so the answers stay those of its claims. Other principals (JWT, the dashboard's sign-in) are read
/// from their claims as before.
/// </summary>
internal sealed class DocFlowPrincipal : ClaimsPrincipal
{
    public DocFlowPrincipal(ClaimsIdentity identity) : base(identity)
    {
        Tenant = TenantPrincipals.TenantFromClaims(this);
        Scope = TenantPrincipals.ScopeFromClaims(this);
        (AuditName, AuditRole) = AuditMiddleware.AuthenticatedFromClaims(this);
    }

    /// <summary><see cref="TenantPrincipals.TenantOf"/>.</summary>
    public string Tenant { get; }

    /// <summary><see cref="TenantPrincipals.ScopeOf"/>.</summary>
    public string? Scope { get; }

    /// <summary>The principal and role an audit entry records.</summary>
    public string AuditName { get; }

    public string? AuditRole { get; }
}

/// <summary>
/// Keys already checked against their stored hash: the same key presented again for the same stored hash is compared
/// with the one checked (constant time) instead of being hashed again. The SHA-256 of every request was the largest
/// part of a key's cost on the cheapest reads (docs/benchmarks.md, "Authentication and audit cost"). Only keys that
/// matched are kept (a flood of wrong keys adds nothing); a changed stored hash (a re-created key) is checked afresh;
/// a revoked key still fails, its record being read as before.
/// </summary>
internal sealed class VerifiedKeys
{
    internal const int Capacity = 10_000;

    /// <summary>The slot of the bootstrap key (not an id: ids are base32 without a NUL).</summary>
    internal const string BootstrapSlot = "\0bootstrap";

    /// <summary>The id of the bootstrap key once it has been presented.</summary>
    public volatile string? BootstrapId;

    private readonly ConcurrentDictionary<string, (string Key, string Hash)> _verified = new(StringComparer.Ordinal);

    public bool Matches(string id, string key, string storedHash)
    {
        if (_verified.TryGetValue(id, out var known) && string.Equals(known.Hash, storedHash, StringComparison.Ordinal)
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(known.Key.AsSpan()), System.Runtime.InteropServices.MemoryMarshal.AsBytes(key.AsSpan())))
            return true;
        if (!ApiKeyFormat.Matches(key, storedHash)) return false;
        if (_verified.Count >= Capacity) _verified.Clear();
        _verified[id] = (key, storedHash);
        return true;
    }
}

/// <summary>
/// The principal of each key, built once per version of its record instead of on every request (claims, identity and
/// principal were the handler's allocations on every request; docs/benchmarks.md, "Authentication and audit cost").
/// Shared read-only between requests: nothing in DocFlow changes a principal after authentication. A key whose record
/// changes (re-created with another hash, another role, tenant or name) gets a new principal; a revoked key never
/// reaches it (the handler fails first).
/// </summary>
internal sealed class KeyPrincipals
{
    internal const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, (ApiKeyRecord Record, ClaimsPrincipal Principal)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ClaimsPrincipal> _fixed = new(StringComparer.Ordinal);

    public ClaimsPrincipal Of(ApiKeyRecord record)
    {
        if (_keys.TryGetValue(record.Id, out var known) && (ReferenceEquals(known.Record, record) || SameIdentity(known.Record, record)))
            return known.Principal;
        var prefix = ApiKeyFormat.Prefix(record.Id);
        var principal = ApiKeyAuthenticationHandler.PrincipalOf(record.Name is null ? prefix : $"{prefix} ({record.Name})", record.Role, record.Id, "key", record.Tenant);
        if (_keys.Count >= Capacity) _keys.Clear();
        _keys[record.Id] = (record, principal);
        return principal;
    }

    /// <summary>The local admin of an open server (no credentials sent; <paramref name="method"/> is the auth mode).</summary>
    public ClaimsPrincipal Local(string method) =>
        _fixed.GetOrAdd("local\0" + method, static (_, m) => ApiKeyAuthenticationHandler.PrincipalOf("local", Roles.Admin, null, m, Tenants.Default), method);

    /// <summary>The bootstrap key's admin.</summary>
    public ClaimsPrincipal Bootstrap(string id) =>
        _fixed.GetOrAdd("bootstrap\0" + id, static (_, i) => ApiKeyAuthenticationHandler.PrincipalOf(ApiKeyFormat.Prefix(i), Roles.Admin, i, "bootstrap", Tenants.Default), id);

    private static bool SameIdentity(ApiKeyRecord a, ApiKeyRecord b) =>
        string.Equals(a.Hash, b.Hash, StringComparison.Ordinal) && string.Equals(a.Role, b.Role, StringComparison.Ordinal)
        && string.Equals(a.Tenant, b.Tenant, StringComparison.Ordinal) && string.Equals(a.Name, b.Name, StringComparison.Ordinal);
}

/// <summary>Writes a key's last use at most once a minute.</summary>
internal sealed class KeyUseTracker
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);

    public bool ShouldTouch(string id, DateTimeOffset now)
    {
        if (_last.TryGetValue(id, out var at) && now - at < TimeSpan.FromMinutes(1)) return false;
        _last[id] = now;
        return true;
    }
}
