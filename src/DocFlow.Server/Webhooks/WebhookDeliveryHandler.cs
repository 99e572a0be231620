using System.Text;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Webhooks;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Webhooks;

/// <summary>A delivery attempt that did not get a 2xx answer: the worker loop retries it with the webhook route's
/// backoff (<see cref="WebhookOptions.MaxAttempts"/>), then dead-letters it.</summary>
public sealed class WebhookDeliveryException(string message) : Exception(message);

/// <summary>
/// The worker's handler for the <see cref="JobRoute.Webhook"/> route: loads the delivery, signs its body with a fresh
/// timestamp (<see cref="WebhookSignature"/>), POSTs it through <see cref="WebhookClient"/> and records the attempt.
/// A 2xx answer delivers it; anything else throws, so the queue's retry machinery tries again after the backoff, and
/// dead-letters it after the last attempt. A URL the guard refuses fails the delivery at once (no retry).
/// </summary>
public sealed partial class WebhookDeliveryHandler(
    IWebhookStore store, WebhookClient client, TimeProvider time, ILogger<WebhookDeliveryHandler> logger) : IJobHandler
{
    public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var delivery = await store.GetDeliveryAsync(ticket.JobId, cancellationToken).ConfigureAwait(false);
        if (delivery is null || delivery.Status != WebhookDeliveryStatus.Pending) return; // erased, or a duplicate ticket of a finished one
        var subscription = await store.GetSubscriptionAsync(delivery.BatchId, cancellationToken).ConfigureAwait(false);
        if (subscription is null) return;

        // Attempts only grow, across retries and restarts (a restart re-offers the ticket with the attempts so far).
        var number = Math.Max(delivery.Attempts, ticket.Attempt) + 1;
        var now = time.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var signature = WebhookSignature.Sign(subscription.Secret, delivery.Id, timestamp, body);
        WebhookClient.Outcome outcome;
        try
        {
            outcome = await client.PostAsync(WebhookClient.CheckSyntax(delivery.Url), delivery.Id, timestamp, signature, body, cancellationToken).ConfigureAwait(false);
        }
        catch (WebhookRefusedException e)
        {
            outcome = new WebhookClient.Outcome(null, 0, e.Message, true);
        }

        var status = outcome.Delivered ? WebhookDeliveryStatus.Delivered : outcome.Refused ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending;
        await store.RecordAttemptAsync(delivery.Id, new WebhookAttempt(number, now, outcome.StatusCode, outcome.LatencyMs, outcome.Error, null), status,
            CancellationToken.None).ConfigureAwait(false);
        if (outcome.Delivered)
        {
            Log.Delivered(logger, delivery.Id, delivery.Type, outcome.StatusCode ?? 0, number);
            return;
        }
        if (outcome.Refused)
        {
            Log.Refused(logger, delivery.Id, outcome.Error ?? "");
            return;
        }
        throw new WebhookDeliveryException($"webhook {delivery.Id} attempt {number}: {outcome.Error}");
    }

    public async Task OnRetryingAsync(JobTicket ticket, TimeSpan delay, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        try
        {
            await store.ScheduleRetryAsync(ticket.JobId, time.GetUtcNow() + delay, cancellationToken).ConfigureAwait(false);
        }
        catch (Storage.StoreUnavailableException e)
        {
            // Only the log's "next retry" is missing; the retry itself is queued.
            Log.NotScheduled(logger, ticket.JobId, e.Message);
        }
    }

    public async Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        await store.MarkFailedAsync(ticket.JobId, $"dead-lettered: {reason}", cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Webhook {DeliveryId} ({Type}) delivered: {StatusCode} on attempt {Attempt}")]
        public static partial void Delivered(ILogger logger, string deliveryId, string type, int statusCode, int attempt);

        [LoggerMessage(EventId = 712, Level = LogLevel.Warning, Message = "Webhook {DeliveryId}: next retry not recorded: {Reason}")]
        public static partial void NotScheduled(ILogger logger, string deliveryId, string reason);

        [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "Webhook {DeliveryId} refused by the address guard: {Reason}")]
        public static partial void Refused(ILogger logger, string deliveryId, string reason);
    }
}

/// <summary>
/// Offers pending deliveries to the queue again at start-up, each when its next attempt is due, with the attempts made so
/// far (so the budget holds across restarts): all of them with the in-process queue, which starts empty; with Redis, which
/// keeps its own, those overdue by more than <see cref="OverdueAfter"/> (a process died holding them, or an enqueue failed).
/// A duplicate ticket is harmless: the handler skips a delivery that is no longer pending.
/// </summary>
public sealed partial class WebhookRecovery(IWebhookStore store, IJobQueue queue, TimeProvider time, ILogger<WebhookRecovery> logger)
    : Microsoft.Extensions.Hosting.BackgroundService
{
    /// <summary>Null: every pending delivery (in-process queue).</summary>
    public TimeSpan? OverdueAfter { get; init; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var tenants = DocFlow.Security.AmbientTenantScope.Enter(null);
        IReadOnlyList<WebhookDelivery> pending;
        try
        {
            pending = await store.ListPendingAsync(10_000, stoppingToken).ConfigureAwait(false);
        }
        catch (Storage.StoreUnavailableException e)
        {
            Log.Failed(logger, e.Message);
            return;
        }
        var now = time.GetUtcNow();
        var offered = pending.Where(d => OverdueAfter is not { } overdue || (d.NextAttemptAt ?? d.CreatedAt) < now - overdue).ToList();
        if (offered.Count > 0) Log.Recovered(logger, offered.Count);
        foreach (var group in offered.GroupBy(d => d.NextAttemptAt is { } at && at > now ? at : now).OrderBy(g => g.Key))
        {
            var wait = group.Key - time.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
            foreach (var d in group)
                await queue.EnqueueAsync(WebhookEmitter.Ticket(d.Id, d.BatchId, d.Attempts, time.GetUtcNow()), stoppingToken).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "Offered {Count} pending webhook deliveries to the queue again")]
        public static partial void Recovered(ILogger logger, int count);

        [LoggerMessage(EventId = 721, Level = LogLevel.Warning, Message = "Could not look for pending webhook deliveries: {Reason}")]
        public static partial void Failed(ILogger logger, string reason);
    }
}
