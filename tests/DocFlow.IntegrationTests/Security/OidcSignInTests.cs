using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Security;

/// <summary>The dashboard's single sign-on against an OpenID Connect provider on loopback (<see cref="FakeOidcProvider"/>),
/// followed hop by hop as a browser would: authorization code with PKCE, the ID token's role and tenant claims mapped
/// onto a DocFlow principal, an HttpOnly session cookie, sign-in and its failures audited, sign-out.</summary>
public sealed class OidcSignInTests
{
    private static Dictionary<string, string?> Settings(FakeOidcProvider idp) => new()
    {
        ["Auth:Required"] = "true",
        ["Auth:Oidc:Authority"] = idp.Authority,
        ["Auth:Oidc:ClientId"] = FakeOidcProvider.ClientId,
        ["Auth:Oidc:ClientSecret"] = FakeOidcProvider.ClientSecret,
        ["Auth:Oidc:RequireHttpsMetadata"] = "false",
        ["Auth:Oidc:RoleClaim"] = "docflow_role",
        ["Auth:Oidc:TenantClaim"] = "org",
        ["Auth:Oidc:DisplayName"] = "Example SSO",
        ["Workers"] = "0",
    };

    /// <summary>A browser: cookies kept per host (the server and the provider share 127.0.0.1), redirects followed by hand.</summary>
    private sealed class Browser : IDisposable
    {
        public CookieContainer Cookies { get; } = new();
        private readonly HttpClient _http;

