using DocFlow.Queueing;

namespace DocFlow.Storage;

/// <summary>A batch as the API reports it: counts per status and its own status.</summary>
/// <param name="Id">The batch id.</param>
/// <param name="Total">Number of documents.</param>
/// <param name="Queued">Documents waiting for a worker.</param>
/// <param name="Processing">Documents a worker has.</param>
/// <param name="Succeeded">Documents with a result.</param>
/// <param name="Failed">Documents that failed for good.</param>
/// <param name="CreatedAt">When the batch was recorded.</param>
/// <param name="FinishedAt">When the last document became terminal; null while running.</param>
public sealed record BatchRecord(
    string Id,
    int Total,
    int Queued,
    int Processing,
    int Succeeded,
    int Failed,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt)
{
    /// <summary>The tenant the batch belongs to (its uploader's).</summary>
    public string Tenant { get; init; } = Security.Tenants.Default;

    /// <summary>Running until every document is succeeded or failed, then completed.</summary>
    public BatchStatus Status => Succeeded + Failed == Total ? BatchStatus.Completed : BatchStatus.Running;

    /// <summary>Whether the batch is under legal hold (filled by <see cref="IJobMonitoringStore.GetBatchAsync"/> only).</summary>
    public bool LegalHold { get; init; }
}

/// <summary>One document's job: what was submitted, where it is, and how it was processed.</summary>
public sealed record JobRecord
{
    public required string Id { get; init; }
    public required string BatchId { get; init; }

    /// <summary>The tenant the job belongs to (its batch's).</summary>
    public string Tenant { get; init; } = Security.Tenants.Default;

    /// <summary>Position in the batch (0-based), the order documents are listed in.</summary>
    public int Ordinal { get; init; }

    /// <summary>The name the file was submitted under (for people only).</summary>
    public required string FileName { get; init; }

    /// <summary>Where the original is in blob storage.</summary>
    public required string BlobKey { get; init; }

    /// <summary>Lower-case hex SHA-256 of the content (the dedup key, with <see cref="OptionsKey"/>).</summary>
    public string? Sha256 { get; init; }

    /// <summary>A stable digest of the processing options; same content + same options = same result.</summary>
    public string? OptionsKey { get; init; }

    public string? MimeType { get; init; }

    /// <summary>The pages to read (<see cref="Processing.PageSelection"/>'s canonical text); null reads every page.</summary>
    public string? PageSelection { get; init; }

    public JobRoute Route { get; init; }
    public JobPriority Priority { get; init; }
    public JobStatus Status { get; init; }

    /// <summary>How many deliveries started (1 after the first try).</summary>
    public int Attempts { get; init; }

    public int? Pages { get; init; }

    /// <summary>1-based numbers of the pages that were OCR'd.</summary>
    public IReadOnlyList<int> OcrPages { get; init; } = [];

    /// <summary>"text-layer", "ocr" or "mixed".</summary>
    public string? EnginePath { get; init; }

    /// <summary>The engine that produced the Document: "local" or a cloud engine's name (docs/engines.md); null before a result.</summary>
    public string? Engine { get; init; }

    public string? DocumentType { get; init; }

    /// <summary>Wire name of the <c>DocumentErrorCode</c> when failed.</summary>
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long? DurationMs { get; init; }

    /// <summary>Whether the job itself is under legal hold (its batch may be held too: see <see cref="BatchRecord.LegalHold"/>).</summary>
    public bool LegalHold { get; init; }

    /// <summary>Every status the job has been in, oldest first (filled by <see cref="IJobMonitoringStore.GetJobAsync"/> and <see cref="IJobProcessingStore.GetJobAsync"/> only).</summary>
    public IReadOnlyList<JobStatusChange> History { get; init; } = [];
}

/// <summary>One entry of a job's status history.</summary>
public sealed record JobStatusChange(JobStatus Status, DateTimeOffset At);

/// <summary>A document to record with its batch.</summary>
public sealed record NewJob(string Id, string FileName, string BlobKey, JobRoute Route, JobPriority Priority)
{
    public string? Sha256 { get; init; }
    public string? OptionsKey { get; init; }
    public string? MimeType { get; init; }

    /// <summary>The pages to read (<see cref="Processing.PageSelection"/>'s canonical text); null reads every page.</summary>
    public string? PageSelection { get; init; }

    /// <summary>Size of the original in bytes (counted against the tenant's bytes-stored quota).</summary>
    public long Bytes { get; init; }
}

/// <summary>What a tenant uses now, against its quotas.</summary>
/// <param name="DocumentsSince">Documents recorded since the start of the period asked about (the UTC day).</param>
/// <param name="BytesStored">Bytes of the originals of every job the tenant has.</param>
/// <param name="ActiveJobs">Jobs queued or processing.</param>
public sealed record TenantUsage(long DocumentsSince, long BytesStored, long ActiveJobs);

/// <summary>What a move to another status carries.</summary>
/// <remarks>Error fields are written on a move to failed and cleared on any other move.</remarks>
public sealed record StatusDetails(string? ErrorCode = null, string? ErrorMessage = null);

/// <summary>A page of jobs, newest or oldest first, with keyset paging.</summary>
/// <param name="BatchId">Only this batch's jobs, in submission order (ordinal).</param>
/// <param name="Status">Only jobs in this status.</param>
/// <param name="Limit">Page size, 1..1000.</param>
/// <param name="Cursor">The <see cref="JobPage.NextCursor"/> of the page before; null for the first page.</param>
/// <param name="NewestFirst">Order by creation time descending (ignored for a batch, which lists in submission order).</param>
public sealed record JobQuery(string? BatchId = null, JobStatus? Status = null, int Limit = 100, string? Cursor = null, bool NewestFirst = false);

/// <summary>One page of <see cref="JobQuery"/>; <paramref name="NextCursor"/> is null on the last page.</summary>
public sealed record JobPage(IReadOnlyList<JobRecord> Items, string? NextCursor);

/// <summary>A page of recent batches, newest first, with keyset paging.</summary>
/// <param name="Limit">Page size, 1..1000.</param>
/// <param name="Cursor">The <see cref="BatchPage.NextCursor"/> of the page before; null for the first page.</param>
public sealed record BatchQuery(int Limit = 20, string? Cursor = null);

/// <summary>One page of <see cref="BatchQuery"/>; <paramref name="NextCursor"/> is null on the last page.</summary>
public sealed record BatchPage(IReadOnlyList<BatchRecord> Items, string? NextCursor);

/// <summary>A finished job as throughput and latency see it.</summary>
/// <param name="FinishedAt">When it became succeeded or failed.</param>
/// <param name="Status">Succeeded or failed.</param>
/// <param name="Pages">Pages, when known (null for jobs that failed before they were read).</param>
/// <param name="DurationMs">Engine time, when a result was stored.</param>
public sealed record FinishedJob(DateTimeOffset FinishedAt, JobStatus Status, int? Pages, long? DurationMs)
{
    /// <summary>The engine that produced the Document ("local" or a cloud engine's name), when one did.</summary>
    public string? Engine { get; init; }
}
