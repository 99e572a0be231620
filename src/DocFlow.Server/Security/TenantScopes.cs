using System.Security.Claims;
using DocFlow.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DocFlow.Server.Security;

/// <summary>A principal's tenant and what it may see (DESIGN.md §7): <c>admin</c> and <c>operator</c> every tenant, every
/// other role its own.</summary>
public static class TenantPrincipals
{
    /// <summary>The principal's tenant (<see cref="Tenants.ClaimType"/>), <see cref="Tenants.Default"/> when it has none.</summary>
    public static string TenantOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user is DocFlowPrincipal known ? known.Tenant : TenantFromClaims(user);
    }

    internal static string TenantFromClaims(ClaimsPrincipal user)
    {
        var claim = user.FindFirst(Tenants.ClaimType)?.Value;
        return Tenants.IsValid(claim) ? claim! : Tenants.Default;
    }

    /// <summary>The store scope of a request by <paramref name="user"/>: null (every tenant) for admin and operator, the
    /// principal's tenant for the other roles, and "" (nothing) when unauthenticated.</summary>
    public static string? ScopeOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user is DocFlowPrincipal known ? known.Scope : ScopeFromClaims(user);
    }

    internal static string? ScopeFromClaims(ClaimsPrincipal user)
    {
        if (user.Identity is not ClaimsIdentity { IsAuthenticated: true } identity) return "";
        // One pass over the claims, no LINQ: this runs on every request.
        var roleType = identity.RoleClaimType;
        foreach (var claim in user.Claims)
            if (claim.Type == roleType && (string.Equals(claim.Value, Roles.Admin, StringComparison.Ordinal) || string.Equals(claim.Value, Roles.Operator, StringComparison.Ordinal)))
                return null;
        return TenantFromClaims(user);
    }

    /// <summary>Whether the principal sees every tenant (admin, operator).</summary>
    public static bool SeesAllTenants(ClaimsPrincipal user) => ScopeOf(user) is null;
}

/// <summary>Runs the rest of the request (the endpoint) in the caller's tenant scope (<see cref="AmbientTenantScope"/>),
/// which the job store's reads apply: another tenant's batch or document is not found (404), lists show the own tenant only.</summary>
internal sealed class TenantScopeMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        using (AmbientTenantScope.Enter(TenantPrincipals.ScopeOf(context.User)))
            await next(context).ConfigureAwait(false);
    }
}
