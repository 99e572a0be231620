using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Primitives;

namespace DocFlow.Server.Api;

/// <summary>
/// Safe defaults of the HTTP API (docs/security.md, "Hardening"), in the order requests meet them:
/// <list type="number">
/// <item>forwarded client addresses (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>) believed only from
/// <c>ForwardedHeaders:KnownProxies</c> / <c>ForwardedHeaders:KnownNetworks</c> (none by default);</item>
/// <item>security headers on every response, a strict Content-Security-Policy on the dashboard, HSTS on HTTPS;</item>
/// <item>allowed hosts: the <c>Host</c> header must be a loopback name or one of <c>AllowedHosts</c>, else 400
/// (DNS rebinding);</item>
/// <item>CORS only when <c>Cors:AllowedOrigins</c> is configured;</item>
/// <item>Origin check: a state-changing request (POST, PUT, PATCH, DELETE) from a browser page of another origin gets 403.</item>
/// </list>
/// Refusals are audited (<see cref="Security.RefusalAudit"/>, action <c>request.refused</c>), throttled per client and reason.
/// </summary>
public static class Hardening
{
    /// <summary>Always allowed as the Host header: the names a loopback-bound server is reached by.</summary>
    public static readonly IReadOnlyList<string> LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>The dashboard's policy: nothing inline, nothing from elsewhere, never framed.</summary>
    public const string StrictContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The API reference page (Scalar) configures itself with an inline script and inline styles, so it gets
    /// a looser policy than the dashboard; it is still never framed and talks only to this server.</summary>
    public const string ApiReferenceContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public const string CorsPolicyName = "configured-origins";

    /// <summary>Strict-Transport-Security on HTTPS responses: one year, this host only (subdomains may not serve DocFlow).</summary>
    public const string HstsValue = "max-age=31536000";

