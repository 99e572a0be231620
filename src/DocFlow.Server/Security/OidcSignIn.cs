using System.Security.Claims;
using DocFlow.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace DocFlow.Server.Security;

/// <summary>
/// The dashboard's single sign-on (<c>Auth:Oidc</c>): <c>GET /auth/sign-in</c> sends the browser to the identity
/// provider (authorization code flow with PKCE, response in the query), <c>/auth/callback</c> exchanges the code, validates
/// the ID token, maps its role and tenant claims onto a DocFlow principal and keeps that principal (never the tokens) in
/// an encrypted, HttpOnly, SameSite=Lax session cookie; <c>POST /auth/sign-out</c> ends the session. Every sign-in and
/// every failed one leaves an audit entry. API clients keep using keys or bearer tokens: the cookie is read only when a
/// request carries neither.
/// </summary>
public static class OidcSignIn
{
    public const string CookieScheme = "DocFlow.Session";
    public const string OidcScheme = "oidc";
    public const string CookieName = "docflow.session";
    public const string CallbackPath = "/auth/callback";
    public const string SignedInAction = "sign-in";
    public const string Method = "oidc";

    /// <summary>The cookie and OIDC handlers, and the keys that encrypt the cookie.</summary>
    internal static void Add(AuthenticationBuilder authentication, OidcOptions oidc)
    {
        var protection = authentication.Services.AddDataProtection().SetApplicationName("DocFlow");
        if (string.IsNullOrWhiteSpace(oidc.KeysDirectory)) protection.UseEphemeralDataProtectionProvider();
        else protection.PersistKeysToFileSystem(new DirectoryInfo(oidc.KeysDirectory));

        authentication.AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/";
            o.ExpireTimeSpan = TimeSpan.FromMinutes(Math.Max(1, oidc.SessionMinutes));
            o.SlidingExpiration = false;
        });
        authentication.AddOpenIdConnect(OidcScheme, o =>
        {
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = string.IsNullOrWhiteSpace(oidc.ClientSecret) ? null : oidc.ClientSecret;
            o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            o.ResponseType = OpenIdConnectResponseType.Code;
            // In the query: the callback is a top-level GET, so the Lax correlation and nonce cookies come back with it
            // (form_post would need SameSite=None cookies).
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.CallbackPath = CallbackPath;
            o.SignInScheme = CookieScheme;
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("profile");
            foreach (var scope in (oidc.Scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Events = new OpenIdConnectEvents
            {
                OnTokenValidated = context =>
                {
                    var (principal, error) = PrincipalOf(context.Principal, oidc);
                    if (error is not null) context.Fail(error);
                    else context.Principal = principal;
                    return Task.CompletedTask;
                },
                OnTicketReceived = async context =>
                {
                    var user = context.Principal;
                    if (user is null) return;
                    var role = user.FindFirst(ApiKeyAuthenticationHandler.RoleClaim)?.Value;
                    await AuditAsync(context.HttpContext, user.Identity?.Name ?? "unknown", role, SignedInAction, Method,
                        StatusCodes.Status302Found, TenantPrincipals.TenantOf(user)).ConfigureAwait(false);
                },
                OnRemoteFailure = async context =>
                {
                    var reason = Readable(context.Failure?.Message);
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DocFlow.SignIn")
                        .LogInformation("Single sign-on failed: {Reason}", reason);
                    await AuditAsync(context.HttpContext, "anonymous", null, AuditMiddleware.SignInFailed, Method,
                        StatusCodes.Status401Unauthorized, Tenants.Default).ConfigureAwait(false);
                    context.Response.Redirect("/?signin-error=" + Uri.EscapeDataString(Shorten(reason)));
                    context.HandleResponse();
                },
            };
        });
    }

    /// <summary>The DocFlow principal of a validated ID token: its name, its strongest known role (required), its tenant
    /// (default when absent; a malformed one fails) and the method <c>oidc</c>.</summary>
    internal static (ClaimsPrincipal? Principal, string? Error) PrincipalOf(ClaimsPrincipal? token, OidcOptions oidc)
    {
        if (token is null) return (null, "The identity provider sent no ID token.");
        var roles = token.FindAll(oidc.RoleClaim)
            .SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(Roles.IsKnown).ToHashSet(StringComparer.Ordinal);
        var role = Roles.All.FirstOrDefault(roles.Contains);
        if (role is null)
            return (null, $"Your account has no DocFlow role: the ID token's claim '{oidc.RoleClaim}' holds none of {string.Join(", ", Roles.All)}. Ask an administrator.");
        var tenant = token.FindFirst(oidc.TenantClaim)?.Value ?? Tenants.Default;
        if (!Tenants.IsValid(tenant)) return (null, $"The ID token's tenant claim '{oidc.TenantClaim}' is not a tenant id.");
        var name = token.FindFirst(oidc.NameClaim)?.Value ?? token.FindFirst("sub")?.Value ?? "unknown";
        List<Claim> claims =
        [
            new(ClaimTypes.Name, name), new(ApiKeyAuthenticationHandler.RoleClaim, role), new("docflow:method", Method),
            new(Tenants.ClaimType, tenant),
        ];
        return (new ClaimsPrincipal(new ClaimsIdentity(claims, Method, ClaimTypes.Name, ApiKeyAuthenticationHandler.RoleClaim)), null);
    }

    private static async ValueTask AuditAsync(HttpContext http, string principal, string? role, string action, string target, int outcome, string tenant)
    {
        var log = http.RequestServices.GetRequiredService<IAuditLog>();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var entry = new AuditEvent(time.GetUtcNow(), principal, role, action, target, outcome, http.Connection.RemoteIpAddress?.ToString(), http.TraceIdentifier)
        {
            Tenant = tenant,
        };
        await BufferedAuditLog.HandOverAsync(log, entry).ConfigureAwait(false);
    }

    /// <summary>The provider's refusal as a person reads it: "Message contains error: 'access_denied', error_description:
    /// 'The user declined.', …" becomes "The identity provider refused the sign-in: The user declined. (access_denied)".</summary>
    internal static string Readable(string? failure)
    {
        if (string.IsNullOrWhiteSpace(failure)) return "The identity provider did not sign you in.";
        var m = System.Text.RegularExpressions.Regex.Match(failure, @"error: '([^']*)'(?:, error_description: '([^']*)')?");
        if (!m.Success) return failure;
        var description = m.Groups[2].Success && m.Groups[2].Value.Length > 0 && m.Groups[2].Value != "error_description is null" ? m.Groups[2].Value + " " : "";
        return $"The identity provider refused the sign-in: {description}({m.Groups[1].Value}).";
    }

    private static string Shorten(string reason) => reason.Length <= 300 ? reason : reason[..300] + "…";

    /// <summary>The answer of <c>GET /auth/providers</c>: whether the dashboard offers single sign-on, and its name.</summary>
    public sealed record ProvidersDto(bool Oidc, string? DisplayName);

    public static IEndpointRouteBuilder MapSignInApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").WithTags("Sign-in");
        auth.MapGet("/providers", (AuthMode mode, IOptions<AuthOptions> options) =>
                TypedResults.Ok(new ProvidersDto(mode.Oidc, mode.Oidc ? options.Value.Oidc.DisplayName : null)))
            .AllowAnonymous().WithSummary("How the dashboard may sign in: single sign-on (OIDC) or not, and its name.");
        auth.MapGet("/sign-in", SignIn).AllowAnonymous()
            .WithSummary("Starts single sign-on at the identity provider; back at returnUrl (a path on this server) when done.");
        auth.MapPost("/sign-out", SignOutAsync).RequireAuthorization(Policies.SignedIn)
            .WithSummary("Ends the dashboard's single sign-on session (the identity provider's own session stays).");
        return app;
    }

    internal static IResult SignIn(string? returnUrl, AuthMode mode)
    {
        if (!mode.Oidc)
            return Api.Problems.NotFound("Single sign-on is not configured on this server (Auth:Oidc:Authority and Auth:Oidc:ClientId); sign in with an API key.");
        return Results.Challenge(new AuthenticationProperties { RedirectUri = IsLocalPath(returnUrl) ? returnUrl : "/" }, [OidcScheme]);
    }

    internal static async Task<IResult> SignOutAsync(HttpContext context, AuthMode mode)
    {
        if (mode.Oidc) await context.SignOutAsync(CookieScheme).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>A path on this server (<c>/…</c>, not <c>//host</c> or <c>/\host</c>): no open redirect after sign-in.</summary>
    internal static bool IsLocalPath(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("://", StringComparison.Ordinal)
        && !url.Any(char.IsControl);
}
