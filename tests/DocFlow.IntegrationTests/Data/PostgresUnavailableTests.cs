using DocFlow.Data;
using DocFlow.IntegrationTests.Support;
using DocFlow.Storage;

namespace DocFlow.IntegrationTests.Data;

/// <summary>PostgreSQL stops: store calls throw <see cref="StoreUnavailableException"/> (the API's 503); it starts again: they work.</summary>
public sealed class PostgresUnavailableTests : IAsyncLifetime
{
    // Its own cluster even when DOCFLOW_TEST_POSTGRES names a shared server: this test stops it.
    private readonly PostgresServerFixture _server = new() { AlwaysOwnServer = true };

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task StoreCalls_WhileServerIsStopped_ThrowStoreUnavailable_AndWorkAgainAfterRestart()
    {
        var connectionString = await _server.CreateDatabaseAsync("outage");
        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = connectionString });
        await database.MigrateAsync(CancellationToken.None);
        var store = new EfJobStore(database, TimeProvider.System);
        var batchId = Some.NewId("batch");
        await store.CreateBatchAsync(batchId, [Some.Job()], CancellationToken.None);
        await store.PingAsync(CancellationToken.None);

        await _server.StopAsync();

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.PingAsync(CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetBatchAsync(batchId, CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CreateBatchAsync(Some.NewId("batch"), [Some.Job()], CancellationToken.None));

        await _server.StartAsync();

        await store.PingAsync(CancellationToken.None);
        Assert.Equal(1, (await store.GetBatchAsync(batchId, CancellationToken.None))?.Total);
    }
}
