using DocFlow.Data;
using DocFlow.Idempotency;
using DocFlow.IntegrationTests.Data;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;
using DocFlow.Security.Encryption;
using DocFlow.Webhooks;
using Microsoft.Data.Sqlite;

namespace DocFlow.IntegrationTests.Webhooks;

/// <summary>The webhook and idempotency tables on both providers (the migration of each): one delivery per event key,
/// the attempt log, retries and failure, tenant scope, pending for recovery; one claim per idempotency key, expiry.</summary>
public abstract class WebhookStoreTests : IAsyncLifetime
{
    private DocFlowDatabase _database = null!;
    private EfJobStore _jobs = null!;
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    protected abstract Task<string> CreateEmptyDatabaseAsync();

    protected abstract Task DeleteDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = await CreateEmptyDatabaseAsync() });
        await _database.MigrateAsync(CancellationToken.None);
        _jobs = new EfJobStore(_database, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await DeleteDatabaseAsync();
    }

    private async Task<string> BatchAsync(string tenant)
    {
        var id = Some.NewId("b");
        await _jobs.CreateBatchAsync(id, tenant, [Some.Job()], CancellationToken.None);
        return id;
    }

    private static WebhookDelivery Delivery(string batchId, string tenant, string key) =>
        new("evt_" + Guid.NewGuid().ToString("N"), key, batchId, tenant, "batch.completed", "https://hooks.example.com/x", "{\"id\":1}",
            WebhookDeliveryStatus.Pending, 0, null, null, T0, T0, null);

    [Fact]
    public async Task Deliveries_AreOnePerEventKey_WithTheirAttemptLog_AndScopedToTheTenant()
    {
        var store = new EfWebhookStore(_database, new FixedTenantScope(null), AtRestEncryption.Off);
        var batch = await BatchAsync("acme");
        await store.SaveSubscriptionAsync(new WebhookSubscription(batch, "acme", "https://hooks.example.com/x", "secret-secret-secret", "batch"), CancellationToken.None);
        Assert.Equal("secret-secret-secret", (await store.GetSubscriptionAsync(batch, CancellationToken.None))!.Secret);

        var first = Delivery(batch, "acme", batch + ":batch.completed");
        // Racing emitters: one insert wins.
        var wins = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => store.TryAddDeliveryAsync(i == 0 ? first : Delivery(batch, "acme", first.EventKey), CancellationToken.None)));
        Assert.Equal(1, wins.Count(w => w));
        var id = (await store.ListForBatchAsync(batch, CancellationToken.None)).Single().Id;
        Assert.Equal([first.EventKey], await store.GetEventKeysAsync(batch, CancellationToken.None));

        await store.RecordAttemptAsync(id, new WebhookAttempt(1, T0, 500, 12, "the receiver answered 500", null), WebhookDeliveryStatus.Pending, CancellationToken.None);
        await store.ScheduleRetryAsync(id, T0.AddSeconds(30), CancellationToken.None);
        Assert.Single(await store.ListPendingAsync(10, CancellationToken.None), d => d.Id == id);
        await store.RecordAttemptAsync(id, new WebhookAttempt(2, T0.AddSeconds(31), 200, 9, null, null), WebhookDeliveryStatus.Delivered, CancellationToken.None);
        // A late failure report of a delivered one changes nothing.
        Assert.False(await store.ReopenFailedAsync(id, CancellationToken.None));
        await store.MarkFailedAsync(id, "late", CancellationToken.None);

        var d = (await store.ListForBatchAsync(batch, CancellationToken.None)).Single();
        Assert.Equal((WebhookDeliveryStatus.Delivered, 2, 200), (d.Status, d.Attempts, d.LastStatusCode));
        Assert.Equal(T0.AddSeconds(31), d.DeliveredAt);
        Assert.Equal([1, 2], d.AttemptLog.Select(a => a.Number));
        Assert.Equal(T0.AddSeconds(30), d.AttemptLog[0].NextRetryAt);
        Assert.Empty(await store.ListPendingAsync(10, CancellationToken.None));

        // Another tenant's scope sees nothing of it; its own does.
        Assert.Empty(await new EfWebhookStore(_database, new FixedTenantScope("globex"), AtRestEncryption.Off).ListForBatchAsync(batch, CancellationToken.None));
        Assert.Null(await new EfWebhookStore(_database, new FixedTenantScope("globex"), AtRestEncryption.Off).GetSubscriptionAsync(batch, CancellationToken.None));
        Assert.Single(await new EfWebhookStore(_database, new FixedTenantScope("acme"), AtRestEncryption.Off).ListRecentAsync(null, 10, CancellationToken.None));
    }

    [Fact]
    public async Task AFailedDelivery_CanBeReopened_ThenPendingAgain()
    {
        var store = new EfWebhookStore(_database, new FixedTenantScope(null), AtRestEncryption.Off);
        var batch = await BatchAsync("default");
        var delivery = Delivery(batch, "default", batch + ":batch.completed");
        Assert.True(await store.TryAddDeliveryAsync(delivery, CancellationToken.None));
        await store.RecordAttemptAsync(delivery.Id, new WebhookAttempt(1, T0, null, 3, "connection refused", null), WebhookDeliveryStatus.Pending, CancellationToken.None);
        await store.MarkFailedAsync(delivery.Id, "dead-lettered: failed 1 times", CancellationToken.None);
        var failed = await store.GetDeliveryAsync(delivery.Id, CancellationToken.None);
        Assert.Equal((WebhookDeliveryStatus.Failed, "dead-lettered: failed 1 times"), (failed!.Status, failed.LastError));
        Assert.Single(await store.ListRecentAsync(WebhookDeliveryStatus.Failed, 10, CancellationToken.None));
        Assert.True(await store.ReopenFailedAsync(delivery.Id, CancellationToken.None));
        Assert.False(await store.ReopenFailedAsync("evt_none", CancellationToken.None));
        Assert.Equal(WebhookDeliveryStatus.Pending, (await store.GetDeliveryAsync(delivery.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task IdempotencyKeys_AreClaimedOnce_Completed_Released_AndExpire()
    {
        var store = new EfIdempotencyStore(_database);
        IdempotencyRecord Record(string key, string hash, DateTimeOffset at) => new("acme/dfk_1", key, hash, 0, null, null, null, at, at.AddHours(24));

        var claims = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => store.TryBeginAsync(Record("k", "h1", T0), T0, CancellationToken.None)));
        Assert.Equal(1, claims.Count(c => c));
        Assert.False((await store.GetAsync("acme/dfk_1", "k", CancellationToken.None))!.Completed);
        await store.CompleteAsync("acme/dfk_1", "k", 202, "application/json", "{\"batchId\":\"b_1\"}", "/api/v1/batches/b_1", CancellationToken.None);
        var done = await store.GetAsync("acme/dfk_1", "k", CancellationToken.None);
        Assert.Equal((202, "{\"batchId\":\"b_1\"}", "/api/v1/batches/b_1", "h1"), (done!.StatusCode, done.Body, done.Location, done.RequestHash));
        // Another caller's same key is another record.
        Assert.True(await store.TryBeginAsync(Record("k", "h2", T0) with { Scope = "acme/dfk_2" }, T0, CancellationToken.None));

        // Released (an answer not worth keeping): free again. A completed one is not released.
        Assert.True(await store.TryBeginAsync(Record("r", "h", T0), T0, CancellationToken.None));
        await store.ReleaseAsync("acme/dfk_1", "r", CancellationToken.None);
        await store.ReleaseAsync("acme/dfk_1", "k", CancellationToken.None);
        Assert.Null(await store.GetAsync("acme/dfk_1", "r", CancellationToken.None));
        Assert.NotNull(await store.GetAsync("acme/dfk_1", "k", CancellationToken.None));

        // Expired: claimed anew, and purged.
        var later = T0.AddHours(25);
        Assert.True(await store.TryBeginAsync(Record("k", "h3", later), later, CancellationToken.None));
        Assert.Equal("h3", (await store.GetAsync("acme/dfk_1", "k", CancellationToken.None))!.RequestHash);
        Assert.Equal(1, await store.PurgeExpiredAsync(later, CancellationToken.None)); // acme/dfk_2's
        Assert.NotNull(await store.GetAsync("acme/dfk_1", "k", CancellationToken.None));
    }
}

public sealed class SqliteWebhookStoreTests : WebhookStoreTests
{
    private string? _dir;

    protected override Task<string> CreateEmptyDatabaseAsync()
    {
        _dir = Repo.NewTempDirectory("sqlite-webhooks");
        return Task.FromResult(Path.Combine(_dir, "docflow.db"));
    }

    protected override Task DeleteDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        if (_dir is not null) Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresWebhookStoreTests(PostgresServerFixture server) : WebhookStoreTests, IClassFixture<PostgresServerFixture>
{
    private string? _connectionString;

    protected override async Task<string> CreateEmptyDatabaseAsync() => _connectionString = await server.CreateDatabaseAsync("webhooks");

    protected override Task DeleteDatabaseAsync() => _connectionString is null ? Task.CompletedTask : server.DropDatabaseAsync(_connectionString);
}
