using System.Globalization;
using DocFlow.Reports.Pdf;
using ScottPlot;

namespace DocFlow.Reports.Charts;

/// <summary>The report's charts as PNG images (ScottPlot on SkiaSharp), drawn with DejaVu Sans.</summary>
internal static class ReportCharts
{
    private const string Font = "DejaVu Sans";
    private static readonly Lock Gate = new();
    private static bool _fontsAdded;

    /// <summary>Histogram of per-document latency (documents processed in this run).</summary>
    public static byte[] LatencyHistogram(IReadOnlyList<ResultRow> rows, int width, int height)
    {
        var ms = rows.Where(r => r.ProcessedNow).Select(r => (double)r.Milliseconds).ToArray();
        var plot = NewPlot("Latency per document", "Latency (ms)", "Documents");
        if (ms.Length > 0)
        {
            var min = ms.Min();
            var max = ms.Max();
            var binCount = Math.Clamp((int)Math.Ceiling(Math.Sqrt(ms.Length)), 5, 30);
            var binWidth = Math.Max((max - min) / binCount, 1);
            var counts = new double[binCount];
            foreach (var v in ms) counts[Math.Min((int)((v - min) / binWidth), binCount - 1)]++;
            var positions = Enumerable.Range(0, binCount).Select(i => min + (i + 0.5) * binWidth).ToArray();
            var bars = plot.Add.Bars(positions, counts);
            bars.Color = Colors.SteelBlue;
            foreach (var bar in bars.Bars) bar.Size = binWidth * 0.95;
            plot.Axes.Margins(bottom: 0);
        }
        return Png(plot, width, height, ms.Length == 0);
    }

    /// <summary>Documents with a result per document type.</summary>
    public static byte[] DocumentsByType(BatchAggregate aggregate, int width, int height)
    {
        var plot = NewPlot("Documents by type", "Document type", "Documents");
        var types = aggregate.ByType.ToList();
        if (types.Count > 0)
        {
            var bars = plot.Add.Bars(Enumerable.Range(0, types.Count).Select(i => (double)i).ToArray(), types.Select(t => (double)t.Value).ToArray());
            bars.Color = Colors.SeaGreen;
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                Enumerable.Range(0, types.Count).Select(i => (double)i).ToArray(), types.Select(t => t.Key).ToArray());
            plot.Axes.Bottom.MajorTickStyle.Length = 0;
            plot.Axes.Margins(bottom: 0);
            // Room for at least four bars, so one or two types do not fill the chart with a slab.
            var pad = (Math.Max(types.Count, 4) - types.Count) / 2.0;
            plot.Axes.SetLimitsX(-0.6 - pad, types.Count - 0.4 + pad);
        }
        return Png(plot, width, height, types.Count == 0);
    }

    /// <summary>Pages finished per second over the run, in up to 30 equal time slices.</summary>
    public static byte[] PagesPerSecond(IReadOnlyList<ResultRow> rows, long elapsedMs, int width, int height)
    {
        var plot = NewPlot("Throughput over the run", "Time since start (s)", "Pages per second");
        var (xs, ys) = ThroughputSeries(rows, elapsedMs);
        if (xs.Length > 0)
        {
            var line = plot.Add.Scatter(xs, ys);
            line.Color = Colors.DarkOrange;
            line.LineWidth = 1.5f;
            line.MarkerSize = 4;
            plot.Axes.SetLimitsY(0, Math.Max(ys.Max() * 1.15, 0.1));
        }
        return Png(plot, width, height, xs.Length == 0);
    }

    /// <summary>Slice ends (seconds) and pages/s within each slice, from the documents' finish times.</summary>
    internal static (double[] Seconds, double[] PagesPerSecond) ThroughputSeries(IReadOnlyList<ResultRow> rows, long elapsedMs)
    {
        var done = rows.Where(r => r.ProcessedNow).ToList();
        if (done.Count == 0) return ([], []);
        var end = Math.Max(elapsedMs, done.Max(r => r.FinishedAtMs));
        if (end <= 0) return ([], []);
        var slices = Math.Clamp(done.Count, 1, 30);
        var width = end / (double)slices;
        var pages = new double[slices];
        foreach (var r in done) pages[Math.Min((int)(r.FinishedAtMs / width), slices - 1)] += r.Pages;
        var xs = Enumerable.Range(1, slices).Select(i => Math.Round(i * width / 1000, 3)).ToArray();
        var ys = pages.Select(p => p / (width / 1000)).ToArray();
        return (xs, ys);
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        EnsureFonts();
        // Sizes below are in points of the PDF page: the image is drawn at 2 px per point.
        var plot = new Plot { ScaleFactor = 2 };
        plot.Font.Set(Font);
        plot.Title(title, 11);
        plot.XLabel(x, 9);
        plot.YLabel(y, 9);
        plot.Axes.Title.Label.FontName = Font;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 7.5f;
        plot.Axes.Left.TickLabelStyle.FontSize = 7.5f;
        return plot;
    }

    private static byte[] Png(Plot plot, int width, int height, bool empty)
    {
        if (empty)
        {
            var text = plot.Add.Text("no data", 0.5, 0.5);
            text.LabelFontName = Font;
            text.LabelFontSize = 10;
            text.LabelAlignment = Alignment.MiddleCenter;
            plot.Axes.SetLimits(0, 1, 0, 1);
        }
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>SkiaSharp's self-contained Linux build finds no system fonts: register DejaVu with ScottPlot once.</summary>
    private static void EnsureFonts()
    {
        lock (Gate)
        {
            if (_fontsAdded) return;
            ScottPlot.Fonts.AddFontFile(Font, DejaVuFontResolver.PathOf("Sans"), bold: false, italic: false);
            ScottPlot.Fonts.AddFontFile(Font, DejaVuFontResolver.PathOf("SansBold"), bold: true, italic: false);
            ScottPlot.Fonts.Default = Font;
            _fontsAdded = true;
        }
    }

    internal static string Invariant(double d) => d.ToString("0.##", CultureInfo.InvariantCulture);
}
