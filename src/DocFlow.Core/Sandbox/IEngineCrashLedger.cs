using System.Collections.Concurrent;

namespace DocFlow.Sandbox;

/// <summary>
/// How often engine hosts crashed on given bytes (by SHA-256, lower-case hex), seen by every worker that shares it:
/// in-process for a single process (embedded <c>serve</c>, <c>docflow process</c>: the hosts die, the process does not),
/// Redis for a cluster.
/// </summary>
public interface IEngineCrashLedger
{
    /// <summary>Crashes recorded for these bytes.</summary>
    Task<int> GetCrashesAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Records one more crash; returns the new count.</summary>
    Task<int> RecordCrashAsync(string sha256, CancellationToken cancellationToken);
}

/// <summary>The ledger of one process.</summary>
public sealed class InProcessEngineCrashLedger : IEngineCrashLedger
{
    private readonly ConcurrentDictionary<string, int> _crashes = new(StringComparer.Ordinal);

    public Task<int> GetCrashesAsync(string sha256, CancellationToken cancellationToken) =>
        Task.FromResult(_crashes.TryGetValue(sha256, out var n) ? n : 0);

    public Task<int> RecordCrashAsync(string sha256, CancellationToken cancellationToken) =>
        Task.FromResult(_crashes.AddOrUpdate(sha256, 1, static (_, n) => n + 1));
}
