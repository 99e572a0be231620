using System.Diagnostics;
using DocFlow.DevSet.Learning;
using DocFlow.Engine;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Engine.Extraction;
using DocFlow.Engine.Extraction.Entities;

/// <summary>Training and cross-validating the receipt line classifiers.</summary>
internal static class ReceiptCommands
{
    private const int Folds = 5;

    public static int Train(string devset, string cache, string models)
    {
        var clock = Stopwatch.StartNew();
        var lines = ReceiptTraining.LoadLines(devset);
        var ocr = ReceiptTraining.LoadOcr(devset, cache);
        List<LabelledReceipt> all = [.. lines, .. ocr];
        var (company, address) = ReceiptTraining.Samples(all);
        string Cv(string what, List<Sample> samples)
        {
            var p = Trainer.CrossValidatedProbabilities(samples, [.. ReceiptLineFeatures.Names], Folds, ReceiptTraining.LineOptions);
            var overall = Trainer.Quality(samples, p);
            var ocrIndexes = Enumerable.Range(0, samples.Count).Where(i => !samples[i].Group.StartsWith("lines/", StringComparison.Ordinal)).ToList();
            var onOcr = Trainer.Quality([.. ocrIndexes.Select(i => samples[i])], [.. ocrIndexes.Select(i => p[i])]);
            var text = $"{what} lines, {Folds}-fold CV by receipt: all {overall}; OCR'd sroie lines only {onOcr}";
            Console.WriteLine(text);
            return text;
        }
        var data = $"Trained on {lines.Count} sroie-lines receipts (labelled lines) + {ocr.Count} sroie receipts (OCR'd lines), lines labelled by matching the key within an edit tolerance; ML.NET {ReceiptTraining.LineOptions}. ";
        var trained = ReceiptTraining.Train(all, data + Cv("company", company), data + Cv("address", address));
        Directory.CreateDirectory(models);
        File.WriteAllText(Path.Combine(models, "receipt_company.json"), trained.Company.ToJson());
        File.WriteAllText(Path.Combine(models, "receipt_address.json"), trained.Address.ToJson());
        WriteLexicon(lines, models);
        Console.WriteLine($"train-receipts: models written to {models} in {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    /// <summary>The receipt lexicon alone (no OCR cache needed): words of the sroie-lines receipts' labelled text.</summary>
    public static int TrainLexicon(string devset, string models)
    {
        Directory.CreateDirectory(models);
        WriteLexicon(ReceiptTraining.LoadLines(devset), models);
        return 0;
    }

    private static void WriteLexicon(IReadOnlyList<LabelledReceipt> lines, string models)
    {
        var lexicon = ReceiptTraining.Lexicon(lines);
        var provenance = $"Words of at least 2 and word pairs of at least 2 of the {lines.Count} sroie-lines receipts (labelled text lines, " +
                         "never OCR output); `dotnet DocFlow.DevSet.dll train-lexicon ../shared/devset src/DocFlow.Engine/Extraction/Models`.";
        File.WriteAllText(Path.Combine(models, "receipt_lexicon.json"), lexicon.ToJson(provenance));
        Console.WriteLine($"receipt lexicon: {lexicon.Count} words written to {models}");
        var suppliers = ReceiptTraining.Suppliers(lines);
        var registryProvenance = $"Company and address keys of the {lines.Count} sroie-lines receipts (labels, never OCR output, never the 80 " +
                                 "sroie receipts scored by run.sh); `dotnet DocFlow.DevSet.dll train-lexicon ../shared/devset src/DocFlow.Engine/Extraction/Models`.";
        File.WriteAllText(Path.Combine(models, "receipt_suppliers.json"), suppliers.ToJson(registryProvenance));
        Console.WriteLine($"supplier registry: {suppliers.Suppliers.Count} suppliers written to {models}");
    }

    /// <summary>
    /// Extraction on perfect text: 5-fold CV over sroie-lines (train on the other folds + the OCR'd sroie receipts),
    /// each held-out receipt's labelled lines laid out as a page (words spread over each line's box).
    /// </summary>
    public static int CrossValidateLines(string devset, string cache, string output)
    {
        var lines = ReceiptTraining.LoadLines(devset);
        var ocr = ReceiptTraining.LoadOcr(devset, cache);
        Directory.CreateDirectory(output);
        for (var fold = 0; fold < Folds; fold++)
        {
            var models = ReceiptTraining.Train([.. lines.Where(r => Trainer.FoldOf(r.Id, Folds) != fold), .. ocr]);
            using var engine = new LocalDocumentEngine(new EngineOptions(), EnrichmentPipeline.CreateDefault(models));
            var written = 0;
            foreach (var receipt in lines.Where(r => Trainer.FoldOf(r.Id, Folds) == fold))
            {
                var result = engine.Finish("image/png", [Layout(receipt.Lines)], [], TimeSpan.Zero, CancellationToken.None);
                File.WriteAllText(Path.Combine(output, receipt.Id["lines/".Length..] + ".jpg.json"), DocFlow.Documents.DocumentJson.Serialize(result.Document));
                written++;
            }
            Console.WriteLine($"cv-receipt-lines: fold {fold + 1}/{Folds}: {written} held-out receipts extracted");
        }
        return 0;
    }

    private static DocFlow.Documents.PageLayout Layout(IReadOnlyList<ReceiptLine> lines)
    {
        var blocks = new List<DocFlow.Documents.BlockLayout>();
        foreach (var line in lines)
        {
            var tokens = line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var chars = Math.Max(1, tokens.Sum(t => t.Length + 1) - 1);
            var perChar = line.Box.Width / chars;
            var x = line.Box.Left;
            var words = new List<DocFlow.Documents.WordLayout>();
            foreach (var token in tokens)
            {
                var right = x + token.Length * perChar;
                words.Add(new DocFlow.Documents.WordLayout(token, new DocFlow.Documents.Box(x, line.Box.Top, right, line.Box.Bottom), 0.95f));
                x = right + perChar;
            }
            if (words.Count == 0) continue;
            var lineLayout = new DocFlow.Documents.LineLayout(words, line.Box, 0.95f);
            blocks.Add(new DocFlow.Documents.BlockLayout([new DocFlow.Documents.ParagraphLayout([lineLayout], line.Box, 0.95f)], line.Box, 0.95f));
        }
        var width = lines.Count == 0 ? 1 : lines.Max(l => l.Box.Right) + 10;
        var height = lines.Count == 0 ? 1 : lines.Max(l => l.Box.Bottom) + 10;
        return new DocFlow.Documents.PageLayout(1, width, height, "pixels", blocks, DocFlow.Documents.PageSource.Ocr);
    }

    /// <summary>Mean time of the invoice/receipt enricher alone on the cached receipts (after one warm-up pass).</summary>
    public static int Time(string cache)
    {
        using var engine = new LocalDocumentEngine(new EngineOptions());
        var documents = new List<(DocFlow.Documents.Document Document, int Entities)>();
        foreach (var (_, document) in ReceiptTraining.Cached(engine, cache))
        {
            document.Entities!.RemoveAll(e => e.Type != "document_type" && e.Type != "date_time" && e.Type != "money");
            documents.Add((document, document.Entities.Count));
        }
        var enricher = new InvoiceEntityEnricher();
        var clock = new Stopwatch();
        for (var pass = 0; pass < 6; pass++)
        {
            if (pass == 1) clock.Start();
            foreach (var (document, count) in documents)
            {
                document.Entities!.RemoveRange(count, document.Entities.Count - count);
                enricher.Enrich(document, [], CancellationToken.None);
            }
        }
        Console.WriteLine($"time-receipts: invoice/receipt fields {clock.Elapsed.TotalMilliseconds / (5.0 * documents.Count):F2} ms a receipt ({documents.Count} receipts, 5 passes)");
        return 0;
    }

    public static int CrossValidate(string devset, string cache, string output)
    {
        var lines = ReceiptTraining.LoadLines(devset);
        var ocr = ReceiptTraining.LoadOcr(devset, cache);
        Directory.CreateDirectory(output);
        for (var fold = 0; fold < Folds; fold++)
        {
            var heldOut = ocr.Where(r => Trainer.FoldOf(r.Id, Folds) == fold).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            var models = ReceiptTraining.Train([.. lines, .. ocr.Where(r => !heldOut.Contains(r.Id))]);
            using var engine = new LocalDocumentEngine(new EngineOptions(), EnrichmentPipeline.CreateDefault(models));
            var written = 0;
            foreach (var (name, document) in ReceiptTraining.Cached(engine, cache))
            {
                if (!heldOut.Contains(name)) continue;
                File.WriteAllText(Path.Combine(output, name + ".json"), DocFlow.Documents.DocumentJson.Serialize(document));
                written++;
            }
            Console.WriteLine($"cv-receipts: fold {fold + 1}/{Folds}: {written} held-out receipts extracted");
        }
        Console.WriteLine($"score: /usr/bin/python3 {Path.Combine(devset, "score.py")} --set sroie --out {output}");
        return 0;
    }
}
