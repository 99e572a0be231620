using System.Text;
using DocFlow.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace DocFlow.Server.Security;

/// <summary>The authorization policies, one per permission; every endpoint names one (or allows anonymous access,
/// /healthz, /readyz and the API description only). Which role has which permission: <see cref="RolesOf"/>.</summary>
public static class Policies
{
    /// <summary>Upload documents and batches.</summary>
    public const string Upload = "docflow:upload";

    /// <summary>Read document content: results, text, originals, page images, batch reports and exports.</summary>
    public const string ReadContent = "docflow:read-content";

    /// <summary>Read metadata: document and batch records, lists, batch progress.</summary>
    public const string ReadMetadata = "docflow:read-metadata";

    /// <summary>Operate: queues, dead letters (list, requeue, purge), workers, the dashboard overview, metrics.</summary>
    public const string Operate = "docflow:operate";

    /// <summary>Manage API keys.</summary>
    public const string ManageKeys = "docflow:manage-keys";

    /// <summary>Read the audit log.</summary>
    public const string Audit = "docflow:audit";

    /// <summary>Erase documents and batches (<c>DELETE /api/v1/documents/{id}</c>, <c>/batches/{id}</c>).</summary>
    /// <remarks>Admins, and submitters: whoever may upload a document may take it back. A submitter reaches only its
    /// own tenant's documents (another tenant's id is 404 like every read).</remarks>
    public const string Erase = "docflow:erase";

    /// <summary>Place and lift legal holds on documents and batches.</summary>
    public const string LegalHold = "docflow:legal-hold";

    /// <summary>Any principal with a known role (who am I).</summary>
    public const string SignedIn = "docflow:signed-in";

    /// <summary>The roles that hold each permission (DESIGN.md §7).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [Upload] = [Roles.Admin, Roles.Submitter],
        [ReadContent] = [Roles.Admin, Roles.Submitter, Roles.Reader],
        [ReadMetadata] = [Roles.Admin, Roles.Operator, Roles.Submitter, Roles.Reader],
        [Operate] = [Roles.Admin, Roles.Operator],
        [ManageKeys] = [Roles.Admin],
        [Audit] = [Roles.Admin, Roles.Auditor],
        [Erase] = [Roles.Admin, Roles.Submitter],
        [LegalHold] = [Roles.Admin],
        [SignedIn] = [.. Roles.All],
    };
}

public static class SecurityExtensions
{
    /// <summary>The policy scheme that picks API key or JWT per request.</summary>
    public const string Scheme = "DocFlow";

    /// <summary>Authentication (API keys, and JwtBearer when <c>Auth:Jwt</c> is configured), the policies and the
    /// start-up check that refuses a server beyond loopback with nothing to authenticate against.</summary>
    public static IHostApplicationBuilder AddDocFlowAuth(this IHostApplicationBuilder builder, IEnumerable<string> urls)
    {
        var services = builder.Services;
        var options = builder.Configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName);
        var mode = AuthMode.Decide(options, urls);
        services.AddSingleton(mode);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<KeyUseTracker>();
        services.TryAddSingleton<VerifiedKeys>();
        services.TryAddSingleton<KeyPrincipals>();
        // Every request reads its key and most leave an audit entry: both go through the server's own front of the store.
        Decorate<IApiKeyStore>(services, (sp, inner) => new CachingApiKeyStore(inner, sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(Math.Max(0, options.KeyCacheSeconds))));
        var store = Original<IAuditLog>(services);
        services.AddSingleton(sp => new BufferedAuditLog(store(sp), sp.GetRequiredService<ILogger<BufferedAuditLog>>()));
        services.Replace(ServiceDescriptor.Singleton<IAuditLog>(sp => sp.GetRequiredService<BufferedAuditLog>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<BufferedAuditLog>());
        services.TryAddSingleton<RefusalAudit>();

        var authentication = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key or bearer token", o =>
            {
                o.ForwardDefaultSelector = context => SchemeOf(context.Request, mode);
                // One shape for every 401 and 403: the key handler's problem details.
                o.ForwardChallenge = ApiKeyAuthenticationHandler.SchemeName;
                o.ForwardForbid = ApiKeyAuthenticationHandler.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (mode.Jwt) authentication.AddJwtBearer(o => ConfigureJwt(o, options.Jwt));
        if (mode.Oidc) OidcSignIn.Add(authentication, options.Oidc);

        services.AddAuthorizationBuilder().AddDocFlowPolicies();
        // First of all hosted services, so that a refused start begins nothing (no workers, no hand-off).
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, AuthStartupCheck>());
        return builder;
    }

    /// <summary>Which handler reads a request's credentials: an API key (header or <c>Bearer dfk_…</c>), else a bearer
    /// token (JWT), else the dashboard's session cookie (single sign-on), else the key handler (401, or the local admin
    /// of an open loopback server).</summary>
    internal static string SchemeOf(HttpRequest request, AuthMode mode)
    {
        if (ApiKeyAuthenticationHandler.KeyOf(request) is not null) return ApiKeyAuthenticationHandler.SchemeName;
        var authorization = request.Headers.Authorization.ToString();
        if (mode.Jwt && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return JwtBearerDefaults.AuthenticationScheme;
        if (mode.Oidc && authorization.Length == 0 && request.Cookies.ContainsKey(OidcSignIn.CookieName)) return OidcSignIn.CookieScheme;
        return ApiKeyAuthenticationHandler.SchemeName;
    }

    /// <summary>Replaces the registration of <typeparamref name="T"/> with <paramref name="wrap"/> around what it made.</summary>
    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap) where T : class
    {
        var original = Original<T>(services);
        services.Replace(ServiceDescriptor.Singleton<T>(sp => wrap(sp, original(sp))));
    }