    /// <summary>A list setting: a JSON array (<c>Key:0</c>, <c>Key:1</c>, …) or one string separated by <c>;</c> or <c>,</c>
    /// (<c>--allowed-hosts a;b</c>, <c>DOCFLOW__AllowedHosts=a;b</c>).</summary>
    public static IReadOnlyList<string> ReadList(IConfiguration configuration, string key)
    {
        var values = new List<string>();
        if (configuration[key] is { } single) values.Add(single);
        values.AddRange(configuration.GetSection(key).GetChildren().Select(c => c.Value).OfType<string>());
        return [.. values.SelectMany(v => v.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Services of the controls: forwarded-header trust, CORS when configured, and the framework's own host
    /// filter told to let everything through (it would otherwise read <c>AllowedHosts</c> without the loopback names;
    /// <see cref="UseDocFlowHardening"/> checks hosts itself and answers with problem details).</summary>
    public static IHostApplicationBuilder AddDocFlowHardening(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.Configure<HostFilteringOptions>(o => o.AllowedHosts = ["*"]);
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            // X-Forwarded-Host is never taken: the Host header is what the allowed-hosts check judges.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in ReadList(configuration, "ForwardedHeaders:KnownProxies"))
                o.KnownProxies.Add(IPAddress.TryParse(proxy, out var ip) ? ip
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
            foreach (var network in ReadList(configuration, "ForwardedHeaders:KnownNetworks"))
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var n) ? n
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{network}' is not a network (CIDR, e.g. 10.0.0.0/8)."));
            // Several trusted proxies in a row (load balancer, then ingress): walk back through all of them.
            o.ForwardLimit = null;
        });
        var origins = ReadList(configuration, "Cors:AllowedOrigins");
        if (origins.Count > 0)
            builder.Services.AddCors(o => o.AddPolicy(CorsPolicyName, p => p.WithOrigins([.. origins]).AllowAnyHeader().AllowAnyMethod()
                .WithExposedHeaders("Location", "Retry-After")));
        return builder;
    }

    /// <summary>The middleware, first in the pipeline (before the exception handler, so rejected requests cost nothing).</summary>
    public static WebApplication UseDocFlowHardening(this WebApplication app)
    {
        var configuration = app.Configuration;
        if (ReadList(configuration, "ForwardedHeaders:KnownProxies").Count + ReadList(configuration, "ForwardedHeaders:KnownNetworks").Count > 0)
            app.UseForwardedHeaders();
        app.Use(SecurityHeaders);
        var hosts = AllowedHosts(configuration);
        if (hosts is not null)
            app.Use((context, next) => HostString.MatchesAny(context.Request.Host.Host, hosts) || context.Request.Host.Host.Length == 0
                ? next(context)
                : Reject(context, Security.RefusalAudit.Reasons.HostNotAllowed, StatusCodes.Status400BadRequest, "Host not allowed",
                    $"This server does not answer to the host '{context.Request.Host.Host}'. Add it to AllowedHosts (--allowed-hosts, DOCFLOW__AllowedHosts) to reach the server by that name."));
        var origins = ReadList(configuration, "Cors:AllowedOrigins").Select(NormaliseOrigin).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (origins.Count > 0) app.UseCors(CorsPolicyName);
        app.Use((context, next) =>
        {
            if (!IsStateChanging(context.Request.Method)) return next(context);
            var (origin, header) = RequestOrigin(context.Request);
            return origin is null || IsSameOrigin(origin, context.Request.Host) || (NormaliseOrigin(origin) is { } o && origins.Contains(o))
                ? next(context)
                : Reject(context, Security.RefusalAudit.Reasons.ForeignOrigin, StatusCodes.Status403Forbidden, "Cross-origin request refused",
                    $"A {context.Request.Method} from a page of another origin ({header}: {origin}) is refused. Add the origin to Cors:AllowedOrigins if it may change data here.");
        });
        return app;
    }

    /// <summary>The allowed Host patterns (loopback names plus <c>AllowedHosts</c>, wildcards such as <c>*.example.com</c>
    /// allowed), or null when <c>AllowedHosts</c> is <c>*</c> (every host, e.g. behind a proxy that checks).</summary>
    internal static List<StringSegment>? AllowedHosts(IConfiguration configuration)
    {
        var configured = ReadList(configuration, "AllowedHosts");
        if (configured.Contains("*")) return null;
        return [.. LoopbackHosts.Concat(configured).Select(h => new StringSegment(h))];
    }

    internal static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>The request's Origin, or the origin of its Referer when it has no Origin; null when neither is sent
    /// (command-line clients, server-to-server calls).</summary>
    internal static (string? Origin, string Header) RequestOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0) return (origin, "Origin");
        var referer = request.Headers.Referer.ToString();
        if (referer.Length == 0) return (null, "");
        return (Uri.TryCreate(referer, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : referer, "Referer");
    }

    /// <summary>Same origin as the server: the host and port the browser addressed (its Host header). The scheme is not
    /// compared, because TLS is often ended by a proxy in front (the browser's https origin reaches DocFlow over http).</summary>
    internal static bool IsSameOrigin(string origin, HostString host)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !host.HasValue) return false;
        var port = host.Port ?? uri.Port; // a Host header without a port carries the default port of the scheme used
        return string.Equals(uri.Host.Trim('[', ']'), host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            && uri.Port == port;
    }

    /// <summary><c>scheme://host[:port]</c> in lower case without a default port, or null when it is not an http(s) origin.</summary>
    internal static string? NormaliseOrigin(string origin) =>
        Uri.TryCreate(origin.TrimEnd('/'), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath is "/" or ""
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;

    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        var csp = path.StartsWithSegments("/api-reference") || path.StartsWithSegments("/scalar")
            ? ApiReferenceContentSecurityPolicy
            : StrictContentSecurityPolicy;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = csp;
            // HSTS on every HTTPS response (Kestrel's own TLS, or a trusted proxy's X-Forwarded-Proto: https): browsers
            // then refuse plain HTTP to this host for a year. Never on HTTP, where it would mean nothing (RFC 6797 §7.2).
            if (context.Request.IsHttps) headers.StrictTransportSecurity = HstsValue;
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>The refusal as problem details, and its audit entry (<see cref="Security.RefusalAudit"/>: at most one per
    /// client, reason and minute, the rest counted).</summary>
    private static async Task Reject(HttpContext context, string reason, int status, string title, string detail)
    {
        await context.RequestServices.GetRequiredService<Security.RefusalAudit>().RecordAsync(context, reason, status);
        await Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);
    }
}