        public Browser() => _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false });

        public Task<HttpResponseMessage> GetAsync(Uri url) => _http.GetAsync(url);

        public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request);

        /// <summary>Follows redirects from <paramref name="url"/> until a response that is not one; every hop.</summary>
        public async Task<List<Uri>> FollowAsync(Uri url, int max = 10)
        {
            var hops = new List<Uri> { url };
            for (var i = 0; i < max; i++)
            {
                using var response = await _http.GetAsync(url);
                if ((int)response.StatusCode is < 300 or >= 400) return hops;
                url = new Uri(url, response.Headers.Location!);
                hops.Add(url);
            }
            throw new InvalidOperationException("too many redirects: " + string.Join(" → ", hops));
        }

        public void Dispose() => _http.Dispose();
    }

    [Fact]
    public async Task CodeFlowWithPkce_SignsTheDashboardIn_WithTheTokensRoleAndTenant_InAnHttpOnlyCookie_AndSignsOut()
    {
        await using var idp = await FakeOidcProvider.StartAsync();
        idp.User = new() { ["sub"] = "u-1", ["email"] = "alice@example.test", ["docflow_role"] = new[] { "reader", "submitter" }, ["org"] = "acme" };
        await using var server = await ServerHarness.StartAsync(Settings(idp));
        using var browser = new Browser();

        var providers = await server.Client.GetFromJsonAsync<JsonElement>("auth/providers");
        Assert.True(providers.GetProperty("oidc").GetBoolean());
        Assert.Equal("Example SSO", providers.GetProperty("displayName").GetString());

        // Not signed in: the API says 401 (no redirect to the provider for API calls).
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(new Uri(server.BaseAddress, "api/v1/me"))).StatusCode);

        var hops = await browser.FollowAsync(new Uri(server.BaseAddress, "auth/sign-in?returnUrl=%2F%23doc%2Fx"));
        // sign-in → the provider's authorization endpoint → the callback → back where the dashboard was.
        Assert.Equal(4, hops.Count);
        Assert.StartsWith(idp.Authority + "/authorize", hops[1].ToString());
        Assert.Equal("/auth/callback", hops[2].AbsolutePath);
        Assert.Equal(server.BaseAddress.Authority, hops[3].Authority);
        Assert.Equal("/#doc/x", hops[3].PathAndQuery + hops[3].Fragment);
        var asked = Assert.Single(idp.AuthorizationRequests);
        Assert.Equal("code", asked["response_type"]);
        Assert.Equal("S256", asked["code_challenge_method"]);
        Assert.Contains(asked["response_mode"].ToString(), new[] { "", "query" }); // query is the code flow's default: not form_post
        Assert.False(string.IsNullOrEmpty(asked["nonce"]));
        Assert.Equal(1, idp.TokensIssued);

        var session = browser.Cookies.GetCookies(server.BaseAddress).Single(c => c.Name == "docflow.session");
        Assert.True(session.HttpOnly);
        Assert.DoesNotContain("eyJ", session.Value, StringComparison.Ordinal); // the cookie is encrypted, not a token

        using var meResponse = await browser.GetAsync(new Uri(server.BaseAddress, "api/v1/me"));
        Assert.Equal(HttpStatusCode.OK, meResponse.StatusCode);
        var me = await meResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("alice@example.test", me.GetProperty("name").GetString());
        Assert.Equal("submitter", me.GetProperty("role").GetString()); // the strongest of the token's roles
        Assert.Equal("oidc", me.GetProperty("method").GetString());
        Assert.Equal("acme", me.GetProperty("tenant").GetString());
        Assert.False(me.GetProperty("allTenants").GetBoolean());
        // The role decides, as for keys: a submitter may not read the operators' overview.
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync(new Uri(server.BaseAddress, "api/v1/dashboard/overview"))).StatusCode);

        // The sign-in is in the audit trail, under the person and the tenant.
        var store = server.Services.GetRequiredService<IApiKeyStore>();
        var (_, admin) = await ApiKeys.CreateAsync(store, Roles.Admin, "auditor", DateTimeOffset.UtcNow, CancellationToken.None);
        var audit = await ReadAuditAsync(server, admin, OidcSignInAction);
        var entry = Assert.Single(audit);
        Assert.Equal("alice@example.test", entry.GetProperty("principal").GetString());
        Assert.Equal("acme", entry.GetProperty("tenant").GetString());
        Assert.Equal("submitter", entry.GetProperty("role").GetString());

        // Sign-out ends the session (from the dashboard's own origin; the Origin check applies to cookies too).
        using var signOut = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "auth/sign-out"));
        signOut.Headers.Add("Origin", server.BaseAddress.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(signOut)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(new Uri(server.BaseAddress, "api/v1/me"))).StatusCode);
    }

    private const string OidcSignInAction = "sign-in";

    private static async Task<List<JsonElement>> ReadAuditAsync(ServerHarness server, string adminKey, string action)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/audit?action={action}");
        request.Headers.Add("X-Api-Key", adminKey);
        using var response = await server.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    [Fact]
    public async Task ReturnUrl_OffThisServer_IsNotFollowed()
    {
        await using var idp = await FakeOidcProvider.StartAsync();
        await using var server = await ServerHarness.StartAsync(Settings(idp));
        using var browser = new Browser();
        foreach (var evil in new[] { "https://evil.example/", "//evil.example/", "/\\evil.example" })
        {
            var hops = await browser.FollowAsync(new Uri(server.BaseAddress, "auth/sign-in?returnUrl=" + Uri.EscapeDataString(evil)));
            Assert.Equal(server.BaseAddress.Authority, hops[^1].Authority);
            Assert.Equal("/", hops[^1].PathAndQuery);
        }
    }

    [Fact]
    public async Task AccountWithoutARole_ADeniedConsent_AndAMalformedTenant_AreRefused_WithTheReason_NoSession_AndAudited()
    {
        await using var idp = await FakeOidcProvider.StartAsync();
        await using var server = await ServerHarness.StartAsync(Settings(idp));
        var store = server.Services.GetRequiredService<IApiKeyStore>();
        var (_, admin) = await ApiKeys.CreateAsync(store, Roles.Admin, "auditor", DateTimeOffset.UtcNow, CancellationToken.None);

        async Task<string> RefusedAsync()
        {
            using var browser = new Browser();
            var hops = await browser.FollowAsync(new Uri(server.BaseAddress, "auth/sign-in"));
            Assert.DoesNotContain(browser.Cookies.GetCookies(server.BaseAddress), c => c.Name == "docflow.session");
            var last = hops[^1];
            Assert.Equal(server.BaseAddress.Authority, last.Authority);
            Assert.Equal("/", last.AbsolutePath);
            return Uri.UnescapeDataString(System.Web.HttpUtility.ParseQueryString(last.Query)["signin-error"] ?? "");
        }

        idp.User = new() { ["sub"] = "bob", ["email"] = "bob@example.test", ["docflow_role"] = "intern" };
        Assert.Contains("no DocFlow role", await RefusedAsync());
        idp.User = new() { ["sub"] = "eve", ["docflow_role"] = "admin", ["org"] = "../Acme" };
        Assert.Contains("tenant", await RefusedAsync());
        idp.User = new() { ["sub"] = "carol", ["docflow_role"] = "admin" };
        idp.DenyWith = "access_denied";
        Assert.False(string.IsNullOrEmpty(await RefusedAsync()));

        var failed = await ReadAuditAsync(server, admin, "sign-in-failed");
        Assert.Equal(3, failed.Count(e => e.GetProperty("target").GetString() == "oidc"));
        Assert.Empty(await ReadAuditAsync(server, admin, OidcSignInAction));
    }

    [Fact]
    public async Task WithoutOidc_SignInIsA404Problem_AndProvidersSaySo()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "0" });
        var providers = await server.Client.GetFromJsonAsync<JsonElement>("auth/providers");
        Assert.False(providers.GetProperty("oidc").GetBoolean());
        using var signIn = await server.Client.GetAsync("auth/sign-in");
        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
        Assert.Equal("application/problem+json", signIn.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Auth:Oidc", await signIn.Content.ReadAsStringAsync());
    }
}
