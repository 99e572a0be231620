using System.Diagnostics;
using DocFlow.Diagnostics;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.Extensions.Logging;

namespace DocFlow.Processing;

/// <summary>What a worker does with one job. Permanent failures are the handler's to record;
/// an exception means "transient": the loop retries with backoff, then dead-letters.</summary>
public interface IJobHandler
{
    Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken);

    /// <summary>Called once when a job is given up (retries exhausted or poison), so its failure is recorded.</summary>
    Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken);

    /// <summary>Called when a failed attempt is put back on the queue to be tried again after <paramref name="delay"/>
    /// (the webhook delivery log shows the next retry). Nothing by default.</summary>
    Task OnRetryingAsync(JobTicket ticket, TimeSpan delay, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Runs worker slots against a queue: fetch, handle, then acknowledge, retry with backoff or dead-letter.
/// </summary>
/// <remarks>Stopping (the token of <see cref="RunAsync"/>) stops fetching at once; jobs in flight finish unless
/// <paramref name="abortToken"/> is cancelled too — the separation Hangfire's Worker makes.</remarks>
public sealed partial class WorkerLoop(
    IJobQueue queue,
    IJobHandler handler,
    RetryOptions retry,
    ILogger<WorkerLoop> logger,
    CancellationToken abortToken = default)
{
    /// <summary>Where the loop records queue waits, retries and dead letters; none when null (tests, tools).</summary>
    public DocFlowTelemetry? Telemetry { get; init; }

    /// <summary>The clock queue waits are measured with.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public async Task RunAsync(IReadOnlyCollection<JobRoute> routes, int slots, CancellationToken stoppingToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        var loops = Enumerable.Range(0, slots).Select(_ => Task.Run(() => SlotAsync(routes, stoppingToken), CancellationToken.None));
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task SlotAsync(IReadOnlyCollection<JobRoute> routes, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            IFetchedJob job;
            try
            {
                job = await queue.FetchAsync(routes, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await using (job.ConfigureAwait(false))
                {
                    await RunOneAsync(job, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The store or the queue failed while the job's outcome was being recorded (a database restart while a
                // job is dead-lettered or retried): the slot lives on. The job was not acknowledged, so the queue
                // delivers it again (or the reconciler re-drives it); pause so an outage is not met in a tight loop.
                Log.SlotError(logger, job.Ticket.JobId, ex);
                try
                {
                    await Task.Delay(SlotErrorPause, Time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The pause of a slot after its job's outcome could not be recorded. <value>Default 2 s.</value></summary>
    public TimeSpan SlotErrorPause { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Handles one fetched job to its outcome.</summary>
    /// <param name="job">The fetched job.</param>
    /// <param name="stoppingToken">The loop's stop: while the job store is unavailable the job is held and tried again
    /// on the same delivery; a stop gives it back to the queue instead.</param>
    public async Task RunOneAsync(IFetchedJob job, CancellationToken stoppingToken = default)
    {
        var ticket = job.Ticket with { Deliveries = job.DeliveryCount };
        // One trace from upload to result: the span continues the context the producer put on the ticket.
        using var activity = DocFlowTelemetry.StartFromTraceParent("docflow.job", ActivityKind.Consumer, ticket.TraceParent);
        activity?.SetTag(DocFlowTelemetry.Tags.JobId, ticket.JobId)
            .SetTag(DocFlowTelemetry.Tags.BatchId, ticket.BatchId)
            .SetTag(DocFlowTelemetry.Tags.JobRoute, ticket.Route.ToWireName())
            .SetTag(DocFlowTelemetry.Tags.Priority, ticket.Priority.ToWireName())
            .SetTag(DocFlowTelemetry.Tags.Attempt, ticket.Attempt)
            .SetTag(DocFlowTelemetry.Tags.Deliveries, job.DeliveryCount);
        using var scope = logger.BeginScope(new JobScope(ticket.JobId, ticket.BatchId));
        // Workers process every tenant's jobs: unscoped, whatever flow started this loop (a request's scope must not leak in).
        using var tenants = Security.AmbientTenantScope.Enter(null);
        // The wait that matters for scaling: upload to first pick-up (a retry's or redelivery's wait includes work).
        if (ticket.Attempt == 0 && job.DeliveryCount <= 1 && ticket.EnqueuedAt != default)
            Telemetry?.JobWaited(ticket.Route.ToWireName(), ticket.Priority.ToWireName(), Time.GetUtcNow() - ticket.EnqueuedAt);
        if (job.DeliveryCount > retry.MaxDeliveries)
        {
            var reason = $"poison: delivered {job.DeliveryCount} times without finishing (limit {retry.MaxDeliveries})";
            await GiveUpAsync(job, reason, activity).ConfigureAwait(false);
            return;
        }
        while (true)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                await handler.HandleAsync(ticket, abortToken).ConfigureAwait(false);
                await job.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
                activity?.SetTag(DocFlowTelemetry.Tags.Outcome, "acknowledged");
                Log.Done(logger, ticket.JobId, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return;
            }
            catch (OperationCanceledException) when (abortToken.IsCancellationRequested)
            {
                // Aborted in flight: leave it to be delivered again (DisposeAsync requeues it).
                activity?.SetTag(DocFlowTelemetry.Tags.Outcome, "released");
                return;
            }
            catch (StoreUnavailableException ex)
            {
                // The database, not the document: neither an attempt nor a delivery. The job stays held (the queue keeps
                // its lease) and is tried again on the same delivery after a pause: released and fetched again instead,
                // every pause of an outage counted a delivery, and an outage of a few pauses made a sound document
                // poison (more than Retry:MaxDeliveries). A stop or an abort gives it back to the queue (DisposeAsync).
                activity?.AddException(ex);
                Log.StoreUnavailable(logger, ticket.JobId, ex.Message);
                try
                {
                    using var either = CancellationTokenSource.CreateLinkedTokenSource(abortToken, stoppingToken);
                    await Task.Delay(SlotErrorPause, Time, either.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    activity?.SetTag(DocFlowTelemetry.Tags.Outcome, "released");
                    return;
                }
            }
            catch (Exception ex)
            {
                activity?.AddException(ex);
                var attempts = ticket.Attempt + 1;
                var policy = retry.For(ticket.Route);
                if (attempts >= policy.MaxAttempts)
                {
                    await GiveUpAsync(job, $"failed {attempts} times; last error: {ex.Message}", activity).ConfigureAwait(false);
                    return;
                }
                var delay = policy.DelayFor(ticket.Attempt);
                activity?.SetTag(DocFlowTelemetry.Tags.Outcome, "retried").SetStatus(ActivityStatusCode.Error, ex.Message);
                Log.Retrying(logger, ticket.JobId, attempts, delay.TotalMilliseconds, ex);
                // Told before the retry is queued, so what it records (the next attempt's time) is there before that attempt starts.
                await handler.OnRetryingAsync(ticket, delay, ex.Message, CancellationToken.None).ConfigureAwait(false);
                Telemetry?.JobsRetried.Add(1, new KeyValuePair<string, object?>(DocFlowTelemetry.Tags.Route, ticket.Route.ToWireName()));
                await job.RetryAsync(delay, ex.Message, CancellationToken.None).ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task GiveUpAsync(IFetchedJob job, string reason, Activity? activity)
    {
        activity?.SetTag(DocFlowTelemetry.Tags.Outcome, "dead-lettered").SetStatus(ActivityStatusCode.Error, reason);
        Log.DeadLettered(logger, job.Ticket.JobId, reason);
        Telemetry?.JobsDeadLettered.Add(1, new KeyValuePair<string, object?>(DocFlowTelemetry.Tags.Route, job.Ticket.Route.ToWireName()));
        await job.DeadLetterAsync(reason, CancellationToken.None).ConfigureAwait(false);
        await handler.OnDeadLetteredAsync(job.Ticket, reason, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The log scope of one job: every line logged while handling it carries the job and batch ids
    /// (and, through the host's activity tracking, the trace id).</summary>
    private sealed class JobScope(string jobId, string? batchId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("JobId", jobId),
            1 => new("BatchId", batchId),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public int Count => 2;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => batchId is null ? $"Job {jobId}" : $"Job {jobId} in batch {batchId}";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Job {JobId} failed (attempt {Attempt}); retrying in {DelayMs:F0} ms")]
        public static partial void Retrying(ILogger logger, string jobId, int attempt, double delayMs, Exception exception);

        [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Job {JobId} dead-lettered: {Reason}")]
        public static partial void DeadLettered(ILogger logger, string jobId, string reason);

        [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Job {JobId}: the job store is unavailable ({Reason}); held and tried again after a pause, neither the attempt nor the delivery counted")]
        public static partial void StoreUnavailable(ILogger logger, string jobId, string reason);

        [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Job {JobId}: its outcome could not be recorded; left for another delivery, the slot goes on")]
        public static partial void SlotError(ILogger logger, string jobId, Exception exception);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Job {JobId} done in {ElapsedMs:F0} ms")]
        public static partial void Done(ILogger logger, string jobId, double elapsedMs);
    }
}
