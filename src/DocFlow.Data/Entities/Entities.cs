using DocFlow.Queueing;
using DocFlow.Storage;

namespace DocFlow.Data.Entities;

// Table rows. Column names are snake_case (set in DocFlowDbContext) so the hand-written
// SQL (result upsert) and the docs read the same on both providers.

internal sealed class BatchEntity
{
    public required string Id { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Total { get; set; }
}

internal sealed class JobEntity
{
    public required string Id { get; set; }
    public required string BatchId { get; set; }
    public int Ordinal { get; set; }
    public required string FileName { get; set; }
    public required string BlobKey { get; set; }
    public string? Sha256 { get; set; }
    public string? OptionsKey { get; set; }
    public string? MimeType { get; set; }
    public JobRoute Route { get; set; }
    public JobPriority Priority { get; set; }
    public JobStatus Status { get; set; }
    public int Attempts { get; set; }
    public int? Pages { get; set; }
    /// <summary>Comma-separated 1-based page numbers.</summary>
    public string? OcrPages { get; set; }
    public string? EnginePath { get; set; }
    public string? DocumentType { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public long? DurationMs { get; set; }
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
}
