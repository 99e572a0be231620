using System.Globalization;
using System.Security.Claims;
using System.Text;
using DocFlow.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Security;

/// <summary>
/// Records requests in the audit log (<see cref="IAuditLog"/>), in one place for every endpoint: every state-changing
/// request (POST, PUT, PATCH, DELETE) that reached an endpoint, whatever its outcome; every read of content (an endpoint
/// under <see cref="Policies.ReadContent"/>); every 401 (action <c>sign-in-failed</c>). The entry is handed to the
/// <see cref="BufferedAuditLog"/> when the response starts (written in batches off the request path, never dropped,
/// drained at shutdown; reads of the log wait for it). Targets are the route's ids (and the id a 201/202
/// names in Location), never content.
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next, IAuditLog log, TimeProvider time, RefusalAudit refusals, ILogger<AuditMiddleware> logger)
{
    public const string SignInFailed = "sign-in-failed";

    public Task InvokeAsync(HttpContext context)
    {
        // A read of metadata is recorded only if it is refused (401, 429): looked at once it has been answered, without
        // a callback per request (most requests of a busy server are such reads).
        var endpoint = context.GetEndpoint() as RouteEndpoint;
        if (!MayChangeOrReadContent(context.Request.Method, endpoint))
        {
            // No async frame of its own when the rest of the request completes at once (a metadata read from SQLite
            // usually does): the audit's presence then costs a metadata read one status check, not a state machine.
            var answered = next(context);
            return answered.IsCompletedSuccessfully ? RecordIfRefusedAsync(context) : AwaitThenRecordRefusalAsync(answered, context);
        }
        context.Response.OnStarting(static state =>
        {
            var (middleware, ctx) = ((AuditMiddleware, HttpContext))state;
            return middleware.RecordAsync(ctx);
        }, (this, context));
        return next(context);
    }

    private static bool MayChangeOrReadContent(string method, RouteEndpoint? endpoint)
    {
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method)) return true;
        return endpoint is null || AuditedEndpoint.Of(endpoint).ContentRead;
    }

    private static bool IsRefusal(int status) => status is StatusCodes.Status401Unauthorized or StatusCodes.Status429TooManyRequests;

    private Task RecordIfRefusedAsync(HttpContext context) => IsRefusal(context.Response.StatusCode) ? RecordAsync(context) : Task.CompletedTask;

    private async Task AwaitThenRecordRefusalAsync(Task answered, HttpContext context)
    {
        await answered.ConfigureAwait(false);
        if (IsRefusal(context.Response.StatusCode)) await RecordAsync(context).ConfigureAwait(false);
    }

    private async Task RecordAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        // Over a per-client limit (files, bytes, quotas): a refusal, recorded as one entry per client a minute, the rest counted.
        if (status == StatusCodes.Status429TooManyRequests)
        {
            await refusals.RecordAsync(context, RefusalAudit.Reasons.RateLimited, status).ConfigureAwait(false);
            return;
        }
        var endpoint = context.GetEndpoint() as RouteEndpoint;
        var audited = endpoint is null ? null : AuditedEndpoint.Of(endpoint);
        var method = context.Request.Method;
        var changes = HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
        var content = audited is { ContentRead: true };
        var signInFailed = status == StatusCodes.Status401Unauthorized;
        if (!signInFailed && (audited is null || !(changes || content))) return;

        var route = audited?.ActionOf(method) ?? ActionOf(method, context.Request.Path.Value ?? "/");
        var (principal, role) = PrincipalOf(context, signInFailed);
        var target = TargetOf(context, audited);
        var auditEvent = new AuditEvent(time.GetUtcNow(), principal, role, signInFailed ? SignInFailed : route,
            signInFailed ? Join(route, target) : target, status, context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier)
        {
            Tenant = signInFailed ? Tenants.Default : TenantPrincipals.TenantOf(context.User),
        };
        try
        {
            await BufferedAuditLog.HandOverAsync(log, auditEvent).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Audit entry not written: {Action} {Target} by {Principal} ({Outcome})", auditEvent.Action, auditEvent.Target, principal, status);
        }
    }

    /// <summary>"METHOD /route/{pattern}", without a trailing slash.</summary>
    internal static string ActionOf(string method, string pattern)
    {
        if (!pattern.StartsWith('/')) pattern = "/" + pattern;
        if (pattern.Length > 1) pattern = pattern.TrimEnd('/');
        return $"{method} {pattern}";
    }

    private static string? Join(string a, string? b) => b is null ? a : $"{a} {b}";

    private static (string Principal, string? Role) PrincipalOf(HttpContext context, bool signInFailed)
    {
        var user = context.User;
        if (user is DocFlowPrincipal known) return (known.AuditName, known.AuditRole);
        if (user.Identity is ClaimsIdentity { IsAuthenticated: true }) return AuthenticatedFromClaims(user);
        // A failed sign-in names the key it presented (its id, never the key).
        if (signInFailed && ApiKeyAuthenticationHandler.KeyOf(context.Request) is { } key && ApiKeyFormat.TryParse(key, out var id))
            return (Truncate(ApiKeyFormat.Prefix(id), 256), null);
        return ("anonymous", null);
    }

    /// <summary>The principal and role an entry records for an authenticated principal, from its claims.</summary>
    internal static (string Principal, string? Role) AuthenticatedFromClaims(ClaimsPrincipal user)
    {
        if (user.Identity is ClaimsIdentity { IsAuthenticated: true } identity)
        {
            // One pass over the claims, no LINQ: this runs for every audited request (docs/benchmarks.md, "Authentication
            // and audit cost"). A token may carry several roles: the strongest known one is recorded.
            string? keyId = null;
            var strongest = int.MaxValue;
            foreach (var claim in user.Claims)
            {
                if (claim.Type == identity.RoleClaimType)
                {
                    for (var i = 0; i < strongest && i < Roles.All.Count; i++)
                        if (string.Equals(Roles.All[i], claim.Value, StringComparison.Ordinal)) { strongest = i; break; }
                }
                else if (keyId is null && claim.Type == ApiKeyAuthenticationHandler.KeyIdClaim) keyId = claim.Value;
            }
            var name = keyId ?? identity.Name ?? "unknown";
            return (Truncate(name, 256), strongest == int.MaxValue ? null : Roles.All[strongest]);
        }
        return ("anonymous", null);
    }

    private static string? TargetOf(HttpContext context, AuditedEndpoint? endpoint)
    {
        var hasDetails = context.Items.TryGetValue(AuditDetails.Key, out var details) && details is List<(string Name, string Value)>;
        var location = context.Response.Headers.Location.ToString();
        // The common case, a route with one id and nothing else to add (GET …/{id}/result): one string, no builder.
        if (!hasDetails && location.Length == 0 && endpoint is { Parameters.Length: 1 })
        {
            var name = endpoint.Parameters[0];
            if (!context.Request.RouteValues.TryGetValue(name, out var only) || only is null) return null;
            return Truncate(string.Concat(endpoint.Prefixes[0], Convert.ToString(only, CultureInfo.InvariantCulture)), 512);
        }
        var sb = new StringBuilder();
        if (endpoint is not null)
            foreach (var name in endpoint.Parameters)
                if (context.Request.RouteValues.TryGetValue(name, out var value) && value is not null)
                    Append(sb, name, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
        if (hasDetails)
            foreach (var (name, value) in (List<(string Name, string Value)>)details!) Append(sb, name, value);
        if (location.Length > 0) Append(sb, "created", location[(location.TrimEnd('/').LastIndexOf('/') + 1)..].TrimEnd('/'));
        return sb.Length == 0 ? null : Truncate(sb.ToString(), 512);
    }

    private static void Append(StringBuilder sb, string name, string value) => (sb.Length > 0 ? sb.Append(' ') : sb).Append(name).Append('=').Append(value);

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

/// <summary>What the audit needs of an endpoint, worked out once per endpoint instead of on every request: whether it
/// reads content (its policy is <see cref="Policies.ReadContent"/>), its route parameters, and its action per method.</summary>
internal sealed class AuditedEndpoint
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RouteEndpoint, AuditedEndpoint> Known = new();

    private readonly string _pattern;
    private readonly string _getAction;

    private AuditedEndpoint(RouteEndpoint endpoint)
    {
        ContentRead = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Policies.ReadContent);
        Parameters = [.. endpoint.RoutePattern.Parameters.Select(p => p.Name)];
        Prefixes = [.. Parameters.Select(p => p + "=")];
        _pattern = endpoint.RoutePattern.RawText ?? "/";
        _getAction = AuditMiddleware.ActionOf(HttpMethods.Get, _pattern);
    }

    public static AuditedEndpoint Of(RouteEndpoint endpoint) => Known.GetValue(endpoint, static e => new AuditedEndpoint(e));

    /// <summary>The endpoint reads content (result, text, original, page image, report, export): every read is recorded.</summary>
    public bool ContentRead { get; }

    /// <summary>The route's parameter names, in order.</summary>
    public string[] Parameters { get; }

    /// <summary>"name=" for each parameter.</summary>
    public string[] Prefixes { get; }

    /// <summary>"METHOD /route/{pattern}" (<see cref="AuditMiddleware.ActionOf"/>).</summary>
    public string ActionOf(string method) => HttpMethods.IsGet(method) ? _getAction : AuditMiddleware.ActionOf(method, _pattern);
}

