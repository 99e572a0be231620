using DocFlow.Queueing;
using DocFlow.Storage;

namespace DocFlow.Data.Entities;

// Table rows. Column names are snake_case (set in DocFlowDbContext) so the hand-written
// SQL (result upsert) and the docs read the same on both providers.

internal sealed class BatchEntity
{
    public required string Id { get; set; }
    public string Tenant { get; set; } = DocFlow.Security.Tenants.Default;
    public DateTimeOffset CreatedAt { get; set; }
    public int Total { get; set; }
    /// <summary>When a legal hold was placed on the batch (covers its jobs); null when not held.</summary>
    public DateTimeOffset? LegalHoldAt { get; set; }
}

internal sealed class JobEntity
{
    public required string Id { get; set; }
    public required string BatchId { get; set; }
    public string Tenant { get; set; } = DocFlow.Security.Tenants.Default;
    /// <summary>Size of the original in bytes (the tenant's bytes-stored quota); 0 when not known.</summary>
    public long Bytes { get; set; }
    public int Ordinal { get; set; }
    public required string FileName { get; set; }
    public required string BlobKey { get; set; }
    public string? Sha256 { get; set; }
    public string? OptionsKey { get; set; }
    public string? MimeType { get; set; }
    /// <summary>The pages to read (PageSelection's canonical text); null reads every page.</summary>
    public string? PageSelection { get; set; }
    public JobRoute Route { get; set; }
    public JobPriority Priority { get; set; }
    public JobStatus Status { get; set; }
    public int Attempts { get; set; }
    public int? Pages { get; set; }
    /// <summary>Comma-separated 1-based page numbers.</summary>
    public string? OcrPages { get; set; }
    public string? EnginePath { get; set; }
    public string? Engine { get; set; }
    public string? DocumentType { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public long? DurationMs { get; set; }
    /// <summary>When a legal hold was placed on the job; null when not held.</summary>
    public DateTimeOffset? LegalHoldAt { get; set; }
}

internal sealed class JobStatusChangeEntity
{
    public long Id { get; set; }
    public required string JobId { get; set; }
    public JobStatus Status { get; set; }
    public DateTimeOffset At { get; set; }
}

internal sealed class JobResultEntity
{
    public required string JobId { get; set; }
    /// <summary>Document AI JSON: jsonb on PostgreSQL, TEXT on SQLite.</summary>
    public required string Document { get; set; }
    public DateTimeOffset SavedAt { get; set; }
    /// <summary>The tenant of the result's job, written with the result from the job's row (never from the caller), so a
    /// scoped read of a result is one indexed row and a plain predicate instead of a sub-query on jobs.</summary>
    public string Tenant { get; set; } = DocFlow.Security.Tenants.Default;
}

/// <summary>A split job: how many parts it has, and which part won the right to finish it.</summary>
internal sealed class JobSplitEntity
{
    public required string JobId { get; set; }
    public int Parts { get; set; }
    /// <summary>The part that finishes the job (claimed when all parts are stored); null until then.</summary>
    public int? FinisherPart { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One page range of a split job and, once read, its page layouts.</summary>
internal sealed class JobPartEntity
{
    public required string JobId { get; set; }
    public int PartIndex { get; set; }
    public int FirstPage { get; set; }
    public int LastPage { get; set; }
    public string? MimeType { get; set; }
    /// <summary>The range's PageLayout records as JSON (TEXT on both providers: an opaque blob, read back exactly).</summary>
    public string? Layouts { get; set; }
    /// <summary>Comma-separated page numbers rasterised before OCR.</summary>
    public string? RasterizedPages { get; set; }
    public string? ProcessedBy { get; set; }
    public DateTimeOffset? DoneAt { get; set; }
}

/// <summary>A batch's report as the report job left it: file name = blob key pairs, or the error.</summary>
internal sealed class BatchReportEntity
{
    public required string BatchId { get; set; }
    public bool Succeeded { get; set; }
    /// <summary>"name=key" lines (report.pdf, results.csv, results.json).</summary>
    public string? Files { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset MadeAt { get; set; }
}

/// <summary>A Document AI batch operation's request beyond its batch (IBatchOperationStore).</summary>
internal sealed class BatchOperationEntity
{
    public required string BatchId { get; set; }
    public required string Tenant { get; set; }
    public required string ProcessorType { get; set; }
    public string? OutputPrefix { get; set; }
    public string? FieldMask { get; set; }
    /// <summary>SHA-256 (hex) of the caller and the request body.</summary>
    public required string RequestKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public DateTimeOffset? OutputsWrittenAt { get; set; }
}

/// <summary>An API key: its id, role and the SHA-256 of the full key; never the key.</summary>
internal sealed class ApiKeyEntity
{
    public required string Id { get; set; }
    public string? Name { get; set; }
    public required string Role { get; set; }
    public string Tenant { get; set; } = DocFlow.Security.Tenants.Default;
    public required string KeyHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>One audit log entry (append-only; hash-chained by <see cref="DocFlow.Security.AuditChain"/>).</summary>
internal sealed class AuditEntryEntity
{
    public long Sequence { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Principal { get; set; }
    public string? Role { get; set; }
    public string Tenant { get; set; } = DocFlow.Security.Tenants.Default;
    public required string Action { get; set; }
    public string? Target { get; set; }
    public int Outcome { get; set; }
    public string? ClientAddress { get; set; }
    public string? RequestId { get; set; }
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
}
