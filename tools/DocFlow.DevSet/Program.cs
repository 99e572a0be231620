using System.Diagnostics;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.Processing;
using DocFlow.Queueing;

// Development commands on the labelled dev sets (never shipped; see the csproj).
//   ocr <input-folder> <cache-folder>     OCR every input once, keep its page layouts (NAME.layouts.json)
//   enrich <cache-folder> <out-folder>    assemble + extract from the cached layouts, write NAME.json as `docflow process` does
//   train-receipts <devset> <sroie-cache> <models-out>   train the receipt line classifiers (5-fold CV figures in their Provenance)
//   cv-receipts <devset> <sroie-cache> <out-folder>      end-to-end 5-fold CV on the sroie receipts: train on sroie-lines + the
//                                                        other folds, extract the held-out fold; then score.py --set sroie --out <out-folder>
//   cv-receipt-lines <devset> <sroie-cache> <out-folder> the same on sroie-lines' labelled text (perfect OCR); score with
//                                                        --gold pointing at a folder whose sroie/ has key/, box/ and an img/ of NNN.jpg names
//   time-receipts <sroie-cache>                          mean time of the invoice/receipt field enricher alone
//   train-forms <cache> <funsd> <models>  train the learned form extractor (forms-*.json) on FUNSD labels over the cached OCR
//   cv-forms <cache> <funsd> <out> [k]    k-fold by document: train on k-1 folds, extract the held-out forms, write NAME.json for score.py
//   dump-form <cache> <NAME.png> [fold-models-prefix]  the learned form extractor's phrases, roles and best link candidates on one page
//   form-losses <cache> <funsd> <fold-models-dir> <out.tsv>  for every labelled link, the step that loses it (cv-forms' fold models)
//   form-merges <cache> <funsd> <fold-models-dir> <out.tsv>  every line-merge candidate with its fold-model probability and label
//   form-joins <cache> <funsd> <fold-models-dir> <out.tsv>   every word-join candidate with its fold-model probability and label
//   form-stats <cache> <funsd>            how phrases cut the labelled entities, and which gold links are link candidates at all
//                                         (STATS_GROUPS=1: after line merging)
//   tables-real-fetch <labels.json> <cache>  download (apt-get download) and extract (dpkg-deb -x) the packages of the real-PDF table set
//   tables-real <labels.json> <cache> [dev|held-out] [--verbose]  run the engine on the labelled pages and score their tables
//   pitch-dump <pdf> <page>               the page's words with their fonts and glyph advances (fixed-pitch detection)
//   rulings-dump <pdf> <page>             the rulings the engine reads on a PDF page
// The cache makes extraction work a seconds-long loop: ocr once, then enrich + ../shared/devset/score.py as often as needed.
return args switch
{
    ["ocr", var input, var cache, ..] => await Commands.OcrAsync(input, cache,
        args.SkipWhile(a => a != "--lang").Skip(1).FirstOrDefault() ?? "eng"),
    ["enrich", var cache, var output, ..] => Commands.Enrich(cache, output),
    ["train-forms", var cache, var devset, var models, ..] => DocFlow.DevSet.Learning.FormTraining.TrainCommand(cache, devset, models),
    ["cv-forms", var cache, var devset, var output, ..] => DocFlow.DevSet.Learning.FormTraining.CrossValidateCommand(cache, devset, output,
        args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 5,
        args.Length > 5 ? float.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : null),
    ["selftest-trees"] => Commands.SelfTestTrees(),
    ["form-stats", var cache, var devset, ..] => DocFlow.DevSet.FormStats.Run(cache, devset),
    ["form-losses", var cache, var devset, var folds, var output, ..] => DocFlow.DevSet.FormLosses.Run(cache, devset, folds, output),
    ["form-merges", var cache, var devset, var folds, var output, ..] => DocFlow.DevSet.FormMerges.Run(cache, devset, folds, output),
    ["form-joins", var cache, var devset, var folds, var output, ..] => DocFlow.DevSet.FormJoins.Run(cache, devset, folds, output),
    ["dump-form", var cache, var name, ..] => DocFlow.DevSet.FormDump.Run(cache, name, args.Length > 3 ? args[3] : null),
    ["train-receipts", var devset, var cache, var models, ..] => ReceiptCommands.Train(devset, cache, models),
    ["train-lexicon", var devset, var models, ..] => ReceiptCommands.TrainLexicon(devset, models),
    ["cv-receipts", var devset, var cache, var output, ..] => ReceiptCommands.CrossValidate(devset, cache, output),
    ["time-receipts", var cache, ..] => ReceiptCommands.Time(cache),
    ["cv-receipt-lines", var devset, var cache, var output, ..] => ReceiptCommands.CrossValidateLines(devset, cache, output),
    ["tables-real-fetch", var labels, var cache, ..] => DocFlow.DevSet.TablesReal.Fetch(labels, cache),
    ["tables-real", var labels, var cache, ..] => await DocFlow.DevSet.TablesReal.ScoreAsync(labels, cache,
        args.Skip(3).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)), args.Contains("--verbose")),
    ["tables-scan", var pdf, var first, var last, ..] => await DocFlow.DevSet.TablesReal.ScanAsync(pdf, int.Parse(first, System.Globalization.CultureInfo.InvariantCulture), int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)),
    ["tables-scan", var pdf, ..] => await DocFlow.DevSet.TablesReal.ScanAsync(pdf, 0, 0),
    ["rulings-dump", var pdf, var page, ..] => await DocFlow.DevSet.PitchDump.RulingsAsync(pdf, int.Parse(page, System.Globalization.CultureInfo.InvariantCulture)),
    ["pitch-dump", var pdf, var page, ..] => DocFlow.DevSet.PitchDump.Run(pdf, int.Parse(page, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Commands.Usage(),
};

internal static class Commands
{
    public static int Usage()
    {
        Console.Error.WriteLine("usage: devset ocr <input-folder> <cache-folder> [--lang eng+Latin] | enrich <cache-folder> <out-folder> | train-receipts <devset> <sroie-cache> <models-out> | train-lexicon <devset> <models-out> | cv-receipts <devset> <sroie-cache> <out-folder>");
        return 2;
    }

    /// <summary>OCR of every file in <paramref name="input"/> into the cache; <paramref name="languages"/> as the product's
    /// Engine:Languages (e.g. "eng+Latin").</summary>
    public static async Task<int> OcrAsync(string input, string cache, string languages)
    {
        Directory.CreateDirectory(cache);
        using var engine = new LocalDocumentEngine(new EngineOptions { Languages = languages });
        var files = Directory.GetFiles(input).Order(StringComparer.Ordinal).ToList();
        var clock = Stopwatch.StartNew();
        var done = 0;
        var pages = 0;
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = engine.Options.Slots }, async (file, ct) =>
        {
            var name = Path.GetFileName(file);
            var target = Path.Combine(cache, name + ".layouts.json");
            if (File.Exists(target)) return;
            var bytes = await File.ReadAllBytesAsync(file, ct);
            var docInput = new DocumentInput(name, bytes);
            var outline = engine.Inspect(docInput);
            var result = await engine.ProcessPagesAsync(docInput, new PageRange(1, outline.Pages), ct);
            await File.WriteAllTextAsync(target + ".tmp", result.MimeType + "\n" + PageLayoutJson.Serialize(result.Layouts), ct);
            File.Move(target + ".tmp", target, overwrite: true);
            Interlocked.Increment(ref done);
            Interlocked.Add(ref pages, result.Layouts.Count);
        });
        // Slots run pages in parallel: elapsed × slots / pages is the OCR time of one page on one core.
        Console.WriteLine($"ocr: {done} of {files.Count} inputs ({pages} pages) recognised in {clock.Elapsed.TotalSeconds:F1} s " +
                          $"({clock.Elapsed.TotalMilliseconds * engine.Options.Slots / Math.Max(1, pages):F0} ms a page a core) into {cache}");
        return 0;
    }

    /// <summary>Trains a model on a synthetic rule and checks the exported trees against ML.NET and held-out data.</summary>
    public static int SelfTestTrees()
    {
        var random = new Random(7);
        var samples = Enumerable.Range(0, 4000).Select(i =>
        {
            var x = new[] { (float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble() };
            return new DocFlow.DevSet.Learning.Sample(x, x[0] + 0.5f * x[1] > 0.8f, "doc" + (i / 20));
        }).ToList();
        string[] names = ["a", "b", "noise"];
        // Both trainers: every Train call checks the exported trees against ML.NET's own probabilities on the training rows.
        var failed = 0;
        foreach (var algorithm in Enum.GetValues<DocFlow.DevSet.Learning.TreeAlgorithm>())
        {
            var options = new DocFlow.DevSet.Learning.TrainOptions { Algorithm = algorithm };
            var cv = DocFlow.DevSet.Learning.Trainer.CrossValidatedProbabilities(samples, names, 5, options);
            var quality = DocFlow.DevSet.Learning.Trainer.Quality(samples, cv);
            var model = DocFlow.DevSet.Learning.Trainer.Train(samples, names, "selftest", options);
            Console.WriteLine($"selftest-trees: {options}: 5-fold {quality}; full model {model.ToJson().Length / 1024} KB, " +
                              System.Text.RegularExpressions.Regex.Match(model.ToJson(), "\"bias\":[^,]*,\"slope\":[^,]*,\"offset\":[^,]*").Value);
            if (quality.F1 <= 0.9) failed++;
        }
        return failed == 0 ? 0 : 1;
    }

    public static int Enrich(string cache, string output)
    {
        Directory.CreateDirectory(output);
        using var engine = new LocalDocumentEngine(new EngineOptions());
        var clock = Stopwatch.StartNew();
        var enrichment = TimeSpan.Zero;
        var files = Directory.GetFiles(cache, "*.layouts.json").Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var newline = text.IndexOf('\n');
            var layouts = PageLayoutJson.Deserialize(text[(newline + 1)..]);
            var result = engine.Finish(text[..newline], layouts, [], TimeSpan.Zero, CancellationToken.None);
            enrichment += result.Stats.EnrichmentTime;
            var name = Path.GetFileName(file)[..^".layouts.json".Length];
            File.WriteAllText(Path.Combine(output, name + ".json"), DocumentJson.Serialize(result.Document));
        }
        Console.WriteLine($"enrich: {files.Count} documents in {clock.Elapsed.TotalSeconds:F1} s " +
                          $"(extraction {enrichment.TotalMilliseconds / Math.Max(1, files.Count):F1} ms a document) into {output}");
        return 0;
    }
}
