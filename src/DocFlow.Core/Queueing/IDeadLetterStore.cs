namespace DocFlow.Queueing;

/// <summary>What the dashboard and API do with dead letters: list, requeue, purge.</summary>
/// <remarks>A separate port from <see cref="IJobQueue"/> so workers, which never need it, do not carry it.</remarks>
public interface IDeadLetterStore
{
    /// <summary>The oldest <paramref name="max"/> dead letters, oldest first, with reason and time.</summary>
    ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max, CancellationToken cancellationToken);

    /// <summary>Whether a dead letter has that job id (the requeue route checks before it touches the job's record).</summary>
    ValueTask<bool> HasDeadLetterAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Puts a dead-lettered job back on its lane with attempt 0; false if no dead letter has that job id.</summary>
    ValueTask<bool> RequeueDeadLetterAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Deletes one dead letter for good; false if no dead letter has that job id.</summary>
    ValueTask<bool> PurgeDeadLetterAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Deletes every dead letter; returns how many there were.</summary>
    ValueTask<long> PurgeAllDeadLettersAsync(CancellationToken cancellationToken);
}
