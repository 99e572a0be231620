using DocFlow.Queueing;

namespace DocFlow.Storage;

/// <summary>The worker side of split jobs, beside <see cref="IJobProcessingStore"/>: the plan, each range's page layouts, and who finishes the job.</summary>
/// <remarks>
/// Safe under at-least-once delivery like <see cref="IJobProcessingStore"/>: the plan is recorded once, a part's layouts are
/// upserted by (job id, part index), and <see cref="TryClaimFinishAsync"/> lets exactly one part finish the job.
/// </remarks>
public interface IJobPartStore
{
    /// <summary>Records the split plan of a job; a plan recorded before wins (a redelivered parent keeps its plan).</summary>
    /// <returns>The job's parts as stored, in part order.</returns>
    Task<IReadOnlyList<JobPart>> PlanPartsAsync(string jobId, IReadOnlyList<PageRange> ranges, CancellationToken cancellationToken);

    /// <summary>The job's parts in part order (without their layouts); empty when the job was not split.</summary>
    Task<IReadOnlyList<JobPart>> GetPartsAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Stores a part's result; one row per part however often it is called.</summary>
    Task SavePartAsync(string jobId, int part, PartResult result, CancellationToken cancellationToken);

    /// <summary>When every part is stored, makes <paramref name="part"/> the job's finisher unless another part
    /// already is. Exactly one part wins; the winner's redelivery wins again (it may have crashed while finishing).</summary>
    Task<bool> TryClaimFinishAsync(string jobId, int part, CancellationToken cancellationToken);

    /// <summary>The stored results of all done parts, in part order.</summary>
    Task<IReadOnlyList<PartResult>> GetPartResultsAsync(string jobId, CancellationToken cancellationToken);
}

/// <summary>One part of a split job.</summary>
/// <param name="Index">0-based position in the plan.</param>
/// <param name="Pages">The pages it covers.</param>
/// <param name="Done">Whether its layouts are stored.</param>
/// <param name="ProcessedBy">The worker that stored them (host:pid), when done.</param>
/// <param name="DoneAt">When they were stored.</param>
public sealed record JobPart(int Index, PageRange Pages, bool Done, string? ProcessedBy, DateTimeOffset? DoneAt);

/// <summary>What a part stores: the sniffed media type, its page layouts as JSON (<c>PageLayoutJson</c>),
/// the pages rasterised before OCR, and the worker that read them (host:pid).</summary>
public sealed record PartResult(string MimeType, string LayoutsJson, IReadOnlyList<int> RasterizedPages, string ProcessedBy);
