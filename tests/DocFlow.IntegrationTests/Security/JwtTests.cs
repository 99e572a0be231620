using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DocFlow.IntegrationTests.Security;

/// <summary>OIDC/JWT bearer tokens, signed here with the symmetric key of the test's configuration (no identity
/// provider, no network): issuer, audience, lifetime and signature checked, the role from the configured claim.</summary>
public sealed class JwtTests
{
    private const string SigningKey = "docflow-test-signing-key-of-at-least-32-bytes!";
    private const string Issuer = "https://idp.docflow.test";
    private const string Audience = "docflow-api";

    private static string Token(string? role, string audience = Audience, string key = SigningKey, TimeSpan? lifetime = null, string? tenant = null)
    {
        var claims = new List<Claim> { new("sub", "alice@example.test") };
        if (role is not null) claims.Add(new Claim("docflow_role", role));
        if (tenant is not null) claims.Add(new Claim("org", tenant));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = now.AddMinutes(-10),
            IssuedAt = now.AddMinutes(-10),
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(5)),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    private static async Task<HttpResponseMessage> GetAsync(ServerHarness server, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await server.Client.SendAsync(request);
    }

    [Fact]
    public async Task TenantClaim_FromConfiguration_IsThePrincipalsTenant_DefaultWhenAbsent_AndAMalformedOneGets401()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Required"] = "true",
            ["Auth:Jwt:Issuer"] = Issuer,
            ["Auth:Jwt:Audience"] = Audience,
            ["Auth:Jwt:SigningKey"] = SigningKey,
            ["Auth:Jwt:RoleClaim"] = "docflow_role",
            ["Auth:Jwt:TenantClaim"] = "org",
            ["Workers"] = "0",
        });

        var acme = await (await GetAsync(server, "api/v1/me", Token("reader", tenant: "acme"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("acme", acme.GetProperty("tenant").GetString());
        Assert.False(acme.GetProperty("allTenants").GetBoolean());
        var none = await (await GetAsync(server, "api/v1/me", Token("reader"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("default", none.GetProperty("tenant").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(server, "api/v1/me", Token("reader", tenant: "../Acme"))).StatusCode);
    }

    [Fact]
    public async Task SignedToken_WithRoleClaim_IsAuthorizedByRole_AndBadTokensGet401()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Required"] = "true",
            ["Auth:Jwt:Issuer"] = Issuer,
            ["Auth:Jwt:Audience"] = Audience,
            ["Auth:Jwt:SigningKey"] = SigningKey,
            ["Auth:Jwt:RoleClaim"] = "docflow_role",
            ["Workers"] = "0",
        });

        var reader = Token("reader");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "api/v1/jobs", reader)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(server, "api/v1/queues", reader)).StatusCode);
        var me = await (await GetAsync(server, "api/v1/me", reader)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("alice@example.test", me.GetProperty("name").GetString());
        Assert.Equal("reader", me.GetProperty("role").GetString());
        Assert.Equal("jwt", me.GetProperty("method").GetString());

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "api/v1/queues", Token("operator"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(server, "api/v1/jobs", Token(null))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(server, "api/v1/jobs", Token("superuser"))).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(server, "api/v1/jobs", Token("admin", audience: "someone-else"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(server, "api/v1/jobs", Token("admin", key: "another-key-that-is-also-32-bytes-long!!"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(server, "api/v1/jobs", Token("admin", lifetime: TimeSpan.FromMinutes(-5)))).StatusCode);
        var garbage = await GetAsync(server, "api/v1/jobs", "not.a.token");
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Contains("bearer token was not accepted", await garbage.Content.ReadAsStringAsync());
    }
}
