namespace DocFlow.Workers;

/// <summary>Where workers say they are alive and what they are doing; the dashboard lists them.</summary>
/// <remarks>
/// In-process when embedded, a Redis hash per worker (with a TTL) when distributed. A worker that stops
/// heart-beating is shown as stale after <see cref="WorkerRegistryOptions.StaleAfterIntervals"/> intervals and
/// forgotten after <see cref="WorkerRegistryOptions.ForgetAfter"/>.
/// </remarks>
public interface IWorkerRegistry
{
    /// <summary>Records the worker's current state; its <see cref="WorkerInfo.LastHeartbeat"/> is the time of the beat.</summary>
    ValueTask HeartbeatAsync(WorkerInfo worker, CancellationToken cancellationToken);

    /// <summary>Every known worker, with a stale flag, ordered by id.</summary>
    ValueTask<IReadOnlyList<WorkerStatus>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Forgets a worker (on a clean shutdown); false if it was not known.</summary>
    ValueTask<bool> RemoveAsync(string workerId, CancellationToken cancellationToken);
}

/// <summary>What a worker reports in each heartbeat.</summary>
/// <param name="Id">Unique per process: "{host}-{pid}".</param>
/// <param name="Host">The machine (or pod) name.</param>
/// <param name="Slots">Documents it handles at once.</param>
/// <param name="Busy">Slots working on a job now.</param>
/// <param name="Processed">Jobs it finished (acknowledged) since it started.</param>
/// <param name="Failed">Jobs that failed on it (retried or dead-lettered) since it started.</param>
/// <param name="Routes">Wire names of the routes it takes (image, pdf, report).</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="LastHeartbeat">When this beat was sent.</param>
public sealed record WorkerInfo(
    string Id,
    string Host,
    int Slots,
    int Busy,
    long Processed,
    long Failed,
    IReadOnlyList<string> Routes,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat);

/// <summary>A worker as listed: its last heartbeat and whether that is too old.</summary>
/// <param name="Worker">The last reported state.</param>
/// <param name="Stale">True when the last heartbeat is older than <see cref="WorkerRegistryOptions.StaleAfter"/>.</param>
public sealed record WorkerStatus(WorkerInfo Worker, bool Stale);

/// <summary>Heartbeat timing. Section "Workers:Registry".</summary>
public sealed class WorkerRegistryOptions
{
    public const string SectionName = "Workers:Registry";

    /// <summary>How often workers heartbeat. <value>Default 2 s.</value></summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Missed heartbeats after which a worker is flagged stale. <value>Default 3.</value></summary>
    public int StaleAfterIntervals { get; set; } = 3;

    /// <summary>How long a worker that stopped heart-beating is still listed (as stale). <value>Default 10 minutes.</value></summary>
    /// <remarks>The Redis registry sets this as the TTL of the worker's hash.</remarks>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The age of the last heartbeat above which a worker is stale.</summary>
    public TimeSpan StaleAfter => HeartbeatInterval * StaleAfterIntervals;

    /// <summary>Whether a worker whose last heartbeat was at <paramref name="lastHeartbeat"/> is stale at <paramref name="now"/>.</summary>
    public bool IsStale(DateTimeOffset lastHeartbeat, DateTimeOffset now) => now - lastHeartbeat > StaleAfter;
}
