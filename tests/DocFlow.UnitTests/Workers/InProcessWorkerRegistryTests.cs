using DocFlow.Workers;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.UnitTests.Workers;

public sealed class InProcessWorkerRegistryTests
{
    private readonly FakeTimeProvider _time = new();

    private WorkerInfo Worker(string id) => new(id, "host", 2, 0, 0, 0, ["image"], _time.GetUtcNow(), _time.GetUtcNow());

    [Fact]
    public async Task List_FlagsStale_AfterThreeMissedHeartbeats()
    {
        var registry = new InProcessWorkerRegistry(new WorkerRegistryOptions(), _time);
        await registry.HeartbeatAsync(Worker("b"), default);
        await registry.HeartbeatAsync(Worker("a"), default);

        _time.Advance(TimeSpan.FromSeconds(6)); // exactly three intervals: not yet
        Assert.Equal([("a", false), ("b", false)], (await registry.ListAsync(default)).Select(w => (w.Worker.Id, w.Stale)));

        _time.Advance(TimeSpan.FromSeconds(1));
        await registry.HeartbeatAsync(Worker("b"), default);
        Assert.Equal([("a", true), ("b", false)], (await registry.ListAsync(default)).Select(w => (w.Worker.Id, w.Stale)));
    }

    [Fact]
    public async Task List_ForgetsWorkers_SilentForLongerThanForgetAfter()
    {
        var registry = new InProcessWorkerRegistry(new WorkerRegistryOptions { ForgetAfter = TimeSpan.FromMinutes(1) }, _time);
        await registry.HeartbeatAsync(Worker("a"), default);

        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.Empty(await registry.ListAsync(default));
    }

    [Fact]
    public async Task Remove_ForgetsTheWorker()
    {
        var registry = new InProcessWorkerRegistry(new WorkerRegistryOptions(), _time);
        await registry.HeartbeatAsync(Worker("a"), default);

        Assert.True(await registry.RemoveAsync("a", default));
        Assert.False(await registry.RemoveAsync("a", default));
        Assert.Empty(await registry.ListAsync(default));
    }
}
