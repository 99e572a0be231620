using System.Text.Json;
using System.Text.Json.Serialization;
using DocFlow.Reports;

namespace DocFlow.Cli.Batch;

/// <summary>DIR/summary.json: one entry per input file, plus totals. Also the resume state of a run.</summary>
public sealed class BatchSummary
{
    /// <summary>The batch's id in the run's store (output folder, .docflow/docflow.db); null when no file reached the ingest.</summary>
    public string? BatchId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    public long ElapsedMs { get; set; }
    public int Slots { get; set; }
    public string? Options { get; set; }
    public BatchTotals Totals { get; set; } = new();
    /// <summary>Counts by status and type, OCR share, latency, totals per supplier and currency, errors by code.</summary>
    public BatchAggregate? Aggregate { get; set; }
    /// <summary>The report job (report.pdf, results.csv, results.json); null until it has run.</summary>
    public ReportOutcome? Report { get; set; }
    public List<FileEntry> Files { get; set; } = [];

    public static BatchSummary? TryLoad(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), BatchJsonContext.Default.BatchSummary);
        }
        catch (JsonException)
        {
            return null; // an unreadable summary only means nothing can be resumed
        }
    }

    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(this, BatchJsonContext.Default.BatchSummary));
}

public sealed class BatchTotals
{
    public int Files { get; set; }
    public int Succeeded { get; set; }
    public int Failed { get; set; }
    public int Skipped { get; set; }
    public int Pages { get; set; }
    public int OcrPages { get; set; }
    public double DocsPerSecond { get; set; }
    public double PagesPerSecond { get; set; }
}

public sealed class FileEntry
{
    /// <summary>Path of the input as given (relative to its folder argument when one was given).</summary>
    public string File { get; set; } = "";
    /// <summary>Output file, relative to the output folder.</summary>
    public string Output { get; set; } = "";
    /// <summary>succeeded, failed or skipped (already done in an earlier run).</summary>
    public string Status { get; set; } = "";
    public string? MimeType { get; set; }
    /// <summary>invoice, receipt, form, letter, report or other, when the classifier ran.</summary>
    public string? DocumentType { get; set; }
    public int Pages { get; set; }
    public List<int> OcrPages { get; set; } = [];
    public List<int> RasterizedPages { get; set; } = [];
    public Dictionary<int, int>? RotatedPages { get; set; }
    public string? EnginePath { get; set; }
    public long Milliseconds { get; set; }
    /// <summary>When the file finished, in milliseconds since the batch started (throughput over the run).</summary>
    public long FinishedAtMs { get; set; }
    /// <summary>Supplier, invoice id, dates, amounts and currency from the entities, when there are any.</summary>
    public KeyFields? Fields { get; set; }
    public int Attempts { get; set; }
    public string? Sha256 { get; set; }
    public string? Options { get; set; }
    public ErrorInfo? Error { get; set; }

    /// <summary>The entry as a report row. <c>docflow process</c> runs the local engine only; a reused result costs nothing now.</summary>
    public ResultRow ToResultRow(EnginePrices? prices = null) => new()
    {
        Engine = ResultRow.LocalEngine,
        Cost = Status switch
        {
            "succeeded" => (prices ?? EnginePrices.None).CostOf(ResultRow.LocalEngine, Pages),
            "skipped" => (prices ?? EnginePrices.None).CostOf(ResultRow.LocalEngine, 0),
            _ => null,
        },
        File = File,
        Status = Status,
        DocumentType = DocumentType,
        MimeType = MimeType,
        Pages = Pages,
        OcrPages = OcrPages.Count,
        Milliseconds = Milliseconds,
        FinishedAtMs = FinishedAtMs,
        Fields = Fields,
        ErrorCode = Error?.Code,
        ErrorMessage = Error?.Message,
        Output = Status == "failed" ? null : Output,
    };
}

public sealed class ErrorInfo
{
    public string Code { get; set; } = "";
    public string Message { get; set; } = "";
}

/// <summary>NAME.error.json: the sniffed type and the error.</summary>
public sealed class ErrorFile
{
    public string? MimeType { get; set; }
    public ErrorInfo Error { get; set; } = new();
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(BatchSummary))]
[JsonSerializable(typeof(ErrorFile))]
[JsonSerializable(typeof(FileEntry))]
internal sealed partial class BatchJsonContext : JsonSerializerContext;
