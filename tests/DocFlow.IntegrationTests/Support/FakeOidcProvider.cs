using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DocFlow.IntegrationTests.Support;

/// <summary>
/// An OpenID Connect identity provider on a loopback port, for the dashboard's single sign-on (no identity provider
/// runs here; this speaks the protocol's wire format: discovery, JWKS, the authorization endpoint of the code flow with
/// PKCE S256, and the token endpoint with client_secret_post or client_secret_basic). It signs ID tokens with its own
/// RSA key (RS256) and signs in whoever <see cref="User"/> says, at once, or refuses with <see cref="DenyWith"/>.
/// </summary>
public sealed class FakeOidcProvider : IAsyncDisposable
{
    public const string ClientId = "docflow-dashboard";
    public const string ClientSecret = "secret-of-the-test-client";

    private readonly WebApplication _app;
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _codes = new(StringComparer.Ordinal);
    private const string KeyId = "fake-idp-key-1";

    /// <summary>The authority (issuer), e.g. <c>http://127.0.0.1:PORT</c>.</summary>
    public string Authority { get; private set; } = "";

    /// <summary>The claims of the next ID token besides iss, aud, sub, nonce and times.</summary>
    public Dictionary<string, object> User { get; set; } = new() { ["sub"] = "alice", ["email"] = "alice@example.test", ["docflow_role"] = "reader" };

    /// <summary>An OAuth error code (<c>access_denied</c>) the authorization endpoint answers with instead of a code.</summary>
    public string? DenyWith { get; set; }

    /// <summary>Every authorization request's query, in order (to check what the client sent).</summary>
    public ConcurrentQueue<IQueryCollection> AuthorizationRequests { get; } = new();

    /// <summary>How many codes were exchanged for tokens.</summary>
    public int TokensIssued => _tokens;

    private int _tokens;

    private sealed record Grant(string RedirectUri, string Challenge, string? Nonce, Dictionary<string, object> User);

    private FakeOidcProvider(WebApplication app) => _app = app;

    public static async Task<FakeOidcProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var idp = new FakeOidcProvider(app);
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = idp.Authority,
            ["authorization_endpoint"] = idp.Authority + "/authorize",
            ["token_endpoint"] = idp.Authority + "/token",
            ["jwks_uri"] = idp.Authority + "/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
            ["scopes_supported"] = new[] { "openid", "profile", "email" },
        }));
        app.MapGet("/jwks", () =>
        {
            var p = idp._rsa.ExportParameters(false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } });
        });
        app.MapGet("/authorize", idp.Authorize);
        app.MapPost("/token", idp.TokenAsync);
        await app.StartAsync();
        idp.Authority = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return idp;
    }

    private IResult Authorize(HttpRequest request)
    {
        var q = request.Query;
        AuthorizationRequests.Enqueue(q);
        string redirect = q["redirect_uri"].ToString(), state = q["state"].ToString();
        if (q["client_id"] != ClientId || redirect.Length == 0) return Results.BadRequest("unknown client or no redirect_uri");
        if (q["response_type"] != "code") return Redirect(redirect, state, "unsupported_response_type");
        if (q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"])) return Redirect(redirect, state, "invalid_request", "PKCE S256 is required");
        if (!q["scope"].ToString().Split(' ').Contains("openid")) return Redirect(redirect, state, "invalid_scope");
        if (DenyWith is { } error) return Redirect(redirect, state, error, "The user declined.");
        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        _codes[code] = new Grant(redirect, q["code_challenge"].ToString(), q["nonce"].ToString() is { Length: > 0 } n ? n : null, new Dictionary<string, object>(User));
        return Results.Redirect($"{redirect}{(redirect.Contains('?') ? '&' : '?')}code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}");
    }

    private static IResult Redirect(string redirect, string state, string error, string? description = null) =>
        Results.Redirect($"{redirect}?error={error}{(description is null ? "" : "&error_description=" + Uri.EscapeDataString(description))}&state={Uri.EscapeDataString(state)}");

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var (client, secret) = (form["client_id"].ToString(), form["client_secret"].ToString());
        if (request.Headers.Authorization.ToString() is { } basic && basic.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])).Split(':', 2);
            (client, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }
        if (client != ClientId || secret != ClientSecret) return Error("invalid_client", 401);
        if (form["grant_type"] != "authorization_code") return Error("unsupported_grant_type");
        if (!_codes.TryRemove(form["code"].ToString(), out var grant)) return Error("invalid_grant");
        if (form["redirect_uri"] != grant.RedirectUri) return Error("invalid_grant");
        var verifier = form["code_verifier"].ToString();
        if (Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge) return Error("invalid_grant");

        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>(grant.User);
        if (grant.Nonce is not null) claims["nonce"] = grant.Nonce;
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = ClientId,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
        Interlocked.Increment(ref _tokens);
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24)),
            ["token_type"] = "Bearer",
            ["expires_in"] = 600,
            ["id_token"] = idToken,
        });
    }

    private static IResult Error(string code, int status = 400) => Results.Json(new { error = code }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
