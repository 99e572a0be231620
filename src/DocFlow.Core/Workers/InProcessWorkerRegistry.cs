using System.Collections.Concurrent;

namespace DocFlow.Workers;

/// <summary>The embedded registry: the workers hosted in this process, kept in memory.</summary>
public sealed class InProcessWorkerRegistry(WorkerRegistryOptions options, TimeProvider timeProvider) : IWorkerRegistry
{
    private readonly ConcurrentDictionary<string, WorkerInfo> _workers = new(StringComparer.Ordinal);

    public ValueTask HeartbeatAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        cancellationToken.ThrowIfCancellationRequested();
        _workers[worker.Id] = worker;
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<WorkerStatus>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = timeProvider.GetUtcNow();
        foreach (var (id, w) in _workers)
            if (now - w.LastHeartbeat > options.ForgetAfter) _workers.TryRemove(id, out _);
        IReadOnlyList<WorkerStatus> list = [.. _workers.Values.OrderBy(w => w.Id, StringComparer.Ordinal)
            .Select(w => new WorkerStatus(w, options.IsStale(w.LastHeartbeat, now)))];
        return ValueTask.FromResult(list);
    }

    public ValueTask<bool> RemoveAsync(string workerId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_workers.TryRemove(workerId, out _));
    }
}
