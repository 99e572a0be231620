using Microsoft.Extensions.Logging;

namespace DocFlow.Workers;

/// <summary>
/// How any worker — the slots of <c>docflow worker</c>, embedded slots of <c>serve</c>, the autoscaler's own slots —
/// reports itself to the <see cref="IWorkerRegistry"/>, so the dashboard lists it: a beat every
/// <see cref="WorkerRegistryOptions.HeartbeatInterval"/> until stopped, then the worker is removed. The registry
/// being down never stops the work: a failed beat is logged and the next one tried.
/// </summary>
public sealed partial class WorkerHeartbeat(IWorkerRegistry registry, WorkerRegistryOptions options, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>Beats with what <paramref name="describe"/> says at each beat's time until <paramref name="cancellationToken"/>
    /// fires, then removes the worker (it would expire and show as stale otherwise).</summary>
    public async Task RunAsync(Func<DateTimeOffset, WorkerInfo> describe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(describe);
        string? id = null;
        using (var timer = new PeriodicTimer(options.HeartbeatInterval, timeProvider))
        {
            do
            {
                try
                {
                    var info = describe(timeProvider.GetUtcNow());
                    id = info.Id;
                    await registry.HeartbeatAsync(info, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Log.HeartbeatFailed(logger, ex);
                }
            } while (await WaitAsync(timer, cancellationToken).ConfigureAwait(false));
        }
        if (id is null) return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await registry.RemoveAsync(id, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.HeartbeatFailed(logger, ex); // it will expire and show as stale meanwhile
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Worker heartbeat could not be recorded")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);
    }
}
