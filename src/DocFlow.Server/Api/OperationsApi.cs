using DocFlow.Blobs;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace DocFlow.Server.Api;

/// <summary>Queues, dead letters and health.</summary>
public static class OperationsApi
{
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/queues", QueuesAsync).WithTags("Queues").WithSummary("Depth, in-flight and oldest age per route and priority.");
        var dead = app.MapGroup("/api/v1/dead-letters").WithTags("Dead letters");
        dead.MapGet("/", ListDeadLettersAsync).WithSummary("Jobs that kept failing, with the reason.");
        dead.MapPost("/{id}/requeue", RequeueAsync).WithSummary("Put a dead-lettered job back on its queue.");
        dead.MapDelete("/{id}", PurgeAsync).WithSummary("Delete a dead letter for good.");
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" })).WithTags("Health").WithSummary("The process is alive.");
        app.MapGet("/readyz", ReadyAsync).WithTags("Health").WithSummary("Database, queue and storage reachable; names what is degraded.");
        return app;
    }

    internal static async Task<Ok<QueuesDto>> QueuesAsync(IJobQueue queue, CancellationToken ct)
    {
        var s = await queue.GetStatisticsAsync(ct);
        return TypedResults.Ok(new QueuesDto(
            [.. s.Lanes.Select(l => new LaneDto(l.Route.ToWireName(), l.Priority.ToWireName(), l.Depth, l.InFlight, l.OldestAge.TotalSeconds))],
            s.TotalDepth, s.TotalInFlight, s.Delayed, s.DeadLetters));
    }

    public sealed record DeadLetterDto(string JobId, string Route, string Priority, string? FileName, string? BatchId, int Attempt, string Reason, DateTimeOffset At);

    internal static async Task<Ok<List<DeadLetterDto>>> ListDeadLettersAsync(IDeadLetterStore dead, CancellationToken ct, int max = 100)
    {
        var letters = await dead.ListDeadLettersAsync(Math.Clamp(max, 1, 1000), ct);
        return TypedResults.Ok(letters.Select(d => new DeadLetterDto(d.Ticket.JobId, d.Ticket.Route.ToWireName(), d.Ticket.Priority.ToWireName(),
            d.Ticket.FileName, d.Ticket.BatchId, d.Ticket.Attempt, d.Reason, d.At)).ToList());
    }

    internal static async Task<IResult> RequeueAsync(string id, IDeadLetterStore dead, IJobIntakeStore store, CancellationToken ct)
    {
        // The job goes back to queued before its ticket does, so a fast worker finds it ready to take.
        await store.RequeueFailedAsync(id, ct).ConfigureAwait(false);
        return await dead.RequeueDeadLetterAsync(id, ct)
            ? TypedResults.Accepted($"/api/v1/documents/{id}")
            : Problems.NotFound($"No dead letter for job '{id}'.");
    }

    internal static async Task<IResult> PurgeAsync(string id, IDeadLetterStore dead, CancellationToken ct) =>
        await dead.PurgeDeadLetterAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"No dead letter for job '{id}'.");

    internal static async Task<IResult> ReadyAsync(IJobMonitoringStore store, IJobQueue queue, IBlobStore blobs, Ingest.QueueHandoff handoff, CancellationToken ct)
    {
        var checks = new Dictionary<string, string>();
        await Check("database", () => store.PingAsync(ct));
        await Check("queue", async () => await queue.GetStatisticsAsync(ct));
        await Check("storage", () => blobs.ExistsAsync(new string('0', 64), ct));
        if (handoff.Held > 0) checks["handoff"] = $"{handoff.Held} accepted uploads held until the queue answers again";
        var degraded = checks.Where(c => c.Value != "ok").Select(c => c.Key).ToList();
        // Without the database or blob storage nothing can be accepted: not ready (503). Without the queue uploads
        // are still accepted and held (QueueHandoff), so the instance stays in service, marked degraded.
        var unavailable = degraded.Any(d => d is "database" or "storage");
        var body = new { status = degraded.Count == 0 ? "ready" : unavailable ? "unavailable" : "degraded", degraded, checks };
        return unavailable ? TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable) : TypedResults.Ok(body);

        async Task Check(string name, Func<Task> probe)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await probe().WaitAsync(timeout.Token);
                checks[name] = "ok";
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                checks[name] = ex.Message;
            }
        }
    }
}
