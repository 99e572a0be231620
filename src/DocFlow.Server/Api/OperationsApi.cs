using DocFlow.Queueing;
using DocFlow.Server.Security;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace DocFlow.Server.Api;

/// <summary>Queues and dead letters (health: <see cref="HealthChecks"/>).</summary>
public static class OperationsApi
{
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/queues", QueuesAsync).RequireAuthorization(Policies.Operate).WithTags("Queues").WithSummary("Depth, in-flight and oldest age per route and priority.");
        var dead = app.MapGroup("/api/v1/dead-letters").WithTags("Dead letters").RequireAuthorization(Policies.Operate);
        dead.MapGet("/", ListDeadLettersAsync).WithSummary("Jobs that kept failing, with the reason.");
        dead.MapPost("/{id}/requeue", RequeueAsync).WithSummary("Put a dead-lettered job back on its queue.");
        dead.MapDelete("/{id}", PurgeAsync).WithSummary("Delete a dead letter for good.");
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

    internal static async Task<IResult> RequeueAsync(string id, IDeadLetterStore dead, IJobIntakeStore store, IJobMonitoringStore monitoring,
        DocFlow.Webhooks.IWebhookStore webhooks, CancellationToken ct)
    {
        // Only a dead letter is requeued: a job that failed at once (unsupported type, too large, a final engine error)
        // has no ticket to put back, and moving its record to queued would leave it (and its batch) waiting forever.
        if (!await dead.HasDeadLetterAsync(id, ct)) return Problems.NotFound($"No dead letter for job '{id}'.");
        // A webhook delivery's dead letter: the delivery is pending again before its ticket is back (else the handler skips it).
        if (await webhooks.ReopenFailedAsync(id, ct).ConfigureAwait(false))
            return await dead.RequeueDeadLetterAsync(id, ct) ? TypedResults.Accepted($"/api/v1/webhooks/deliveries")
                : Problems.NotFound($"No dead letter for job '{id}'.");
        var job = await monitoring.GetJobAsync(id, ct);
        // The job goes back to queued before its ticket does, so a fast worker finds it ready to take. A dead letter of a
        // job that is not failed, or of a range ticket (id {job}#{part}, no record of its own), just gets its ticket back.
        var moved = job is { Status: JobStatus.Failed } && await store.RequeueFailedAsync(id, ct).ConfigureAwait(false);
        if (await dead.RequeueDeadLetterAsync(id, ct)) return TypedResults.Accepted($"/api/v1/documents/{id}");
        // Purged or requeued by someone else between the check and here: put the record back as it was.
        if (moved)
            await store.TryTransitionAsync(id, JobStatus.Queued, JobStatus.Failed, new StatusDetails(job!.ErrorCode, job.ErrorMessage), ct).ConfigureAwait(false);
        return Problems.NotFound($"No dead letter for job '{id}'.");
    }

    internal static async Task<IResult> PurgeAsync(string id, IDeadLetterStore dead, CancellationToken ct) =>
        await dead.PurgeDeadLetterAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"No dead letter for job '{id}'.");
}
