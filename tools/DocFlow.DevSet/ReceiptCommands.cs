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
            var p = Trainer.CrossValidatedProbabilities(samples, [.. ReceiptLineFeatures.Names], Folds);
            var overall = Trainer.Quality(samples, p);
            var ocrIndexes = Enumerable.Range(0, samples.Count).Where(i => !samples[i].Group.StartsWith("lines/", StringComparison.Ordinal)).ToList();
            var onOcr = Trainer.Quality([.. ocrIndexes.Select(i => samples[i])], [.. ocrIndexes.Select(i => p[i])]);
            var text = $"{what} lines, {Folds}-fold CV by receipt: all {overall}; OCR'd sroie lines only {onOcr}";
            Console.WriteLine(text);
            return text;
        }
        var data = $"Trained on {lines.Count} sroie-lines receipts (labelled lines) + {ocr.Count} sroie receipts (OCR'd lines), lines labelled by matching the key within an edit tolerance. ";
        var trained = ReceiptTraining.Train(all, data + Cv("company", company), data + Cv("address", address));
        Directory.CreateDirectory(models);
        File.WriteAllText(Path.Combine(models, "receipt_company.json"), trained.Company.ToJson());
        File.WriteAllText(Path.Combine(models, "receipt_address.json"), trained.Address.ToJson());
        Console.WriteLine($"train-receipts: models written to {models} in {clock.Elapsed.TotalSeconds:F0} s");
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
