using System.Collections.Concurrent;
using DocFlow.Processing;
using DocFlow.Queueing;

namespace DocFlow.Tests.Contracts;

/// <summary>A job handler that records what it saw and fails the first attempts it is told to.</summary>
public sealed class RecordingHandler(int failFirst = 0) : IJobHandler
{
    private int _calls;

    public ConcurrentQueue<JobTicket> Handled { get; } = new();
    public ConcurrentQueue<(JobTicket Ticket, string Reason)> DeadLettered { get; } = new();
    public ConcurrentDictionary<string, int> Succeeded { get; } = new();

    public Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        Handled.Enqueue(ticket);
        if (Interlocked.Increment(ref _calls) <= failFirst) throw new IOException($"transient failure {_calls}");
        Succeeded.AddOrUpdate(ticket.JobId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
    {
        DeadLettered.Enqueue((ticket, reason));
        return Task.CompletedTask;
    }

    /// <summary>Waits (real time) until <paramref name="jobId"/> succeeded; fails naming it after <paramref name="within"/>.</summary>
    public async Task WaitForSuccessAsync(string jobId, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!Succeeded.ContainsKey(jobId))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"job '{jobId}' did not succeed within {within.TotalSeconds:F0} s ({Handled.Count} deliveries handled)");
            await Task.Delay(10);
        }
    }
}
