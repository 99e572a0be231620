namespace DocFlow.Queueing;

/// <summary>Removes a document's or a batch's tickets from the queue: waiting, delayed for a retry, held by no live
/// worker, and dead-lettered (erasure: no ticket, with its file name, may outlive the document).</summary>
/// <remarks>A ticket a worker holds at that moment cannot be taken back; the worker finds no job in the store and drops
/// it (<c>DocumentJobHandler</c> acknowledges unknown jobs).</remarks>
public interface IQueueErasure
{
    /// <summary>Removes every entry whose job id or parent job id is one of <paramref name="jobIds"/>, and, when
    /// <paramref name="batchId"/> is given, every entry of that batch (its report job included).</summary>
    /// <returns>How many entries were removed.</returns>
    ValueTask<long> EraseAsync(IReadOnlyCollection<string> jobIds, string? batchId, CancellationToken cancellationToken);
}
