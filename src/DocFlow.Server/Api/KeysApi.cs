using System.Security.Claims;
using DocFlow.Security;
using DocFlow.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Api;

/// <summary>API keys (admin): create (the key is in the answer once), list (prefixes, never keys or hashes), revoke;
/// and <c>/api/v1/me</c>, the caller's own principal.</summary>
public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/v1/keys").WithTags("Keys").RequireAuthorization(Policies.ManageKeys);
        keys.MapPost("/", CreateAsync).WithSummary("Create an API key; the answer holds the key, shown this once.");
        keys.MapGet("/", ListAsync).WithSummary("Every key: id, prefix, name, role, created, revoked, last used.");
        keys.MapDelete("/{id}", RevokeAsync).WithSummary("Revoke a key: it authenticates nothing from now on.");
        app.MapGet("/api/v1/me", Me).WithTags("Keys").RequireAuthorization(Policies.SignedIn)
            .WithSummary("Who the caller is: name, role, how authenticated, and the server's auth mode.");
        return app;
    }

    /// <param name="Role">One of the roles.</param>
    /// <param name="Name">What the key is for.</param>
    /// <param name="Tenant">The tenant the key acts for (<c>^[a-z0-9][a-z0-9-]{0,62}$</c>); default <c>default</c>.</param>
    public sealed record CreateKeyRequest(string? Role, string? Name, string? Tenant = null);

    public sealed record KeyDto(string Id, string Prefix, string? Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt,
        string Tenant);

    public sealed record CreatedKeyDto(string Id, string Prefix, string? Name, string Role, DateTimeOffset CreatedAt, string Key, string Tenant);

    /// <param name="Tenant">The caller's tenant.</param>
    /// <param name="AllTenants">Whether the caller sees every tenant's documents (admin, operator).</param>
    public sealed record MeDto(string Name, string Role, string Method, string Auth, bool Insecure, string Tenant, bool AllTenants);

    internal static KeyDto ToDto(ApiKeyRecord k) => new(k.Id, k.Prefix, k.Name, k.Role, k.CreatedAt, k.RevokedAt, k.LastUsedAt, k.Tenant);

    internal static async Task<IResult> CreateAsync(CreateKeyRequest? request, IApiKeyStore store, TimeProvider time, ClaimsPrincipal user,
        ILoggerFactory loggers, CancellationToken ct)
    {
        if (request is null || !Roles.IsKnown(request.Role))
            return Problems.BadRequest($"Give a role: one of {string.Join(", ", Roles.All)} (JSON body {{\"role\": \"reader\", \"name\": \"…\"}}).");
        if (request.Name is { Length: > 200 }) return Problems.BadRequest("The name is longer than 200 characters.");
        var tenant = string.IsNullOrEmpty(request.Tenant) ? Tenants.Default : request.Tenant;
        if (!Tenants.IsValid(tenant))
            return Problems.BadRequest($"'{request.Tenant}' is not a tenant id: 1 to 63 lower-case letters, digits and '-', starting with a letter or digit.");
        var (record, key) = await ApiKeys.CreateAsync(store, request.Role!, request.Name, tenant, time.GetUtcNow(), ct);
        loggers.CreateLogger("DocFlow.Keys").LogInformation("Key {Prefix} ({Role}, tenant {Tenant}) created by {Principal}", record.Prefix, record.Role, record.Tenant, user.Identity?.Name);
        return TypedResults.Created($"/api/v1/keys/{record.Id}",
            new CreatedKeyDto(record.Id, record.Prefix, record.Name, record.Role, record.CreatedAt, key, record.Tenant));
    }

    internal static async Task<Ok<List<KeyDto>>> ListAsync(IApiKeyStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(ct)).Select(ToDto).ToList());

    internal static async Task<IResult> RevokeAsync(string id, IApiKeyStore store, TimeProvider time, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken ct)
    {
        // Accept the prefix as well as the bare id (what `docflow keys list` shows).
        var bare = id.StartsWith(ApiKeyFormat.Scheme, StringComparison.Ordinal) ? id[ApiKeyFormat.Scheme.Length..] : id;
        if (!await store.RevokeAsync(bare, time.GetUtcNow(), ct)) return Problems.NotFound($"No active key '{id}'.");
        loggers.CreateLogger("DocFlow.Keys").LogInformation("Key {Prefix} revoked by {Principal}", ApiKeyFormat.Prefix(bare), user.Identity?.Name);
        return TypedResults.NoContent();
    }

    internal static Ok<MeDto> Me(ClaimsPrincipal user, AuthMode mode)
    {
        var identity = user.Identity as ClaimsIdentity;
        var role = user.FindFirst(identity?.RoleClaimType ?? ApiKeyAuthenticationHandler.RoleClaim)?.Value ?? "";
        var roles = user.FindAll(identity?.RoleClaimType ?? ApiKeyAuthenticationHandler.RoleClaim).Select(c => c.Value).Where(Roles.IsKnown).ToList();
        // A token may carry several roles; report the strongest known one.
        var shown = Roles.All.FirstOrDefault(roles.Contains) ?? role;
        return TypedResults.Ok(new MeDto(identity?.Name ?? "", shown, user.FindFirst("docflow:method")?.Value ?? "jwt", mode.Name, mode.Insecure,
            TenantPrincipals.TenantOf(user), TenantPrincipals.SeesAllTenants(user)));
    }
}
