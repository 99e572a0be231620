using System.Security.Claims;
using System.Text;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Microsoft.Playwright.Assertions;

namespace DocFlow.IntegrationTests.Browser;

/// <summary>The dashboard against a server that requires keys: it signs in with a key (kept in sessionStorage, sent as
/// X-Api-Key, the live stream read over fetch) or an OIDC/JWT bearer token (sent as Authorization: Bearer) and shows
/// what the role may see.</summary>
public sealed class SignInTests
{
    [Fact]
    public async Task Dashboard_SignsInWithAKey_AndShowsOnlyWhatTheRoleMaySee()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "1" });
        var store = server.Services.GetRequiredService<IApiKeyStore>();
        var (_, reader) = await ApiKeys.CreateAsync(store, Roles.Reader, "browser reader", "acme", DateTimeOffset.UtcNow, CancellationToken.None);
        var (_, operatorKey) = await ApiKeys.CreateAsync(store, Roles.Operator, "browser operator", DateTimeOffset.UtcNow, CancellationToken.None);
        await using var browser = await DashboardBrowser.OpenAsync(server.Client.BaseAddress!);
        var page = browser.Page;

        await page.GotoAsync("/");
        await Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();
        await Expect(page.Locator("#overview-view")).ToBeHiddenAsync();

        await page.Locator("#api-key").FillAsync(reader[..^3] + "zzz");
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Expect(page.Locator("#sign-in-msg")).ToContainTextAsync("not valid");

        await page.Locator("#api-key").FillAsync(reader);
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync("reader");
        await Expect(page.Locator("#who")).ToContainTextAsync("tenant acme");
        await Expect(page.Locator("#batches")).ToBeVisibleAsync();
        await Expect(page.Locator("#jobs")).ToBeVisibleAsync();
        await Expect(page.Locator("#queues")).ToBeHiddenAsync();
        await Expect(page.Locator("#dead")).ToBeHiddenAsync();
        await Expect(page.Locator("#upload")).ToBeHiddenAsync();
        await Expect(page.Locator("#insecure")).ToBeHiddenAsync();
        await browser.ScreenshotAsync("dashboard-signed-in-reader");

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();

        await page.Locator("#api-key").FillAsync(operatorKey);
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync("operator");
        await Expect(page.Locator("#who")).ToContainTextAsync("all tenants");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live"); // the overview stream, over fetch with the key
        await Expect(page.Locator("#workers tbody tr .badge")).ToHaveTextAsync("live");
        await Expect(page.Locator("#queues")).ToBeVisibleAsync();
        await Expect(page.Locator("#dead")).ToBeVisibleAsync();
        await Expect(page.Locator("#upload")).ToBeHiddenAsync();
        await browser.ScreenshotAsync("dashboard-signed-in-operator");

        // A revoked key signs the tab out at its next request.
        var id = operatorKey.Split('_')[1];
        await store.RevokeAsync(id, DateTimeOffset.UtcNow, CancellationToken.None);
        await Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();
        await Expect(page.Locator("#sign-in-msg")).ToContainTextAsync("no longer accepted");
    }

    private const string SigningKey = "docflow-test-signing-key-of-at-least-32-bytes!";
    private const string Issuer = "https://idp.docflow.test";
    private const string Audience = "docflow-api";

    /// <summary>A token as an identity provider would issue it, signed with the test's symmetric key (as in JwtTests).</summary>
    private static string Token(string role, string key = SigningKey)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", $"{role}@example.test"), new Claim("docflow_role", role)]),
            NotBefore = now.AddMinutes(-1),
            IssuedAt = now.AddMinutes(-1),
            Expires = now.AddMinutes(30),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    [Fact]
    public async Task Dashboard_SignsInWithAnOidcBearerToken_AndShowsOnlyWhatTheTokensRoleMaySee()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Required"] = "true",
            ["Auth:Jwt:Issuer"] = Issuer,
            ["Auth:Jwt:Audience"] = Audience,
            ["Auth:Jwt:SigningKey"] = SigningKey,
            ["Auth:Jwt:RoleClaim"] = "docflow_role",
            ["Workers"] = "1",
        });
        await using var browser = await DashboardBrowser.OpenAsync(server.Client.BaseAddress!);
        var page = browser.Page;

        await page.GotoAsync("/");
        await Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();

        // A token signed with another key is refused, with the server's reason, and not kept.
        await page.Locator("#api-key").FillAsync(Token("operator", key: "another-signing-key-of-at-least-32-bytes!!"));
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Expect(page.Locator("#sign-in-msg")).ToContainTextAsync("bearer token was not accepted");
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('docflow.credential')"));

        // An operator token, pasted as the header value ("Bearer …"): the overview, its live stream, no upload.
        var operatorToken = Token("operator");
        await page.Locator("#api-key").FillAsync("Bearer " + operatorToken);
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync("operator@example.test · operator");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live"); // the overview stream, over fetch with the token
        await Expect(page.Locator("#workers tbody tr .badge")).ToHaveTextAsync("live");
        await Expect(page.Locator("#queues")).ToBeVisibleAsync();
        await Expect(page.Locator("#dead")).ToBeVisibleAsync();
        await Expect(page.Locator("#upload")).ToBeHiddenAsync();
        Assert.Equal(operatorToken, await page.EvaluateAsync<string?>("() => sessionStorage.getItem('docflow.credential')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();

        // A reader token: batches and documents, no operations, no upload.
        await page.Locator("#api-key").FillAsync(Token("reader"));
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync("reader@example.test · reader");
        await Expect(page.Locator("#batches")).ToBeVisibleAsync();
        await Expect(page.Locator("#jobs")).ToBeVisibleAsync();
        await Expect(page.Locator("#queues")).ToBeHiddenAsync();
        await Expect(page.Locator("#dead")).ToBeHiddenAsync();
        await Expect(page.Locator("#upload")).ToBeHiddenAsync();
        await browser.ScreenshotAsync("dashboard-signed-in-oidc-reader");
    }

    [Fact]
    public async Task Dashboard_SignsInWithSingleSignOn_AtTheIdentityProvider_AndSignsOut()
    {
        await using var idp = await FakeOidcProvider.StartAsync();
        idp.User = new() { ["sub"] = "op-1", ["email"] = "olga@example.test", ["docflow_role"] = "operator" };
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Required"] = "true",
            ["Auth:Oidc:Authority"] = idp.Authority,
            ["Auth:Oidc:ClientId"] = FakeOidcProvider.ClientId,
            ["Auth:Oidc:ClientSecret"] = FakeOidcProvider.ClientSecret,
            ["Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Auth:Oidc:RoleClaim"] = "docflow_role",
            ["Auth:Oidc:DisplayName"] = "Example SSO",
            ["Workers"] = "1",
        });
        await using var browser = await DashboardBrowser.OpenAsync(server.Client.BaseAddress!);
        var page = browser.Page;

        // Refused at the provider: back on the sign-in view with the reason.
        idp.DenyWith = "access_denied";
        await page.GotoAsync("/");
        await page.Locator("#sso-link").ClickAsync();
        await Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();
        await Expect(page.Locator("#sign-in-msg")).ToHaveTextAsync("The identity provider refused the sign-in: The user declined. (access_denied).");
        Assert.DoesNotContain("signin-error", page.Url);

        idp.DenyWith = null;
        await Expect(page.Locator("#sso-link")).ToHaveTextAsync("Sign in with Example SSO");
        await browser.ScreenshotAsync("dashboard-sign-in-sso");
        await page.Locator("#sso-link").ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync("olga@example.test · operator");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live"); // the overview stream, over fetch with the session cookie
        await Expect(page.Locator("#queues")).ToBeVisibleAsync();
        await Expect(page.Locator("#upload")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('docflow.credential')"));
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie")); // HttpOnly: no script reads the session
        await browser.ScreenshotAsync("dashboard-signed-in-sso-operator");
        browser.AssertNoCspViolations();

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();
    }
}
