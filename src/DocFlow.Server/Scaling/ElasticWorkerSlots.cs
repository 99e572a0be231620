using DocFlow.Processing;
using DocFlow.Queueing;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Scaling;

/// <summary>
/// Worker slots whose number changes at run time: each slot is its own <see cref="WorkerLoop"/> with its own stop
/// token. Removing a slot stops its fetching; the job it holds finishes (or is released when <c>abortToken</c> fires).
/// </summary>
internal sealed class ElasticWorkerSlots(
    IJobQueue queue, IJobHandler handler, RetryOptions retry, IReadOnlyCollection<JobRoute> routes,
    ILogger<WorkerLoop> loopLogger, CancellationToken abortToken)
{
    /// <summary>Queue waits, retries and dead letters of every slot (none when null).</summary>
    public DocFlow.Diagnostics.DocFlowTelemetry? Telemetry { get; init; }

    private readonly List<(Task Run, CancellationTokenSource Stop)> _slots = [];
    private readonly List<Task> _retiring = [];

    public int Count => _slots.Count;

    public void SetSlots(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slots);
        _retiring.RemoveAll(t => t.IsCompleted);
        while (_slots.Count < slots)
        {
            var stop = new CancellationTokenSource();
            var loop = new WorkerLoop(queue, handler, retry, loopLogger, abortToken) { Telemetry = Telemetry };
            _slots.Add((Task.Run(() => loop.RunAsync(routes, 1, stop.Token), CancellationToken.None), stop));
        }
        while (_slots.Count > slots)
        {
            var (run, stop) = _slots[^1];
            _slots.RemoveAt(_slots.Count - 1);
            stop.Cancel();
            stop.Dispose();
            _retiring.Add(run);
        }
    }

    /// <summary>Stops fetching on every slot and waits for the jobs in flight.</summary>
    public async Task StopAsync()
    {
        var runs = _slots.Select(s => s.Run).Concat(_retiring).ToList();
        SetSlots(0);
        await Task.WhenAll(runs).ConfigureAwait(false);
    }
}

/// <summary>Counts finished jobs and averages how long one takes (EWMA), so the supervisor knows per-slot throughput.</summary>
internal sealed class ThroughputMeter(TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private double? _meanSeconds;

    public long Completed { get; private set; }

    /// <summary>Mean time one slot spends on a job; null before the first job.</summary>
    public TimeSpan? MeanServiceTime
    {
        get { lock (_gate) return _meanSeconds is { } s ? TimeSpan.FromSeconds(s) : null; }
    }

    public long Start() => timeProvider.GetTimestamp();

    public void Stop(long started)
    {
        var seconds = timeProvider.GetElapsedTime(started).TotalSeconds;
        lock (_gate)
        {
            // Weight 0.1: about the last twenty jobs matter.
            _meanSeconds = _meanSeconds is { } m ? m + 0.1 * (seconds - m) : seconds;
            Completed++;
        }
    }
}

/// <summary>Times each job for the <see cref="ThroughputMeter"/>.</summary>
internal sealed class MeteredJobHandler(IJobHandler inner, ThroughputMeter meter) : IJobHandler
{
    public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        var started = meter.Start();
        await inner.HandleAsync(ticket, cancellationToken).ConfigureAwait(false);
        meter.Stop(started);
    }

    public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) =>
        inner.OnDeadLetteredAsync(ticket, reason, cancellationToken);
}
