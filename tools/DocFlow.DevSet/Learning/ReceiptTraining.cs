using System.Text.Json;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Engine.Extraction;
using DocFlow.Engine.Extraction.Entities;
using DocFlow.Engine.Extraction.Learning;

namespace DocFlow.DevSet.Learning;

/// <summary>A receipt's text lines (reading order) with its labelled company and address; Ocr: lines read by our OCR, not the labels'.</summary>
public sealed record LabelledReceipt(string Id, IReadOnlyList<ReceiptLine> Lines, string Company, string Address, bool Ocr);

/// <summary>
/// Training data for the receipt line classifiers: sroie-lines (labelled lines, no images) and the sroie receipts
/// read from the OCR cache. A line is company (address) when it matches part of the labelled value, or holds all of it,
/// within a small edit distance (spaces ignored; a larger tolerance for OCR'd lines).
/// </summary>
public static class ReceiptTraining
{
    public static List<LabelledReceipt> LoadLines(string devset)
    {
        var root = Path.Combine(devset, "sroie-lines");
        var result = new List<LabelledReceipt>();
        foreach (var box in Directory.GetFiles(Path.Combine(root, "box"), "*.csv").Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileNameWithoutExtension(box);
            var key = Path.Combine(root, "key", id + ".json");
            if (!File.Exists(key)) continue;
            var lines = new List<ReceiptLine>();
            foreach (var raw in File.ReadAllLines(box))
            {
                var parts = raw.Split(',', 9);
                if (parts.Length < 9 || !parts[..8].All(p => float.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out _))) continue;
                var v = parts[..8].Select(p => float.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                var text = parts[8].Trim();
                if (text.Length == 0) continue;
                lines.Add(new ReceiptLine(text, new Box(Math.Min(v[0], v[6]), Math.Min(v[1], v[3]), Math.Max(v[2], v[4]), Math.Max(v[5], v[7]))));
            }
            var (company, address) = Key(key);
            result.Add(new LabelledReceipt("lines/" + id, ReceiptLineFeatures.Ordered(lines), company, address, false));
        }
        return result;
    }

    /// <summary>The sroie receipts' OCR'd first pages from the layout cache, in the engine's own line order.</summary>
    public static List<LabelledReceipt> LoadOcr(string devset, string cache)
    {
        var result = new List<LabelledReceipt>();
        using var engine = new LocalDocumentEngine(new EngineOptions());
        foreach (var (name, document) in Cached(engine, cache))
        {
            var key = Path.Combine(devset, "sroie", "key", name.Split('.')[0] + ".json");
            if (!File.Exists(key)) continue;
            var page = DocumentView.Pages(document).FirstOrDefault();
            if (page is null) continue;
            var (company, address) = Key(key);
            result.Add(new LabelledReceipt(name, [.. page.Lines.Select(l => new ReceiptLine(l.Text, l.Box))], company, address, true));
        }
        return result;
    }

    /// <summary>Every cached document (NAME, assembled and enriched by <paramref name="engine"/>).</summary>
    public static IEnumerable<(string Name, Document Document)> Cached(LocalDocumentEngine engine, string cache)
    {
        foreach (var file in Directory.GetFiles(cache, "*.layouts.json").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            var newline = text.IndexOf('\n');
            var layouts = PageLayoutJson.Deserialize(text[(newline + 1)..]);
            var result = engine.Finish(text[..newline], layouts, [], TimeSpan.Zero, CancellationToken.None);
            yield return (Path.GetFileName(file)[..^".layouts.json".Length], result.Document);
        }
    }

    private static (string Company, string Address) Key(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        string Get(string name) => json.RootElement.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
        return (Get("company"), Get("address"));
    }

    /// <summary>One sample per line: features, whether it is part of the company (or address), the receipt as group.</summary>
    public static (List<Sample> Company, List<Sample> Address) Samples(IEnumerable<LabelledReceipt> receipts)
    {
        var company = new List<Sample>();
        var address = new List<Sample>();
        foreach (var r in receipts)
        {
            var features = ReceiptLineFeatures.Compute(r.Lines);
            var tolerance = r.Ocr ? 0.25 : 0.1;
            for (var i = 0; i < r.Lines.Count; i++)
            {
                company.Add(new Sample(features[i], PartOf(r.Lines[i].Text, r.Company, tolerance), r.Id));
                address.Add(new Sample(features[i], PartOf(r.Lines[i].Text, r.Address, tolerance), r.Id));
            }
        }
        return (company, address);
    }

    /// <summary>The line models' boosted-tree settings; RECEIPT_LINE_OPTS=trees,leaves,minPerLeaf,rate tries others.</summary>
    public static TrainOptions LineOptions => TrainOptions.FromEnvironment("RECEIPT_LINE_OPTS", DefaultLineOptions);

    private static readonly TrainOptions DefaultLineOptions = new();

    public static ReceiptModels Train(IReadOnlyList<LabelledReceipt> receipts, string? companyProvenance = null, string? addressProvenance = null)
    {
        var (company, address) = Samples(receipts);
        return new ReceiptModels(
            Trainer.Train(company, [.. ReceiptLineFeatures.Names], "receipt_company", LineOptions, companyProvenance),
            Trainer.Train(address, [.. ReceiptLineFeatures.Names], "receipt_address", LineOptions, addressProvenance),
            Lexicon(receipts),
            Suppliers(receipts));
    }

    /// <summary>The supplier registry of the receipts' labelled keys (sroie-lines only, like the lexicon).</summary>
    public static DocFlow.Engine.Extraction.Normalization.SupplierRegistry Suppliers(IEnumerable<LabelledReceipt> receipts) =>
        DocFlow.Engine.Extraction.Normalization.SupplierRegistry.Learn(receipts.Where(r => !r.Ocr).Select(r => (r.Company, r.Address)));

    /// <summary>The word lexicon of the receipts' labelled text (sroie-lines only: OCR'd lines hold the very misreads it repairs).</summary>
    public static DocFlow.Engine.Extraction.Normalization.OcrLexicon Lexicon(IEnumerable<LabelledReceipt> receipts) =>
        DocFlow.Engine.Extraction.Normalization.OcrLexicon.Learn(receipts.Where(r => !r.Ocr).Select(r => r.Lines.Select(l => l.Text)));

    internal static bool PartOf(string line, string key, double tolerance)
    {
        var l = Squeeze(line);
        var k = Squeeze(key);
        if (l.Length < 3 || k.Length == 0) return false;
        if ((l.Length >= 6 || l.Length >= 0.3 * k.Length) && SubstringDistance(l, k) <= tolerance * l.Length) return true;
        return k.Length >= 0.5 * l.Length && SubstringDistance(k, l) <= tolerance * k.Length;
    }

    private static string Squeeze(string s) => new([.. s.ToUpperInvariant().Where(c => !char.IsWhiteSpace(c))]);

    /// <summary>The fewest edits turning <paramref name="pattern"/> into some substring of <paramref name="text"/> (Sellers).</summary>
    private static int SubstringDistance(string pattern, string text)
    {
        var prev = new int[text.Length + 1];
        var cur = new int[text.Length + 1];
        for (var i = 1; i <= pattern.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= text.Length; j++)
                cur[j] = Math.Min(prev[j - 1] + (pattern[i - 1] == text[j - 1] ? 0 : 1), Math.Min(prev[j] + 1, cur[j - 1] + 1));
            (prev, cur) = (cur, prev);
        }
        return prev.Min();
    }
}
