using DocFlow.IntegrationTests.Support;
using DocFlow.Redis;
using DocFlow.Workers;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.IntegrationTests.Dashboard;

public sealed class RedisWorkerRegistryTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static WorkerInfo Worker(string id, DateTimeOffset at, int busy = 1) =>
        new(id, "host-a", 4, busy, 10, 2, ["image", "pdf"], at.AddMinutes(-5), at);

    [Fact]
    public async Task Heartbeat_ListsTheWorker_StaleAfterThreeIntervals_RemovedOnRequest()
    {
        var prefix = "test-" + Guid.NewGuid().ToString("N")[..8];
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var registry = new RedisWorkerRegistry(redis.Connection, prefix, new WorkerRegistryOptions(), clock);

        await registry.HeartbeatAsync(Worker("w-1", clock.GetUtcNow()), default);
        await registry.HeartbeatAsync(Worker("w-2", clock.GetUtcNow(), busy: 3), default);
        var listed = await registry.ListAsync(default);

        Assert.Equal(["w-1", "w-2"], listed.Select(w => w.Worker.Id));
        Assert.Equal(Worker("w-2", clock.GetUtcNow(), busy: 3) with { Routes = listed[1].Worker.Routes }, listed[1].Worker);
        Assert.Equal(["image", "pdf"], listed[1].Worker.Routes);
        Assert.All(listed, w => Assert.False(w.Stale));
        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync($"{prefix}:workers:w-1");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        clock.Advance(TimeSpan.FromSeconds(7)); // more than 3 × 2 s without a beat
        await registry.HeartbeatAsync(Worker("w-2", clock.GetUtcNow()), default);
        listed = await registry.ListAsync(default);
        Assert.Equal([true, false], listed.Select(w => w.Stale));

        Assert.True(await registry.RemoveAsync("w-1", default));
        Assert.False(await registry.RemoveAsync("w-1", default));
        Assert.Equal(["w-2"], (await registry.ListAsync(default)).Select(w => w.Worker.Id));
    }

    [Fact]
    public async Task ExpiredWorker_IsDroppedFromTheList()
    {
        var prefix = "test-" + Guid.NewGuid().ToString("N")[..8];
        var registry = new RedisWorkerRegistry(redis.Connection, prefix, new WorkerRegistryOptions(), TimeProvider.System);
        await registry.HeartbeatAsync(Worker("gone", DateTimeOffset.UtcNow), default);

        await redis.Connection.GetDatabase().KeyDeleteAsync($"{prefix}:workers:gone"); // what the TTL does to a dead worker

        Assert.Empty(await registry.ListAsync(default));
        Assert.False(await redis.Connection.GetDatabase().SetContainsAsync($"{prefix}:workers", "gone"));
    }
}
