using System.Net;

namespace DocFlow.Server.Security;

/// <summary>Configuration section <c>Auth</c> (<c>DOCFLOW__Auth__…</c>): who may call the API. See docs/security.md.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Whether every request needs a key or a token. Unset (the default): required unless every listen
    /// address is loopback. Tests set it to run the required mode on a loopback port.</summary>
    public bool? Required { get; set; }

    /// <summary><c>--insecure</c>: serve without keys on a non-loopback address (said on the dashboard and in /readyz).</summary>
    public bool Insecure { get; set; }

    /// <summary>SHA-256 (hex) of a bootstrap admin key that is not in the database, from a secret
    /// (<c>DOCFLOW__Auth__BootstrapKeyHash</c>): lets a fresh deployment start and create its keys.</summary>
    public string? BootstrapKeyHash { get; set; }

    /// <summary>Seconds a found, active API key is remembered between database reads (default 5; 0: read on every
    /// request). A key revoked through this server's API fails at once, one revoked elsewhere within this time.</summary>
    public double KeyCacheSeconds { get; set; } = 5;

    /// <summary>OIDC/JWT bearer tokens; off unless <see cref="JwtOptions.Authority"/> or <see cref="JwtOptions.SigningKey"/> is set.</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>The dashboard's single sign-on (OpenID Connect authorization code flow with PKCE, a session cookie);
    /// off unless <see cref="OidcOptions.Authority"/> and <see cref="OidcOptions.ClientId"/> are set.</summary>
    public OidcOptions Oidc { get; set; } = new();
}

/// <summary><c>Auth:Oidc</c>: signing in to the dashboard at an identity provider (authorization code + PKCE). The server
/// is the OIDC client: it exchanges the code, validates the ID token and keeps the principal (name, role, tenant; never
/// the tokens) in an encrypted, HttpOnly session cookie. API clients keep using keys or bearer tokens.</summary>
public sealed class OidcOptions
{
    /// <summary>The identity provider (its <c>/.well-known/openid-configuration</c> gives the endpoints and keys).</summary>
    public string? Authority { get; set; }

    /// <summary>This server's client id at the identity provider (the ID token's audience).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret (confidential client); unset for a public client (PKCE only).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Scopes beyond <c>openid profile</c>, space-separated (e.g. one that adds the role and tenant claims).</summary>
    public string? Scopes { get; set; }

    /// <summary>What the sign-in button says: "Sign in with {DisplayName}". Default <c>single sign-on</c>.</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary>The ID token claim with the DocFlow role (several values: the strongest counts). Default <c>role</c>.</summary>
    public string RoleClaim { get; set; } = "role";

    /// <summary>The ID token claim with the tenant; absent: <c>default</c>. Default <c>tenant</c>.</summary>
    public string TenantClaim { get; set; } = "tenant";

    /// <summary>The ID token claim that names the person. Default <c>email</c>, else <c>sub</c>.</summary>
    public string NameClaim { get; set; } = "email";

    /// <summary>Minutes a dashboard session lasts (not renewed by use; then sign in again). Default 60.</summary>
    public double SessionMinutes { get; set; } = 60;

    /// <summary>Whether the authority's metadata must come over HTTPS (default true).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>A folder for the keys that encrypt session cookies, shared by every API replica (a volume or a
    /// mounted secret folder); unset: kept in memory, so a restart signs everyone out and replicas do not share sessions.</summary>
    public string? KeysDirectory { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}

/// <summary><c>Auth:Jwt</c>: tokens from an identity provider (JwtBearer).</summary>
public sealed class JwtOptions
{
    /// <summary>The OIDC authority (its discovery document gives issuer and signing keys).</summary>
    public string? Authority { get; set; }

    /// <summary>The expected <c>iss</c>; with <see cref="Authority"/>, taken from its discovery document when unset.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c> (required).</summary>
    public string? Audience { get; set; }

    /// <summary>A symmetric signing key (HS256), UTF-8 text of at least 32 bytes or <c>base64:…</c>; for identity
    /// providers without discovery, and tests.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The claim that carries the DocFlow role (<c>admin</c>, <c>operator</c>, …). Default <c>role</c>.</summary>
    public string RoleClaim { get; set; } = "role";

    /// <summary>The claim that carries the principal's tenant (<c>^[a-z0-9][a-z0-9-]{0,62}$</c>); a token without it acts
    /// for the tenant <c>default</c>. Default <c>tenant</c>.</summary>
    public string TenantClaim { get; set; } = "tenant";

    /// <summary>The claim that names the principal in logs. Default <c>sub</c>.</summary>
    public string NameClaim { get; set; } = "sub";

    /// <summary>Whether the authority's metadata must come over HTTPS (default true).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKey);
}

/// <summary>How this server authenticates, decided once at start from the listen addresses and <see cref="AuthOptions"/>.</summary>
/// <param name="Required">Every request needs a key or a token (else anonymous requests act as a local admin).</param>
/// <param name="Insecure">Not required although listening beyond loopback (<c>--insecure</c>).</param>
/// <param name="Jwt">OIDC/JWT bearer tokens are accepted.</param>
/// <param name="Oidc">The dashboard signs in at an OIDC identity provider (session cookie).</param>
public sealed record AuthMode(bool Required, bool Insecure, bool Jwt, bool Oidc = false)
{
    /// <summary>What /readyz and the dashboard say: <c>required</c>, <c>loopback</c> (open, loopback only) or <c>insecure</c>.</summary>
    public string Name => Required ? "required" : Insecure ? "insecure" : "loopback";

    public static AuthMode Decide(AuthOptions options, IEnumerable<string> urls)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loopbackOnly = urls.All(IsLoopbackUrl);
        var required = options.Required ?? (!loopbackOnly && !options.Insecure);
        return new AuthMode(required, !required && !loopbackOnly, options.Jwt.Enabled, options.Oidc.Enabled);
    }

    /// <summary>True for <c>localhost</c>, 127.0.0.0/8 and ::1; false for wildcards (<c>*</c>, <c>+</c>, 0.0.0.0, [::]) and any other host.</summary>
    public static bool IsLoopbackUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var u = url.Trim();
        var scheme = u.IndexOf("://", StringComparison.Ordinal);
        var host = scheme < 0 ? u : u[(scheme + 3)..];
        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) host = host[..slash];
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            host = end < 0 ? host : host[1..end];
        }
        else
        {
            var colon = host.LastIndexOf(':');
            if (colon >= 0) host = host[..colon];
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}
