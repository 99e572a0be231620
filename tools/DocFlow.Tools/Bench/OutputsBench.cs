using System.Diagnostics;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.Outputs;
using DocFlow.Processing;
using DocFlow.Samples;
using Spectre.Console;

namespace DocFlow.Tools.Bench;

/// <summary>
/// `docflow bench outputs`: what the searchable PDF costs next to the OCR that feeds it (a 20-page scanned PDF: the sample
/// scan repeated), and how much larger it is than its input (that PDF, and every bundled scan image); hOCR and Markdown
/// timings on the same Document.
/// </summary>
internal static class OutputsBench
{
    public const string Mode = "outputs";
    private const int Pages = 20;

    public static async Task<int> RunAsync(BenchSettings settings, string work, CancellationToken ct)
    {
        var corpus = BenchSettings.DefaultCorpus;
        if (!System.IO.Directory.Exists(corpus)) SampleCorpus.Generate(corpus, SampleCorpus.DefaultSeed);
        var scan = Path.Combine(corpus, "scanned-contract.pdf");
        // Every page its own image objects, as a real 20-page scan has (Repeat would share the two pages' images).
        var pdf = LargeDocuments.RepeatDistinct(await File.ReadAllBytesAsync(scan, ct), Pages);
        var cores = Environment.ProcessorCount;
        var repeat = Math.Max(1, settings.Repeat);

        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = cores });
        Document? document = null;
        var ocr = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = await engine.ProcessAsync(new DocumentInput("long-scan.pdf", pdf), ct);
            ocr.Add(clock.Elapsed.TotalSeconds);
            if (result.Stats.OcrPages.Count != Pages) throw new InvalidOperationException("the long scan was not OCR'd page by page");
            document = result.Document;
        }

        byte[] output = [];
        var write = Time(() => output = SearchablePdf.Write(document!, pdf, ct), Math.Max(5, repeat));
        var hocr = Time(() => Hocr.Write(document!), Math.Max(5, repeat));
        var markdown = Time(() => Markdown.Write(document!), Math.Max(5, repeat));
        var chunks = Time(() => Chunker.Chunk(document!), Math.Max(5, repeat));
        await File.WriteAllBytesAsync(Path.Combine(work, "long-scan.searchable.pdf"), output, ct);

        var rows = new List<(string Name, string Value)>
        {
            ($"OCR, one {Pages}-page scanned PDF ({cores} slots)", $"{Median(ocr):F2} s"),
            ("searchable PDF written", $"{Median(write) * 1000:F1} ms = {100 * Median(write) / Median(ocr):F2} % of the OCR time"),
            ("searchable PDF size", $"{output.Length / 1024.0:F1} KiB vs input {pdf.Length / 1024.0:F1} KiB = {100.0 * (output.Length - pdf.Length) / pdf.Length:+0.00;-0.00} %"),
            ("hOCR / Markdown / chunks written", $"{Median(hocr) * 1000:F1} ms / {Median(markdown) * 1000:F1} ms / {Median(chunks) * 1000:F1} ms"),
        };
        // Image inputs: the PDF against the image file itself.
        foreach (var image in System.IO.Directory.EnumerateFiles(corpus).Where(f => f.EndsWith(".png", StringComparison.Ordinal)
                     || f.EndsWith(".jpg", StringComparison.Ordinal) || f.EndsWith(".tif", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var bytes = await File.ReadAllBytesAsync(image, ct);
            var doc = (await engine.ProcessAsync(new DocumentInput(Path.GetFileName(image), bytes), ct)).Document;
            var size = SearchablePdf.Write(doc, bytes, ct).Length;
            rows.Add(($"searchable PDF of {Path.GetFileName(image)}", $"{size / 1024.0:F1} KiB vs {bytes.Length / 1024.0:F1} KiB = {100.0 * (size - bytes.Length) / bytes.Length:+0.00;-0.00} %"));
        }

        var table = new Spectre.Console.Table().Border(TableBorder.Rounded).AddColumn("Measure").AddColumn("Result");
        foreach (var (name, value) in rows) table.AddRow(Markup.Escape(name), Markup.Escape(value));
        AnsiConsole.Write(table);
        var report = Path.Combine(work, "bench-outputs.txt");
        await File.WriteAllLinesAsync(report, rows.Select(r => $"{r.Name}: {r.Value}"), ct);
        AnsiConsole.MarkupLineInterpolated($"Figures also written to [blue]{report}[/]");
        return 0;
    }

    /// <summary>Seconds per run of <paramref name="action"/>, after one untimed run.</summary>
    private static List<double> Time(Action action, int runs)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return times;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
