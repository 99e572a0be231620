using System.Security.Claims;
using DocFlow.Security;
using DocFlow.Server.Security;

namespace DocFlow.IntegrationTests.Security;

/// <summary>
/// The principals the key handler builds carry their tenant, store scope and audit name, worked out when they are built
/// (<see cref="DocFlowPrincipal"/>, docs/benchmarks.md "Authentication and audit cost", session 10): each must be what the
/// same claims give when read the long way (<see cref="TenantPrincipals.ScopeOf"/>, <see cref="TenantPrincipals.TenantOf"/>,
/// the audit's principal and role), for every role, tenant and kind of principal.
/// </summary>
public sealed class DocFlowPrincipalTests
{
    public static TheoryData<string, string, string?, string, string> Principals() => new()
    {
        // name, role, key id, method, tenant
        { "local", Roles.Admin, null, "open", Tenants.Default },
        { "k1 (ci)", Roles.Submitter, "k1abcdefghijklmnop", "key", "acme" },
        { "k2", Roles.Reader, "k2abcdefghijklmnop", "key", Tenants.Default },
        { "k3", Roles.Operator, "k3abcdefghijklmnop", "key", "globex" },
        { "k4", Roles.Auditor, "k4abcdefghijklmnop", "key", "acme" },
        { "k5", Roles.Submitter, "k5abcdefghijklmnop", "key", "NOT a tenant" },
        { "boot", Roles.Admin, "k6abcdefghijklmnop", "bootstrap", Tenants.Default },
    };

    [Theory]
    [MemberData(nameof(Principals))]
    public void KnownAnswers_AreThoseOfItsClaims(string name, string role, string? keyId, string method, string tenant)
    {
        var principal = ApiKeyAuthenticationHandler.PrincipalOf(name, role, keyId, method, tenant);
        var known = Assert.IsType<DocFlowPrincipal>(principal);
        // The same claims in a plain principal: read from the claims.
        var plain = new ClaimsPrincipal(new ClaimsIdentity(principal.Claims.Select(c => new Claim(c.Type, c.Value)),
            ApiKeyAuthenticationHandler.SchemeName, ClaimTypes.Name, ApiKeyAuthenticationHandler.RoleClaim));
        Assert.IsNotType<DocFlowPrincipal>(plain);

        Assert.Equal(TenantPrincipals.ScopeOf(plain), TenantPrincipals.ScopeOf(known));
        Assert.Equal(TenantPrincipals.TenantOf(plain), TenantPrincipals.TenantOf(known));
        Assert.Equal(AuditMiddleware.AuthenticatedFromClaims(plain), (known.AuditName, known.AuditRole));
        // And what they are: admin and operator see every tenant, the others their own (an invalid tenant claim is the
        // default tenant); the audit names the key's prefix, else the principal's name, with its role.
        var seesAll = role is Roles.Admin or Roles.Operator;
        var ownTenant = Tenants.IsValid(tenant) ? tenant : Tenants.Default;
        Assert.Equal(seesAll ? null : ownTenant, known.Scope);
        Assert.Equal(ownTenant, known.Tenant);
        Assert.Equal(keyId is null ? name : ApiKeyFormat.Prefix(keyId), known.AuditName);
        Assert.Equal(role, known.AuditRole);
    }
}
