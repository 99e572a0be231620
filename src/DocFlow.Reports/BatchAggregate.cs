namespace DocFlow.Reports;

/// <summary>
/// What a batch amounts to: counts by status and type, pages and OCR share, latency, totals per
/// supplier and currency, and errors by code. Pure: computed from the rows alone.
/// </summary>
/// <remarks>Content figures (types, pages, OCR share, totals) count every document with a result, reused ones
/// included; latency counts only documents processed in this run (a reused result took no time now).</remarks>
public sealed class BatchAggregate
{
    public const string Unknown = "unknown";

    public int Documents { get; set; }
    /// <summary>Documents per status, most frequent first.</summary>
    public Dictionary<string, int> ByStatus { get; set; } = [];
    /// <summary>Documents with a result per document type ("unknown" when not classified), most frequent first.</summary>
    public Dictionary<string, int> ByType { get; set; } = [];
    public int Pages { get; set; }
    public int OcrPages { get; set; }
    /// <summary>OCR'd pages / pages, 0..1 (0 for no pages).</summary>
    public double OcrShare { get; set; }
    public LatencyStats Latency { get; set; } = new();
    /// <summary>Sum of total_amount per supplier and currency, largest first within a currency.</summary>
    public List<SupplierTotal> Totals { get; set; } = [];
    /// <summary>Failed documents grouped by error code, most frequent first.</summary>
    public List<ErrorGroup> Errors { get; set; } = [];
    /// <summary>Documents with a result per engine, with their pages and cost (null without a price), most documents first.</summary>
    public List<EngineTotal> Engines { get; set; } = [];
    /// <summary>Currency of the costs (<see cref="EnginePrices.Currency"/>).</summary>
    public string Currency { get; set; } = EnginePrices.None.Currency;
    /// <summary>Whether a price table was configured (costs may be shown).</summary>
    public bool Priced { get; set; }

    public static BatchAggregate Compute(IReadOnlyList<ResultRow> rows) => Compute(rows, EnginePrices.None);

    public static BatchAggregate Compute(IReadOnlyList<ResultRow> rows, EnginePrices prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(rows);
        var withResult = rows.Where(r => r.HasResult).ToList();
        var pages = withResult.Sum(r => r.Pages);
        var ocr = withResult.Sum(r => r.OcrPages);
        return new BatchAggregate
        {
            Documents = rows.Count,
            ByStatus = CountBy(rows, r => r.Status),
            ByType = CountBy(withResult, r => string.IsNullOrWhiteSpace(r.DocumentType) ? Unknown : r.DocumentType!),
            Pages = pages,
            OcrPages = ocr,
            OcrShare = pages == 0 ? 0 : Math.Round((double)ocr / pages, 4),
            Latency = LatencyStats.Of(rows.Where(r => r.ProcessedNow).Select(r => r.Milliseconds)),
            Totals = [.. withResult
                .Where(r => r.Fields?.TotalAmount is not null)
                .GroupBy(r => (Supplier: Clean(r.Fields!.Supplier) ?? Unknown, Currency: Clean(r.Fields!.Currency)?.ToUpperInvariant() ?? ""))
                .Select(g => new SupplierTotal
                {
                    Supplier = g.Key.Supplier,
                    Currency = g.Key.Currency,
                    Documents = g.Count(),
                    Total = g.Sum(r => r.Fields!.TotalAmount!.Value),
                })
                .OrderBy(t => t.Currency, StringComparer.Ordinal)
                .ThenByDescending(t => t.Total)
                .ThenBy(t => t.Supplier, StringComparer.Ordinal)],
            Errors = [.. rows
                .Where(r => r.Status == "failed")
                .GroupBy(r => r.ErrorCode ?? Unknown)
                .Select(g => new ErrorGroup { Code = g.Key, Count = g.Count(), Files = [.. g.Select(r => r.File)] })
                .OrderByDescending(e => e.Count)
                .ThenBy(e => e.Code, StringComparer.Ordinal)],
            Engines = [.. withResult
                .GroupBy(r => string.IsNullOrWhiteSpace(r.Engine) ? ResultRow.LocalEngine : r.Engine, StringComparer.OrdinalIgnoreCase)
                .Select(g => new EngineTotal
                {
                    Engine = g.Key,
                    Documents = g.Count(),
                    Pages = g.Sum(r => r.Pages),
                    Cost = g.Any(r => r.Cost is not null) ? g.Sum(r => r.Cost ?? 0) : null,
                })
                .OrderByDescending(e => e.Documents)
                .ThenBy(e => e.Engine, StringComparer.Ordinal)],
            Currency = prices.Currency,
            Priced = prices.Any,
        };
    }

    /// <summary>Nearest-rank percentile: the smallest value with at least <paramref name="p"/> of the values at or below it.</summary>
    public static double Percentile(IReadOnlyList<long> sortedAscending, double p)
    {
        if (sortedAscending.Count == 0) return 0;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 1);
        var rank = (int)Math.Ceiling(p * sortedAscending.Count);
        return sortedAscending[Math.Clamp(rank, 1, sortedAscending.Count) - 1];
    }

    private static Dictionary<string, int> CountBy(IEnumerable<ResultRow> rows, Func<ResultRow, string> key) =>
        rows.GroupBy(key)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Per-document wall time of the documents processed in a run, in milliseconds.</summary>
public sealed class LatencyStats
{
    public int Count { get; set; }
    public double MeanMs { get; set; }
    /// <summary>95th percentile, nearest rank.</summary>
    public double P95Ms { get; set; }
    public double MaxMs { get; set; }

    public static LatencyStats Of(IEnumerable<long> milliseconds)
    {
        var sorted = milliseconds.Order().ToList();
        if (sorted.Count == 0) return new LatencyStats();
        return new LatencyStats
        {
            Count = sorted.Count,
            MeanMs = Math.Round(sorted.Average(), 1),
            P95Ms = BatchAggregate.Percentile(sorted, 0.95),
            MaxMs = sorted[^1],
        };
    }
}

public sealed class SupplierTotal
{
    public string Supplier { get; set; } = "";
    /// <summary>ISO 4217 code, or empty when the document did not say.</summary>
    public string Currency { get; set; } = "";
    public int Documents { get; set; }
    public decimal Total { get; set; }
}

/// <summary>What one engine produced in a batch and what it cost.</summary>
public sealed class EngineTotal
{
    public string Engine { get; set; } = "";
    public int Documents { get; set; }
    public int Pages { get; set; }
    /// <summary>Sum of the documents' costs in <see cref="BatchAggregate.Currency"/>; null when the engine has no price.</summary>
    public decimal? Cost { get; set; }
    public decimal? CostPerDocument => Cost is { } c && Documents > 0 ? Math.Round(c / Documents, 6) : null;
}

public sealed class ErrorGroup
{
    public string Code { get; set; } = "";
    public int Count { get; set; }
    public List<string> Files { get; set; } = [];
}
