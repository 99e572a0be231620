using DocFlow.Data.Entities;
using DocFlow.Security;
using DocFlow.Security.Encryption;
using DocFlow.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.Data;

/// <summary><see cref="IWebhookStore"/> on EF Core: tables webhook_subscriptions (one per batch), webhook_deliveries
/// (one per event, unique event key) and webhook_attempts. Secrets are sealed like Document JSON when encryption at rest is on.</summary>
public sealed class EfWebhookStore(DocFlowDatabase database, ITenantScope tenantScope, AtRestEncryption encryption) : IWebhookStore
{
    private const int MaxError = 1000;

    private Task<T> Run<T>(Func<DocFlowDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        var tenant = tenantScope.Tenant;
        return database.RunAsync(db =>
        {
            db.TenantFilter = tenant;
            return work(db);
        }, cancellationToken);
    }

    public Task SaveSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return Run(async db =>
        {
            db.Add(new WebhookSubscriptionEntity
            {
                BatchId = subscription.BatchId, Tenant = subscription.Tenant, Url = subscription.Url,
                Secret = encryption.SealRecord(subscription.Secret), Source = subscription.Source,
            });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task<WebhookSubscription?> GetSubscriptionAsync(string batchId, CancellationToken cancellationToken) => Run(async db =>
    {
        var row = await db.Set<WebhookSubscriptionEntity>().AsNoTracking().FirstOrDefaultAsync(s => s.BatchId == batchId, cancellationToken).ConfigureAwait(false);
        return row is null ? null
            : new WebhookSubscription(row.BatchId, row.Tenant, row.Url, encryption.OpenRecord(row.Secret, $"webhook secret of {row.BatchId}"), row.Source);
    }, cancellationToken);

    public Task<IReadOnlySet<string>> GetEventKeysAsync(string batchId, CancellationToken cancellationToken) => Run<IReadOnlySet<string>>(async db =>
        (await db.Set<WebhookDeliveryEntity>().AsNoTracking().Where(d => d.BatchId == batchId).Select(d => d.EventKey)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal), cancellationToken);

    public Task<bool> TryAddDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return Run(async db =>
        {
            db.Add(new WebhookDeliveryEntity
            {
                Id = delivery.Id, EventKey = delivery.EventKey, BatchId = delivery.BatchId, Tenant = delivery.Tenant, Type = delivery.Type,
                Url = delivery.Url, Payload = delivery.Payload, Status = delivery.Status, CreatedAt = delivery.CreatedAt,
                NextAttemptAt = delivery.NextAttemptAt,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException e) when (!StoreErrors.IsUnavailable(e))
            {
                // The unique event key: another worker recorded this event first.
                return false;
            }
        }, cancellationToken);
    }

    public Task<WebhookDelivery?> GetDeliveryAsync(string id, CancellationToken cancellationToken) => Run(async db =>
    {
        var row = await db.Set<WebhookDeliveryEntity>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }, cancellationToken);

    public Task RecordAttemptAsync(string id, WebhookAttempt attempt, string status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return Run(async db =>
        {
            var row = await db.Set<WebhookDeliveryEntity>().FirstOrDefaultAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false);
            if (row is null) return false;
            var error = Clip(attempt.Error);
            db.Add(new WebhookAttemptEntity
            {
                DeliveryId = id, Number = attempt.Number, At = attempt.At, StatusCode = attempt.StatusCode, LatencyMs = attempt.LatencyMs,
                Error = error, NextRetryAt = attempt.NextRetryAt,
            });
            row.Attempts = Math.Max(row.Attempts, attempt.Number);
            row.LastStatusCode = attempt.StatusCode;
            row.LastError = error;
            row.NextAttemptAt = attempt.NextRetryAt;
            if (row.Status != WebhookDeliveryStatus.Delivered) row.Status = status;
            if (status == WebhookDeliveryStatus.Delivered) row.DeliveredAt ??= attempt.At;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task ScheduleRetryAsync(string id, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) => Run(async db =>
    {
        var row = await db.Set<WebhookDeliveryEntity>().FirstOrDefaultAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false);
        if (row is null || row.Status != WebhookDeliveryStatus.Pending) return false;
        row.NextAttemptAt = nextAttemptAt;
        var last = await db.Set<WebhookAttemptEntity>().Where(a => a.DeliveryId == id).OrderByDescending(a => a.Number).ThenByDescending(a => a.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (last is not null) last.NextRetryAt = nextAttemptAt;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public Task MarkFailedAsync(string id, string reason, CancellationToken cancellationToken) => Run(async db =>
    {
        var row = await db.Set<WebhookDeliveryEntity>().FirstOrDefaultAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false);
        if (row is null || row.Status == WebhookDeliveryStatus.Delivered) return false;
        row.Status = WebhookDeliveryStatus.Failed;
        row.LastError = Clip(reason);
        row.NextAttemptAt = null;
        var last = await db.Set<WebhookAttemptEntity>().Where(a => a.DeliveryId == id).OrderByDescending(a => a.Number).ThenByDescending(a => a.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (last is not null) last.NextRetryAt = null;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public Task<bool> ReopenFailedAsync(string id, CancellationToken cancellationToken) => Run(async db =>
        await db.Set<WebhookDeliveryEntity>().Where(d => d.Id == id && d.Status == WebhookDeliveryStatus.Failed)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, WebhookDeliveryStatus.Pending), cancellationToken).ConfigureAwait(false) > 0, cancellationToken);

    public Task<IReadOnlyList<WebhookDelivery>> ListForBatchAsync(string batchId, CancellationToken cancellationToken) => Run(async db =>
    {
        var rows = await db.Set<WebhookDeliveryEntity>().AsNoTracking().Where(d => d.BatchId == batchId)
            .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return await WithAttemptsAsync(db, rows, cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    public Task<IReadOnlyList<WebhookDelivery>> ListRecentAsync(string? status, int limit, CancellationToken cancellationToken) => Run(async db =>
    {
        var query = db.Set<WebhookDeliveryEntity>().AsNoTracking();
        if (status is not null) query = query.Where(d => d.Status == status);
        var rows = await query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(Math.Clamp(limit, 1, 500))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return await WithAttemptsAsync(db, rows, cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    public Task<IReadOnlyList<WebhookDelivery>> ListPendingAsync(int limit, CancellationToken cancellationToken) => Run<IReadOnlyList<WebhookDelivery>>(async db =>
        [.. (await db.Set<WebhookDeliveryEntity>().AsNoTracking().Where(d => d.Status == WebhookDeliveryStatus.Pending)
            .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).Take(Math.Clamp(limit, 1, 10_000)).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(ToRecord)], cancellationToken);

    private static async Task<IReadOnlyList<WebhookDelivery>> WithAttemptsAsync(DocFlowDbContext db, List<WebhookDeliveryEntity> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).ToList();
        var attempts = (await db.Set<WebhookAttemptEntity>().AsNoTracking().Where(a => ids.Contains(a.DeliveryId))
                .ToListAsync(ct).ConfigureAwait(false))
            .OrderBy(a => a.Number).ThenBy(a => a.Id)
            .ToLookup(a => a.DeliveryId);
        return [.. rows.Select(r => ToRecord(r) with
        {
            AttemptLog = [.. attempts[r.Id].Select(a => new WebhookAttempt(a.Number, a.At, a.StatusCode, a.LatencyMs, a.Error, a.NextRetryAt))],
        })];
    }

    private static WebhookDelivery ToRecord(WebhookDeliveryEntity r) => new(r.Id, r.EventKey, r.BatchId, r.Tenant, r.Type, r.Url, r.Payload,
        r.Status, r.Attempts, r.LastStatusCode, r.LastError, r.CreatedAt, r.NextAttemptAt, r.DeliveredAt);

    private static string? Clip(string? text) => text is { Length: > MaxError } ? text[..MaxError] : text;
}

/// <summary><see cref="DocFlow.Idempotency.IIdempotencyStore"/> on EF Core: table idempotency_keys, primary key (scope, key).</summary>
public sealed class EfIdempotencyStore(DocFlowDatabase database) : DocFlow.Idempotency.IIdempotencyStore
{
    public Task<bool> TryBeginAsync(DocFlow.Idempotency.IdempotencyRecord record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return database.RunAsync(async db =>
        {
            // An expired record of this key is gone before the claim (a new request with an old key is a new request).
            await db.Set<IdempotencyKeyEntity>().Where(k => k.Scope == record.Scope && k.Key == record.Key && k.ExpiresAt <= now)
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            db.Add(new IdempotencyKeyEntity
            {
                Scope = record.Scope, Key = record.Key, RequestHash = record.RequestHash, StatusCode = 0,
                CreatedAt = record.CreatedAt, ExpiresAt = record.ExpiresAt,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException e) when (!StoreErrors.IsUnavailable(e))
            {
                return false; // the primary key: the key is taken
            }
        }, cancellationToken);
    }

    public Task<DocFlow.Idempotency.IdempotencyRecord?> GetAsync(string scope, string key, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        var row = await db.Set<IdempotencyKeyEntity>().AsNoTracking().FirstOrDefaultAsync(k => k.Scope == scope && k.Key == key, cancellationToken).ConfigureAwait(false);
        return row is null ? null : new DocFlow.Idempotency.IdempotencyRecord(row.Scope, row.Key, row.RequestHash, row.StatusCode, row.ContentType, row.Body,
            row.Location, row.CreatedAt, row.ExpiresAt);
    }, cancellationToken);

    public Task CompleteAsync(string scope, string key, int statusCode, string? contentType, string? body, string? location, CancellationToken cancellationToken) =>
        database.RunAsync(async db =>
        {
            var row = await db.Set<IdempotencyKeyEntity>().FirstOrDefaultAsync(k => k.Scope == scope && k.Key == key, cancellationToken).ConfigureAwait(false);
            if (row is null) return false;
            row.StatusCode = statusCode;
            row.ContentType = contentType;
            row.Body = body;
            row.Location = location;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task ReleaseAsync(string scope, string key, CancellationToken cancellationToken) => database.RunAsync(async db =>
        await db.Set<IdempotencyKeyEntity>().Where(k => k.Scope == scope && k.Key == key && k.StatusCode == 0)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false), cancellationToken);

    public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => database.RunAsync(async db =>
        await db.Set<IdempotencyKeyEntity>().Where(k => k.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false), cancellationToken);
}
