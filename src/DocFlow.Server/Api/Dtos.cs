using DocFlow.Storage;

namespace DocFlow.Server.Api;

/// <summary>A batch as the API reports it.</summary>
public sealed record BatchDto(string Id, string Status, int Total, int Queued, int Processing, int Succeeded, int Failed,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
{
    /// <summary>Set when the batch is completed.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Reports.BatchAggregate? Aggregate { get; init; }

    /// <summary>The tenant the batch belongs to.</summary>
    public string Tenant { get; init; } = DocFlow.Security.Tenants.Default;

    /// <summary>Whether the batch is under legal hold (no erasure, no retention sweep of it or its documents).</summary>
    public bool LegalHold { get; init; }

    public static BatchDto From(BatchRecord b) =>
        new(b.Id, b.Status.ToWireName(), b.Total, b.Queued, b.Processing, b.Succeeded, b.Failed, b.CreatedAt, b.FinishedAt) { Tenant = b.Tenant, LegalHold = b.LegalHold };
}

public sealed record ErrorDto(string Code, string Message);

/// <summary>One document of a batch listing.</summary>
public sealed record BatchDocumentDto(string Id, string FileName, string Status, string? MimeType, int? Pages, int Attempts, ErrorDto? Error)
{
    public static BatchDocumentDto From(JobRecord j) =>
        new(j.Id, j.FileName, j.Status.ToWireName(), j.MimeType, j.Pages, j.Attempts, ErrorOf(j));

    internal static ErrorDto? ErrorOf(JobRecord j) => j.ErrorCode is null ? null : new ErrorDto(j.ErrorCode, j.ErrorMessage ?? "");
}

/// <summary>The job record of one document.</summary>
public sealed record DocumentDto(
    string Id, string BatchId, string FileName, string Status, string? MimeType, string Route, string Priority,
    int? Pages, IReadOnlyList<int> OcrPages, string? EnginePath, string? DocumentType, int Attempts, ErrorDto? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long? DurationMs,
    IReadOnlyList<StatusChangeDto> History)
{
    /// <summary>The tenant the document belongs to.</summary>
    public string Tenant { get; init; } = DocFlow.Security.Tenants.Default;

    /// <summary>Whether the document itself is under legal hold (its batch may be: see the batch).</summary>
    public bool LegalHold { get; init; }

    /// <summary>The pages selected on upload (<c>1-3,7,-1</c>, <c>first:N</c>, <c>last:N</c>); absent when every page is read.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? PageSelection { get; init; }

    /// <summary>The engine that produced the Document: "local" or a cloud engine's name; null before a result.</summary>
    public string? Engine { get; init; }

    public static DocumentDto From(JobRecord j) => new(
        j.Id, j.BatchId, j.FileName, j.Status.ToWireName(), j.MimeType, Queueing.JobRoutes.ToWireName(j.Route),
        Queueing.JobRoutes.ToWireName(j.Priority), j.Pages, j.OcrPages, j.EnginePath, j.DocumentType, j.Attempts,
        BatchDocumentDto.ErrorOf(j), j.CreatedAt, j.StartedAt, j.FinishedAt, j.DurationMs,
        [.. j.History.Select(h => new StatusChangeDto(h.Status.ToWireName(), h.At))]) { Tenant = j.Tenant, LegalHold = j.LegalHold, PageSelection = j.PageSelection, Engine = j.Engine };
}

public sealed record StatusChangeDto(string Status, DateTimeOffset At);

public sealed record AcceptedDocumentDto(string Id, string FileName, string Status, string? MimeType, ErrorDto? Error);

public sealed record AcceptedBatchDto(string BatchId, IReadOnlyList<AcceptedDocumentDto> Documents);

public sealed record LaneDto(string Route, string Priority, long Depth, long InFlight, double OldestAgeSeconds);

public sealed record QueuesDto(IReadOnlyList<LaneDto> Lanes, long Depth, long InFlight, long Delayed, long DeadLetters);
