using System.Text.Json;
using DocFlow.Blobs;
using DocFlow.Queueing;
using DocFlow.Server.Ingest;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using DocFlow.Server.Security;

namespace DocFlow.Server.Api;

/// <summary>
/// <c>/healthz</c> (liveness) and <c>/readyz</c> (readiness) as ASP.NET Core health checks. Liveness runs no check
/// (the process answers HTTP). Readiness, the checks tagged <see cref="Ready"/>: <c>database</c>
/// (<see cref="IJobMonitoringStore.PingAsync"/>) and <c>storage</c> are <see cref="HealthStatus.Unhealthy"/> when they fail
/// (503: nothing can be accepted); <c>queue</c> (Redis when distributed) and <c>handoff</c> (uploads held for it)
/// only <see cref="HealthStatus.Degraded"/> (200: uploads are accepted and held by <see cref="QueueHandoff"/>).
/// </summary>
public static class HealthChecks
{
    /// <summary>Tag of the readiness checks.</summary>
    public const string Ready = "ready";

    /// <summary>Each probe gets this long before it counts as failed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static IHealthChecksBuilder AddDocFlowHealthChecks(this IServiceCollection services) => services.AddHealthChecks()
        .AddCheck<DatabaseCheck>("database", HealthStatus.Unhealthy, [Ready], Timeout)
        .AddCheck<QueueCheck>("queue", HealthStatus.Degraded, [Ready], Timeout)
        .AddCheck<StorageCheck>("storage", HealthStatus.Unhealthy, [Ready], Timeout)
        .AddCheck<HandoffCheck>("handoff", HealthStatus.Degraded, [Ready], Timeout);

    public static IEndpointRouteBuilder MapDocFlowHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteLivenessAsync })
            .WithTags("Health").WithSummary("The process is alive.").AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(Ready), ResponseWriter = WriteReadinessAsync })
            .WithTags("Health").WithSummary("Database, queue and storage reachable; names what is degraded; the auth mode.").AllowAnonymous();
        return app;
    }

    private static Task WriteLivenessAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new { status = "alive" }, JsonSerializerOptions.Web, context.RequestAborted);

    /// <summary><c>{"status": "ready|degraded|unavailable", "degraded": [names], "checks": {name: "ok" | what is wrong}}</c>.</summary>
    internal static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy ? "ok" : e.Value.Description ?? e.Value.Status.ToString());
        var mode = context.RequestServices.GetService<AuthMode>();
        var body = new ReadinessDto(
            report.Status switch { HealthStatus.Healthy => "ready", HealthStatus.Degraded => "degraded", _ => "unavailable" },
            [.. report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key)],
            checks, mode?.Name ?? "loopback", mode?.Insecure ?? false);
        return context.Response.WriteAsJsonAsync(body, JsonSerializerOptions.Web, context.RequestAborted);
    }

    /// <param name="Auth">required | loopback | insecure (<see cref="AuthMode.Name"/>).</param>
    /// <param name="Insecure">True when serving beyond loopback without authentication (<c>--insecure</c>).</param>
    public sealed record ReadinessDto(string Status, IReadOnlyList<string> Degraded, IReadOnlyDictionary<string, string> Checks, string Auth, bool Insecure);

    // A probe that ignores its token still ends at the check's timeout (WaitAsync); a throw is the check's failure status
    // with the exception's message as description.
    private sealed class DatabaseCheck(IJobMonitoringStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await store.PingAsync(cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
    }

    private sealed class QueueCheck(IJobQueue queue) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await queue.GetStatisticsAsync(cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
    }

    private sealed class StorageCheck(IBlobStore blobs) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await blobs.ExistsAsync(new string('0', 64), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
    }

    private sealed class HandoffCheck(QueueHandoff handoff) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(handoff.Held > 0
                ? new HealthCheckResult(context.Registration.FailureStatus, $"{handoff.Held} accepted uploads held until the queue answers again")
                : HealthCheckResult.Healthy());
    }
}