/// <summary>What an endpoint adds to its request's audit target, after the route's ids: ids and hashes only (an erasure
/// names the content hashes it removed), never names or content.</summary>
public static class AuditDetails
{
    internal const string Key = "docflow.audit.details";

    public static void Add(HttpContext context, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Items.TryGetValue(Key, out var list) || list is not List<(string, string)> details)
            context.Items[Key] = details = [];
        details.Add((name, value));
    }
}

/// <summary>GET /api/v1/audit: the audit log, newest first, for auditors and admins.</summary>
public static class AuditApi
{
    public const int DefaultLimit = 100;

    public sealed record AuditEntryDto(long Sequence, DateTimeOffset At, string Principal, string? Role, string Action, string? Target, int Outcome,
        string? ClientAddress, string? RequestId, string PreviousHash, string Hash, string Tenant);

    public sealed record AuditPageDto(IReadOnlyList<AuditEntryDto> Items, long? Next);

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", QueryAsync).WithTags("Audit").RequireAuthorization(Policies.Audit)
            .WithSummary("Audit log entries, newest first; filters from, to (ISO 8601), action, principal; page with before=<next> and limit (1-1000).");
        app.MapGet("/api/v1/audit/export.csv", ExportAsync).WithTags("Audit").RequireAuthorization(Policies.Audit)
            .WithSummary("Every audit entry the filters (from, to, action, principal) select, oldest first, as CSV (RFC 4180, formula-safe) with its hashes.");
        return app;
    }

    /// <summary>Entries in one export at most; a wider period is exported in parts (from/to).</summary>
    internal const int ExportLimit = 100_000;

    internal static async Task<IResult> ExportAsync(IAuditLog log, ClaimsPrincipal user, DateTimeOffset? from, DateTimeOffset? to, string? action, string? principal,
        CancellationToken ct)
    {
        var tenant = TenantFilterOf(user);
        // Newest first, page by page; written oldest first so the file reads as the chain does.
        var all = new List<AuditEntry>();
        long? before = null;
        while (all.Count < ExportLimit)
        {
            var page = await log.QueryAsync(new AuditQuery(from, to, action, principal, before, 1000) { Tenant = tenant }, ct);
            all.AddRange(page);
            if (page.Count < 1000) break;
            before = page[^1].Sequence;
        }
        if (all.Count > ExportLimit)
            return Api.Problems.BadRequest($"More than {ExportLimit:N0} entries match; export a shorter period (from, to).");
        var csv = new System.Text.StringBuilder("sequence,at,principal,role,action,target,outcome,client_address,request_id,previous_hash,hash,tenant\r\n");
        foreach (var e in Enumerable.Reverse(all))
        {
            string[] fields = [e.Sequence.ToString(CultureInfo.InvariantCulture), e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                e.Principal, e.Role ?? "", e.Action, e.Target ?? "", e.Outcome.ToString(CultureInfo.InvariantCulture), e.ClientAddress ?? "",
                e.RequestId ?? "", e.PreviousHash, e.Hash, e.Tenant];
            csv.AppendJoin(',', fields.Select(f => Reports.ResultsExport.Quote(Reports.ResultsExport.Neutralise(f)))).Append("\r\n");
        }
        return Results.Text(csv.ToString(), "text/csv; charset=utf-8");
    }

    /// <summary>An admin reads every tenant's entries; an auditor those of its own tenant.</summary>
    private static string? TenantFilterOf(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) ? null : TenantPrincipals.TenantOf(user);

    internal static async Task<IResult> QueryAsync(IAuditLog log, ClaimsPrincipal user, DateTimeOffset? from, DateTimeOffset? to, string? action, string? principal,
        long? before, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 1000) return Api.Problems.BadRequest("limit is 1 to 1000.");
        var take = limit ?? DefaultLimit;
        var entries = await log.QueryAsync(new AuditQuery(from, to, action, principal, before, take) { Tenant = TenantFilterOf(user) }, ct);
        var items = entries.Select(e => new AuditEntryDto(e.Sequence, e.At, e.Principal, e.Role, e.Action, e.Target, e.Outcome, e.ClientAddress,
            e.RequestId, e.PreviousHash, e.Hash, e.Tenant)).ToList();
        return TypedResults.Ok(new AuditPageDto(items, items.Count == take ? items[^1].Sequence : null));
    }

    /// <summary>The audit middleware: before authentication, so it sees 401s and 403s as well as the endpoints' answers.</summary>
    /// <remarks><c>Audit:Enabled=false</c> leaves it out: allowed only where nobody signs in (loopback open mode, or
    /// <c>--insecure</c>), as the baseline of <c>docflow bench api</c>; a server that checks credentials refuses to start
    /// without its audit trail.</remarks>
    public static IApplicationBuilder UseDocFlowAudit(this IApplicationBuilder app)
    {
        if (Enabled(app.ApplicationServices)) return app.UseMiddleware<AuditMiddleware>();
        if (app.ApplicationServices.GetRequiredService<AuthMode>().Required)
            throw new AuthNotConfiguredException("Audit:Enabled=false is allowed only without authentication (a loopback server in open mode): " +
                "a server that checks keys or tokens keeps its audit trail. Remove Audit:Enabled (DOCFLOW__Audit__Enabled) or Auth:Required.");
        return app;
    }

    /// <summary><c>Audit:Enabled</c> (default true).</summary>
    internal static bool Enabled(IServiceProvider services) =>
        services.GetRequiredService<IConfiguration>().GetValue("Audit:Enabled", true);
}
