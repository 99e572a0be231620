using System.ComponentModel.DataAnnotations;

namespace DocFlow.Processing;

/// <summary>When and how a large document is split into page-range jobs that any worker may take. Section "Split".</summary>
/// <remarks>Pages are the unit of parallel work (DESIGN §1): inside one process the engine already spreads a
/// document's pages over its slots; splitting spreads them over every worker of the platform.</remarks>
public sealed class SplitOptions
{
    public const string SectionName = "Split";

    /// <summary>Documents with more pages than this are split; 0 never splits. <value>Default 8.</value></summary>
    [Range(0, 100_000)]
    public int PageThreshold { get; set; } = 8;

    /// <summary>Pages in one range job. <value>Default 4.</value></summary>
    /// <remarks>Small enough that N workers share a long scan evenly, large enough that loading the original and
    /// storing the layouts stay small next to the OCR of the range (about 0.5 s a page).</remarks>
    [Range(1, 10_000)]
    public int RangeSize { get; set; } = 4;

    /// <summary>Whether a document of <paramref name="pages"/> pages is split.</summary>
    public bool ShouldSplit(int pages) => PageThreshold > 0 && pages > PageThreshold;
}

/// <summary>Plans the page ranges of a split document.</summary>
public static class SplitPlanner
{
    /// <summary>Consecutive ranges of <paramref name="rangeSize"/> pages covering 1..<paramref name="pages"/>; the last may be shorter.</summary>
    public static IReadOnlyList<Queueing.PageRange> Plan(int pages, int rangeSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rangeSize, 1);
        var ranges = new List<Queueing.PageRange>((pages + rangeSize - 1) / rangeSize);
        for (var first = 1; first <= pages; first += rangeSize)
            ranges.Add(new Queueing.PageRange(first, Math.Min(first + rangeSize - 1, pages)));
        return ranges;
    }
}
