namespace DocFlow.Reports;

/// <summary>One document of a batch as the reports see it: its outcome, processing figures and key fields.
/// A row of results.csv / results.json and the input of <see cref="BatchAggregate"/>.</summary>
public sealed class ResultRow
{
    public string File { get; init; } = "";
    /// <summary>succeeded, failed or skipped (result reused from an earlier run).</summary>
    public string Status { get; init; } = "";
    public string? DocumentType { get; init; }
    public string? MimeType { get; init; }
    public int Pages { get; init; }
    public int OcrPages { get; init; }
    /// <summary>Wall time of the document in milliseconds.</summary>
    public long Milliseconds { get; init; }
    /// <summary>When the document finished, in milliseconds since the batch started.</summary>
    public long FinishedAtMs { get; init; }
    /// <summary>The engine that produced the Document: "local" or a cloud engine's name ("local" when nothing else).</summary>
    public string Engine { get; init; } = LocalEngine;
    /// <summary>Pages × the engine's price per page (<see cref="EnginePrices"/>), in <see cref="BatchAggregate.Currency"/>;
    /// null when no price is configured for the engine.</summary>
    public decimal? Cost { get; init; }
    public KeyFields? Fields { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    /// <summary>Document JSON file of a result, relative to the output folder (not exported).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Output { get; init; }

    public const string LocalEngine = "local";

    internal bool HasResult => Status is "succeeded" or "skipped";
    internal bool ProcessedNow => Status is "succeeded" or "failed";
}