    /// <summary>How the registration of <typeparamref name="T"/> made so far makes one (before it is replaced).</summary>
    private static Func<IServiceProvider, T> Original<T>(IServiceCollection services) where T : class
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(T))
                       ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered (AddDocFlowCore comes first).");
        return original switch
        {
            { ImplementationInstance: T instance } => _ => instance,
            { ImplementationFactory: { } factory } => sp => (T)factory(sp),
            { ImplementationType: { } type } => sp => (T)ActivatorUtilities.CreateInstance(sp, type),
            _ => throw new InvalidOperationException($"Cannot decorate {typeof(T).Name}."),
        };
    }

    private static AuthorizationBuilder AddDocFlowPolicies(this AuthorizationBuilder builder)
    {
        foreach (var (policy, roles) in Policies.RolesOf)
            builder.AddPolicy(policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireRole(roles));
        return builder;
    }

    private static void ConfigureJwt(JwtBearerOptions o, JwtOptions jwt)
    {
        if (string.IsNullOrWhiteSpace(jwt.Audience))
            throw new InvalidOperationException("Auth:Jwt:Audience is required when Auth:Jwt:Authority or Auth:Jwt:SigningKey is set.");
        o.MapInboundClaims = false;
        o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        if (!string.IsNullOrWhiteSpace(jwt.Authority)) o.Authority = jwt.Authority;
        o.Audience = jwt.Audience;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = !string.IsNullOrWhiteSpace(jwt.Issuer) || !string.IsNullOrWhiteSpace(jwt.Authority),
            ValidIssuer = string.IsNullOrWhiteSpace(jwt.Issuer) ? null : jwt.Issuer,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(1),
            RoleClaimType = jwt.RoleClaim,
            NameClaimType = jwt.NameClaim,
        };
        // The tenant comes in the configured claim (Auth:Jwt:TenantClaim); it becomes the DocFlow tenant claim, default
        // when absent. A malformed tenant id fails the token rather than falling back to another tenant.
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (context.Principal?.Identity is not System.Security.Claims.ClaimsIdentity identity) return Task.CompletedTask;
                var tenant = identity.FindFirst(jwt.TenantClaim)?.Value ?? Tenants.Default;
                if (!Tenants.IsValid(tenant))
                {
                    context.Fail($"The token's tenant claim '{jwt.TenantClaim}' is not a tenant id.");
                    return Task.CompletedTask;
                }
                if (!string.Equals(jwt.TenantClaim, Tenants.ClaimType, StringComparison.Ordinal))
                {
                    foreach (var c in identity.FindAll(Tenants.ClaimType).ToList()) identity.RemoveClaim(c);
                    identity.AddClaim(new System.Security.Claims.Claim(Tenants.ClaimType, tenant));
                }
                return Task.CompletedTask;
            },
        };
        if (!string.IsNullOrWhiteSpace(jwt.SigningKey))
        {
            var bytes = jwt.SigningKey.StartsWith("base64:", StringComparison.Ordinal)
                ? Convert.FromBase64String(jwt.SigningKey["base64:".Length..])
                : Encoding.UTF8.GetBytes(jwt.SigningKey);
            if (bytes.Length < 32) throw new InvalidOperationException("Auth:Jwt:SigningKey must be at least 32 bytes (256 bits).");
            o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(bytes);
            o.TokenValidationParameters.ValidateIssuerSigningKey = true;
        }
    }

    /// <summary>Authentication and authorization after the static files (the dashboard's page itself is public; the
    /// data it shows is not).</summary>
    public static IApplicationBuilder UseDocFlowAuth(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        // After authorization: the endpoint runs in the caller's tenant scope, which the job store applies to every read.
        app.UseMiddleware<TenantScopeMiddleware>();
        return app;
    }
}

/// <summary>Refuses to start a server that listens beyond loopback (so requires credentials) but has nothing to check
/// them against: no active key in the database, no bootstrap key hash and no OIDC/JWT configuration.</summary>
internal sealed class AuthStartupCheck(AuthMode mode, IOptions<AuthOptions> options, IApiKeyStore keys, ILogger<AuthStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (mode.Insecure)
        {
            logger.LogWarning("INSECURE: serving without authentication on a non-loopback address (--insecure). Anyone who can reach this port can read and change everything.");
            return;
        }
        // Auth:Required=true given explicitly (tests, a loopback server closed on purpose): the server starts closed
        // and opens to keys as they are created (`docflow keys create` needs only the database).
        if (!mode.Required || options.Value.Required == true || mode.Jwt || mode.Oidc || !string.IsNullOrWhiteSpace(options.Value.BootstrapKeyHash)) return;
        if (await HasActiveKeyAsync(cancellationToken).ConfigureAwait(false)) return;
        throw new AuthNotConfiguredException(
            "This server listens beyond loopback and has no API key or OIDC configured, so anyone could use it. " +
            "Create an admin key first (`docflow keys create --role admin`, with the same --database), or set " +
            "DOCFLOW__Auth__BootstrapKeyHash, or configure Auth:Jwt; or pass --insecure to serve without authentication. See docs/security.md.");
    }

    private async Task<bool> HasActiveKeyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await keys.AnyActiveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DocFlow.Storage.StoreUnavailableException e)
        {
            // The database is down: keys cannot be checked now, nor later; requests get 503 until it is back.
            logger.LogWarning("Cannot check for API keys at start ({Reason}); starting, requests need a key.", e.Message);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Runs before migrations: a new database has no api_keys table yet, hence no key.
            logger.LogDebug(e, "No api_keys table yet");
            return false;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The server would be open to the network; it does not start.</summary>
public sealed class AuthNotConfiguredException(string message) : Exception(message);
