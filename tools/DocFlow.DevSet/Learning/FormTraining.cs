using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.Engine.Extraction;
using DocFlow.Engine.Extraction.Forms;
using DocFlow.Engine.Extraction.Forms.Learning;
using DocFlow.Engine.Extraction.Learning;
using DocFlow.Processing;

namespace DocFlow.DevSet.Learning;

/// <summary>One OCR'd page of a labelled form: its segments with their features, and what the labels say of them.</summary>
internal sealed class FormPage
{
    public required string Doc { get; init; }
    public required Document Document { get; init; }
    public required IReadOnlyList<PageLayout> Layouts { get; init; }
    public required PageView View { get; init; }
    public required List<List<WordView>> Rows { get; init; }
    /// <summary>The labelled entity of each word (by its text offset), or -1.</summary>
    public required Dictionary<int, int> WordEntity { get; init; }
    public required Dictionary<int, string> Labels { get; init; }
    public IReadOnlyList<FormSegment> Segments { get; private set; } = [];
    public required float Median { get; init; }
    public float[][] Features { get; private set; } = [];
    /// <summary>The labelled entity most of each segment's characters belong to, or -1.</summary>
    public int[] Entity { get; private set; } = [];
    public string[] Label { get; private set; } = [];

    /// <summary>Sets the segments and derives their features and labels.</summary>
    public void Use(List<FormSegment> segments)
    {
        Segments = segments;
        Features = FormSegments.Features(View, segments, Median);
        Entity = new int[segments.Count];
        Label = new string[segments.Count];
        for (var i = 0; i < segments.Count; i++)
        {
            var chars = new Dictionary<int, int>();
            foreach (var w in segments[i].Words)
                if (WordEntity[w.Start] is var e and >= 0) chars[e] = chars.GetValueOrDefault(e) + w.Text.Length;
            var best = chars.OrderByDescending(c => c.Value).FirstOrDefault();
            Entity[i] = chars.Count > 0 && best.Value * 2 >= segments[i].Words.Sum(w => w.Text.Length) ? best.Key : -1;
            Label[i] = Entity[i] >= 0 ? Labels[Entity[i]] : "other";
        }
    }
    public required HashSet<(int Question, int Answer)> Links { get; init; }
    public required int GoldLinks { get; init; }
}

/// <summary>
/// Trains the learned form extractor's models on FUNSD-style labels (entities question/answer/header/other with
/// word boxes, and question-answer links) mapped onto OCR'd segments, so the models learn from OCR's noise.
/// Stacked: the merge and link models are trained on cross-validated role scores, as they meet unseen pages.
/// </summary>
internal static class FormTraining
{
    private static readonly string[] Roles = ["question", "answer", "header"];

    public static List<FormPage> Load(string cache, string devset)
    {
        using var engine = new LocalDocumentEngine(new EngineOptions());
        var pages = new List<FormPage>();
        foreach (var file in Directory.GetFiles(cache, "*.layouts.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file)[..^".layouts.json".Length];
            var annotation = Path.Combine(devset, "annotations", Path.GetFileNameWithoutExtension(name) + ".json");
            if (!File.Exists(annotation)) continue;
            var text = File.ReadAllText(file);
            var newline = text.IndexOf('\n');
            var layouts = PageLayoutJson.Deserialize(text[(newline + 1)..]);
            var document = engine.Finish(text[..newline], layouts, [], TimeSpan.Zero, CancellationToken.None).Document;
            var view = DocumentView.Pages(document, layouts)[0];
            var (rows, median) = FormSegments.Rows(view);
            var gold = Gold(annotation);
            var wordEntity = rows.SelectMany(r => r).ToDictionary(w => w.Start, w => EntityOf(w.Box, gold.Words));
            pages.Add(new FormPage
            {
                Doc = name, Document = document, Layouts = layouts, View = view, Rows = rows, Median = median,
                WordEntity = wordEntity, Labels = gold.Labels, Links = gold.Links, GoldLinks = gold.Links.Count,
            });
        }
        return pages;
    }

    private sealed record GoldForm(List<(Box Box, int Entity)> Words, Dictionary<int, string> Labels, HashSet<(int, int)> Links);

    private static GoldForm Gold(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var words = new List<(Box, int)>();
        var labels = new Dictionary<int, string>();
        var links = new HashSet<(int, int)>();
        foreach (var e in json.RootElement.GetProperty("form").EnumerateArray())
        {
            var id = e.GetProperty("id").GetInt32();
            labels[id] = e.GetProperty("label").GetString() ?? "other";
            foreach (var w in e.GetProperty("words").EnumerateArray())
            {
                var b = w.GetProperty("box").EnumerateArray().Select(x => x.GetSingle()).ToArray();
                words.Add((new Box(b[0], b[1], b[2], b[3]), id));
            }
        }
        foreach (var e in json.RootElement.GetProperty("form").EnumerateArray())
            foreach (var l in e.GetProperty("linking").EnumerateArray())
            {
                var (a, b) = (l[0].GetInt32(), l[1].GetInt32());
                if (labels.GetValueOrDefault(a) == "question" && labels.GetValueOrDefault(b) == "answer") links.Add((a, b));
            }
        return new GoldForm(words, labels, links);
    }

    private static int EntityOf(Box box, List<(Box Box, int Entity)> words)
    {
        var area = Math.Max(1f, box.Width * box.Height);
        var best = -1;
        var bestShare = 0.3f;
        foreach (var (b, e) in words)
        {
            var ix = Math.Min(b.Right, box.Right) - Math.Max(b.Left, box.Left);
            var iy = Math.Min(b.Bottom, box.Bottom) - Math.Max(b.Top, box.Top);
            if (ix <= 0 || iy <= 0) continue;
            var share = ix * iy / Math.Min(area, Math.Max(1f, b.Width * b.Height));
            if (share > bestShare) { bestShare = share; best = e; }
        }
        return best;
    }

    // ---------------------------------------------------------------- training

    /// <summary>Trained models and what cross-validation (by document) measured of each stage.</summary>
    internal sealed record Trained(FormModels Models, string Report, Dictionary<string, string> Provenance);

    public static Trained Train(IReadOnlyList<FormPage> pages, int folds, bool final, TextWriter log)
    {
        var report = new System.Text.StringBuilder();
        var provenance = new Dictionary<string, string>();
        var docs = pages.Count;

        // Stage 0: which neighbouring words are one phrase.
        var joinSamples = new List<Sample>();
        var joinIndex = new List<(int Page, int Row, int Left)>();
        var allJoins = new List<(int Page, int Row, int Left, float[] Features)>();
        for (var p = 0; p < pages.Count; p++)
        {
            var page = pages[p];
            foreach (var (r, i) in FormSegments.JoinCandidates(page.Rows, page.Median))
            {
                var features = FormSegments.JoinFeatures(page.Rows[r], i, page.Median, page.View.Width, FormSegments.RowGap(page.Rows[r]));
                allJoins.Add((p, r, i, features));
                var (a, b) = (page.WordEntity[page.Rows[r][i].Start], page.WordEntity[page.Rows[r][i + 1].Start]);
                if (a < 0 || b < 0) continue;
                joinSamples.Add(new Sample(features, a == b, page.Doc));
            }
        }
        var joinCvQuality = Trainer.Quality(joinSamples, Trainer.CrossValidatedProbabilities(joinSamples, FormSegments.JoinFeatureNames, folds, JoinOptions));
        var joinLine = $"join (neighbouring words one phrase): {folds}-fold CV by document over {docs} forms: {joinCvQuality}";
        report.AppendLine(joinLine);
        log.WriteLine(joinLine);
        // Segments for the next stages come from models that did not see the page (the unlabelled pairs too).
        var joined = new HashSet<(int, int, int)>();
        var joinFolds = new TreeEnsemble[folds];
        for (var fold = 0; fold < folds; fold++)
        {
            var model = joinFolds[fold] = Trainer.Train([.. joinSamples.Where(x => Trainer.FoldOf(x.Group, folds) != fold)], FormSegments.JoinFeatureNames, "cv", JoinOptions);
            foreach (var (p, r, i, features) in allJoins)
                if (Trainer.FoldOf(pages[p].Doc, folds) == fold && model.Probability(features) >= FormModels.JoinThreshold) joined.Add((p, r, i));
        }
        var join = Trainer.Train(joinSamples, FormSegments.JoinFeatureNames, "forms-join", JoinOptions, Provenance(joinLine, JoinOptions));
        provenance["forms-join"] = joinLine;
        for (var p = 0; p < pages.Count; p++)
        {
            var page = p;
            pages[p].Use(FormSegments.Split(pages[p].Rows, (r, i) => joined.Contains((page, r, i))));
        }
        log.WriteLine($"  {pages.Sum(x => x.Segments.Count)} segments");

        // Stage 0b: a phrase the join model made of two entities (a key and its value on one line) is cut apart. Each
        // part is described by role scores from role models that did not see the page, as a phrase of its own.
        TreeEnsemble? split = null;
        if (Environment.GetEnvironmentVariable("FORMS_SPLIT") == "1")
        {
            var foldRoles = new TreeEnsemble[folds][];
            for (var fold = 0; fold < folds; fold++)
            {
                foldRoles[fold] = new TreeEnsemble[Roles.Length];
                for (var k = 0; k < Roles.Length; k++)
                {
                    var samples = new List<Sample>();
                    foreach (var page in pages.Where(x => Trainer.FoldOf(x.Doc, folds) != fold))
                        for (var s = 0; s < page.Segments.Count; s++) samples.Add(new Sample(page.Features[s], page.Label[s] == Roles[k], page.Doc));
                    foldRoles[fold][k] = Trainer.Train(samples, FormSegments.FeatureNames, "cv");
                }
            }
            var splitSamples = new List<Sample>();
            var splitIndex = new List<(int Page, int Segment, int At)>();
            for (var p = 0; p < pages.Count; p++)
            {
                var page = pages[p];
                var fold = Trainer.FoldOf(page.Doc, folds);
                var r = foldRoles[fold];
                float[] RolesOf(float[] f) => [r[0].Probability(f), r[1].Probability(f), r[2].Probability(f)];
                var joinModel = joinFolds[fold];
                var candidates = FormSegments.SplitCandidates(page.View, page.Segments, page.Median, [.. page.Features.Select(RolesOf)], RolesOf,
                    (row, i) => joinModel.Probability(FormSegments.JoinFeatures(row, i, page.Median, page.View.Width, FormSegments.RowGap(row))));
                foreach (var (s, at, features) in candidates)
                {
                    var words = page.Segments[s].Words;
                    var (a, b) = (page.WordEntity[words[at - 1].Start], page.WordEntity[words[at].Start]);
                    if (a < 0 || b < 0) continue;
                    splitSamples.Add(new Sample(features, a != b, page.Doc));
                    splitIndex.Add((p, s, at));
                }
            }
            var splitCv = Trainer.CrossValidatedProbabilities(splitSamples, FormSegments.SplitFeatureNames, folds);
            var splitLine = $"split (a joined phrase is two entities): {folds}-fold CV by document over {docs} forms: {Trainer.Quality(splitSamples, splitCv)}";
            report.AppendLine(splitLine);
            log.WriteLine(splitLine);
            split = Trainer.Train(splitSamples, FormSegments.SplitFeatureNames, "forms-split", provenance: Provenance(splitLine));
            provenance["forms-split"] = splitLine;
            var cuts = new Dictionary<int, Dictionary<int, SortedSet<int>>>();
            for (var i = 0; i < splitIndex.Count; i++)
            {
                if (splitCv[i] < FormModels.SplitThreshold) continue;
                var (p, s, at) = splitIndex[i];
                if (!cuts.TryGetValue(p, out var bySegment)) cuts[p] = bySegment = [];
                if (!bySegment.TryGetValue(s, out var set)) bySegment[s] = set = [];
                set.Add(at);
            }
            foreach (var (p, bySegment) in cuts) pages[p].Use(FormSegments.ApplySplits(pages[p].Segments, bySegment));
            log.WriteLine($"  {cuts.Sum(c => c.Value.Sum(x => x.Value.Count))} cuts; {pages.Sum(x => x.Segments.Count)} segments");
        }

        // Stage 1: roles of segments, one-vs-rest.
        var roleModels = new TreeEnsemble[Roles.Length];
        var roles = pages.Select(p => p.Segments.Select(_ => new float[3]).ToArray()).ToArray();
        for (var k = 0; k < Roles.Length; k++)
        {
            var samples = new List<Sample>();
            var index = new List<(int Page, int Segment)>();
            for (var p = 0; p < pages.Count; p++)
                for (var s = 0; s < pages[p].Segments.Count; s++)
                {
                    samples.Add(new Sample(pages[p].Features[s], pages[p].Label[s] == Roles[k], pages[p].Doc));
                    index.Add((p, s));
                }
            var cv = Trainer.CrossValidatedProbabilities(samples, FormSegments.FeatureNames, folds, RoleOptions);
            for (var i = 0; i < index.Count; i++) roles[index[i].Page][index[i].Segment][k] = cv[i];
            var quality = Trainer.Quality(samples, cv);
            var line = $"segment {Roles[k]}: {folds}-fold CV by document over {docs} forms: {quality}";
            report.AppendLine(line);
            log.WriteLine(line);
            roleModels[k] = Trainer.Train(samples, FormSegments.FeatureNames, "forms-" + Roles[k], RoleOptions, Provenance(line, RoleOptions));
            provenance["forms-" + Roles[k]] = line;
        }

        // Stage 2: which segment continues the one above it.
        var mergeSamples = new List<Sample>();
        var mergeIndex = new List<(int Page, int Candidate)>();
        var mergeCandidates = new List<(int Upper, int Lower)>[pages.Count];
        for (var p = 0; p < pages.Count; p++)
        {
            var page = pages[p];
            mergeCandidates[p] = FormLinking.MergeCandidates(page.Segments, page.Median);
            var rowCounts = page.Segments.GroupBy(s => s.Row).ToDictionary(g => g.Key, g => g.Count());
            for (var c = 0; c < mergeCandidates[p].Count; c++)
            {
                var (u, l) = mergeCandidates[p][c];
                mergeSamples.Add(new Sample(FormLinking.MergeFeatures(page.Segments, roles[p], page.Median, (u, l), rowCounts, page.View.Rulings),
                    page.Entity[u] >= 0 && page.Entity[u] == page.Entity[l], page.Doc));
                mergeIndex.Add((p, c));
            }
        }
        var mergeCv = Trainer.CrossValidatedProbabilities(mergeSamples, FormLinking.MergeFeatureNames, folds, MergeOptions);
        var mergeLine = $"merge (same phrase as the line above): {folds}-fold CV by document: {Trainer.Quality(mergeSamples, mergeCv)}";
        report.AppendLine(mergeLine);
        log.WriteLine(mergeLine);
        var merge = Trainer.Train(mergeSamples, FormLinking.MergeFeatureNames, "forms-merge", MergeOptions, Provenance(mergeLine, MergeOptions));
        provenance["forms-merge"] = mergeLine;

        // Stage 3: links of keys to values, over phrases built from cross-validated merges.
        var linkSamples = new List<Sample>();
        var linkPages = new List<(List<FormGroup> Groups, List<(int Question, int Answer)> Candidates, float[][] Features, float Median, float Width)>();
        int reachable = 0, gold = 0, bothPresent = 0, bothInSegments = 0;
        for (var p = 0; p < pages.Count; p++)
        {
            var page = pages[p];
            var probabilities = mergeIndex.Select((x, i) => (x, i)).Where(t => t.x.Page == p).Select(t => mergeCv[t.i]).ToList();
            var groups = FormLinking.Groups(page.Segments, roles[p], mergeCandidates[p], probabilities, FormModels.DefaultMergeThreshold);
            var entity = groups.Select(g => GroupEntity(page, g)).ToArray();
            var candidates = FormLinking.LinkCandidates(groups, page.Median, page.View.Width, Environment.GetEnvironmentVariable("FORMS_COLCAND") == "1" ? FormLinking.Stacks(groups, page.Median) : null);
            var features = FormLinking.LinkFeatures(groups, candidates, page.Median, page.View.Width, page.View.Height, page.View.Rulings);
            linkPages.Add((groups, candidates, features, page.Median, page.View.Width));
            var found = new HashSet<(int, int)>();
            for (var c = 0; c < candidates.Count; c++)
            {
                var (q, a) = (entity[candidates[c].Question], entity[candidates[c].Answer]);
                var positive = q >= 0 && a >= 0 && page.Links.Contains((q, a));
                if (positive) found.Add((q, a));
                linkSamples.Add(new Sample(features[c], positive, page.Doc));
            }
            var present = entity.Where(e => e >= 0).ToHashSet();
            var segPresent = page.Entity.Where(e => e >= 0).ToHashSet();
            bothPresent += page.Links.Count(l => present.Contains(l.Question) && present.Contains(l.Answer));
            bothInSegments += page.Links.Count(l => segPresent.Contains(l.Question) && segPresent.Contains(l.Answer));
            reachable += found.Count;
            gold += page.GoldLinks;
        }
        var linkCv = Trainer.CrossValidatedProbabilities(linkSamples, FormLinking.LinkFeatureNames, folds, LinkOptions);
        var linkLine = $"link (key to value among candidates): {folds}-fold CV by document: {Trainer.Quality(linkSamples, linkCv)}; " +
                       $"candidates reach {reachable} of {gold} labelled links ({(double)reachable / Math.Max(1, gold):P1})";
        report.AppendLine(linkLine);
        log.WriteLine(linkLine);
        log.WriteLine($"  labelled links whose key and value are each most of some segment: {bothInSegments}; of some phrase: {bothPresent}");
        var link = Trainer.Train(linkSamples, FormLinking.LinkFeatureNames, "forms-link", LinkOptions, Provenance(linkLine, LinkOptions));
        provenance["forms-link"] = linkLine;

        // Stage 4: each link among its competitors, from the first stage's cross-validated probabilities.
        TreeEnsemble? rerank = null;
        if (Environment.GetEnvironmentVariable("FORMS_RERANK") != "0")
        {
            var rerankSamples = new List<Sample>();
            var offset = 0;
            foreach (var (groups, candidates, features, median, width) in linkPages)
            {
                var p = new ArraySegment<float>(linkCv, offset, candidates.Count);
                var rows = FormLinking.RerankFeatures(groups, candidates, features, p, median, width);
                for (var c = 0; c < candidates.Count; c++) rerankSamples.Add(linkSamples[offset + c] with { Features = rows[c] });
                offset += candidates.Count;
            }
            var rerankCv = Trainer.CrossValidatedProbabilities(rerankSamples, FormLinking.RerankFeatureNames, folds, RerankOptions);
            var rerankLine = $"rerank (a link among its competitors, over cross-validated link probabilities): {folds}-fold CV by document: {Trainer.Quality(rerankSamples, rerankCv)}";
            report.AppendLine(rerankLine);
            log.WriteLine(rerankLine);
            rerank = Trainer.Train(rerankSamples, FormLinking.RerankFeatureNames, "forms-rerank", RerankOptions, Provenance(rerankLine, RerankOptions));
            provenance["forms-rerank"] = rerankLine;
        }
        _ = final;
        return new Trained(new FormModels(join, roleModels[0], roleModels[1], roleModels[2], merge, link, rerank: rerank, split: split), report.ToString(), provenance);
    }

    // Boosted-tree settings of each model family, for experiments: FORMS_OPTS=trees,leaves,minPerLeaf,rate sets them all;
    // FORMS_JOIN_OPTS, FORMS_ROLE_OPTS (question, answer, header), FORMS_MERGE_OPTS, FORMS_LINK_OPTS and FORMS_RERANK_OPTS
    // (the link model's unless set) set one family.
    private static TrainOptions AllOptions => TrainOptions.FromEnvironment("FORMS_OPTS", DefaultOptions);
    private static TrainOptions JoinOptions => TrainOptions.FromEnvironment("FORMS_JOIN_OPTS", AllOptions);
    private static TrainOptions RoleOptions => TrainOptions.FromEnvironment("FORMS_ROLE_OPTS", AllOptions);
    private static TrainOptions MergeOptions => TrainOptions.FromEnvironment("FORMS_MERGE_OPTS", AllOptions);
    private static TrainOptions LinkOptions => TrainOptions.FromEnvironment("FORMS_LINK_OPTS", AllOptions);
    private static TrainOptions RerankOptions => TrainOptions.FromEnvironment("FORMS_RERANK_OPTS", LinkOptions);

    private static readonly TrainOptions DefaultOptions = new();

    private static string Provenance(string cv, TrainOptions? options = null) =>
        $"Trained with tools/DocFlow.DevSet train-forms (ML.NET {options ?? new TrainOptions()}) on the 149 FUNSD training forms " +
        "(../shared/devset/funsd) OCR'd by the local engine, labels mapped onto OCR'd segments by box overlap. " + cv;

    private static int GroupEntity(FormPage page, FormGroup group)
    {
        var chars = new Dictionary<int, int>();
        foreach (var m in group.Members)
            if (page.Entity[m] >= 0) chars[page.Entity[m]] = chars.GetValueOrDefault(page.Entity[m]) + page.Segments[m].Text.Length;
        if (chars.Count == 0) return -1;
        var best = chars.MaxBy(c => c.Value);
        return best.Value * 2 >= group.Members.Sum(m => page.Segments[m].Text.Length) ? best.Key : -1;
    }

    // ---------------------------------------------------------------- commands

    /// <summary>train-forms: trains on every form, writes forms-*.json with their provenance.</summary>
    public static int TrainCommand(string cache, string devset, string modelsOut)
    {
        var clock = Stopwatch.StartNew();
        var pages = Load(cache, devset);
        Console.WriteLine($"train-forms: {pages.Count} forms, {pages.Sum(p => p.Rows.Sum(r => r.Count))} words loaded in {clock.Elapsed.TotalSeconds:F1} s");
        var trained = Train(pages, 5, final: true, Console.Out);
        Directory.CreateDirectory(modelsOut);
        foreach (var model in new[] { trained.Models.Join!, trained.Models.Question, trained.Models.Answer, trained.Models.Header, trained.Models.Merge, trained.Models.Link, trained.Models.Rerank, trained.Models.Split })
            if (model is not null) File.WriteAllText(Path.Combine(modelsOut, model.Name + ".json"), model.ToJson());
        Console.WriteLine($"train-forms: models written to {modelsOut} in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    /// <summary>
    /// cv-forms: k folds by document; for each, trains every stage on the other folds (their own inner CV for the
    /// stacking) and extracts the held-out forms through the real <see cref="FormEnricher"/>; writes NAME.json for score.py.
    /// </summary>
    public static int CrossValidateCommand(string cache, string devset, string output, int folds, float? linkThreshold)
    {
        // Decoding choices to compare without retraining (with FORMS_CV_MODELS).
        var decoding = new FormDecoding
        {
            SplitThreshold = Environment.GetEnvironmentVariable("FORMS_SPLIT_THRESHOLD") is { } splitThreshold
                ? splitThreshold == "off" ? null : float.Parse(splitThreshold, CultureInfo.InvariantCulture) : FormDecoding.Default.SplitThreshold,
            Parts = Environment.GetEnvironmentVariable("FORMS_PARTS") ?? FormDecoding.Default.Parts,
            ContinueColumns = Environment.GetEnvironmentVariable("FORMS_COLUMNS") != "0",
            HeaderRowRule = Environment.GetEnvironmentVariable("FORMS_HEADERROWS") != "0",
            GridColumns = int.TryParse(Environment.GetEnvironmentVariable("FORMS_GRID"), CultureInfo.InvariantCulture, out var grid) ? grid : FormDecoding.Default.GridColumns,
            GridGap = float.TryParse(Environment.GetEnvironmentVariable("FORMS_GRIDGAP"), CultureInfo.InvariantCulture, out var gridGap) ? gridGap : FormDecoding.Default.GridGap,
            GridReplaces = Environment.GetEnvironmentVariable("FORMS_GRIDREPLACE") is { } gridReplace ? gridReplace != "0" : FormDecoding.Default.GridReplaces,
            GridHeaderRole = float.TryParse(Environment.GetEnvironmentVariable("FORMS_GRIDHROLE"), CultureInfo.InvariantCulture, out var gridHeaderRole) ? gridHeaderRole : FormDecoding.Default.GridHeaderRole,
            GridCellRole = Environment.GetEnvironmentVariable("FORMS_GRIDCROLE") is { } gridCellRole ? gridCellRole == "1" : FormDecoding.Default.GridCellRole,
            GridDigits = Environment.GetEnvironmentVariable("FORMS_GRIDDIGITS") is { } gridDigits ? gridDigits == "1" : FormDecoding.Default.GridDigits,
            CopyLists = Environment.GetEnvironmentVariable("FORMS_CC") is { } cc ? cc != "0" : FormDecoding.Default.CopyLists,
            ColumnCandidates = Environment.GetEnvironmentVariable("FORMS_COLCAND") is { } colCand ? colCand != "0" : FormDecoding.Default.ColumnCandidates,
            SecondKeyThreshold = float.TryParse(Environment.GetEnvironmentVariable("FORMS_SECONDKEY"), CultureInfo.InvariantCulture, out var secondKey) ? secondKey : FormDecoding.Default.SecondKeyThreshold,
            RowAndColumnKeys = Environment.GetEnvironmentVariable("FORMS_TWOKEYS") is { } two ? two != "0" : FormDecoding.Default.RowAndColumnKeys,
            KeyContinuationGap = float.TryParse(Environment.GetEnvironmentVariable("FORMS_KEYLINES"), CultureInfo.InvariantCulture, out var keyLines) ? keyLines : FormDecoding.Default.KeyContinuationGap,
            WrappedKeys = Environment.GetEnvironmentVariable("FORMS_WRAP") is { } wrap ? wrap != "0" : FormDecoding.Default.WrappedKeys,
            LowerCaseKeys = Environment.GetEnvironmentVariable("FORMS_LOWERKEYS") is { } lower ? lower != "0" : FormDecoding.Default.LowerCaseKeys,
            OffRowThreshold = float.TryParse(Environment.GetEnvironmentVariable("FORMS_OFFROW"), CultureInfo.InvariantCulture, out var offRow) ? offRow : FormDecoding.Default.OffRowThreshold,
            SecondThreshold = float.TryParse(Environment.GetEnvironmentVariable("FORMS_SECOND"), CultureInfo.InvariantCulture, out var second)
                ? second : FormDecoding.Default.SecondThreshold,
        };
        var clock = Stopwatch.StartNew();
        var pages = Load(cache, devset);
        Directory.CreateDirectory(output);
        Console.WriteLine($"cv-forms models: join {JoinOptions}; roles {RoleOptions}; merge {MergeOptions}; link {LinkOptions}; rerank {RerankOptions}");
        var ms = new List<double>();
        for (var fold = 0; fold < folds; fold++)
        {
            var train = pages.Where(p => Trainer.FoldOf(p.Doc, folds) != fold).ToList();
            var test = pages.Where(p => Trainer.FoldOf(p.Doc, folds) == fold).ToList();
            Console.WriteLine($"fold {fold}: training on {train.Count} forms, extracting {test.Count}");
            var m = LoadFold(fold) ?? SaveFold(fold, Train(train, 3, final: false, TextWriter.Null).Models);
            var mergeThreshold = float.TryParse(Environment.GetEnvironmentVariable("FORMS_MERGE_THRESHOLD"), CultureInfo.InvariantCulture, out var mt) ? mt : m.MergeThreshold;
            // FORMS_RERANK=0: the first stage alone decides (same fold models).
            var models = new FormModels(m.Join, m.Question, m.Answer, m.Header, m.Merge, m.Link, mergeThreshold, linkThreshold,
                Environment.GetEnvironmentVariable("FORMS_RERANK") == "0" ? null : m.Rerank, m.Split);
            var enricher = new FormEnricher(models)
            {
                Rules = RuleSet(),
                RulesAfterModels = Enum.TryParse<FormRules>(Environment.GetEnvironmentVariable("FORMS_RULES_AFTER"), out var after) ? after : new FormEnricher().RulesAfterModels,
                Decoding = decoding,
                MisreadColons = Environment.GetEnvironmentVariable("FORMS_MISREADCOLONS") != "0",
                MinLabelsAbove = int.TryParse(Environment.GetEnvironmentVariable("FORMS_MINABOVE"), CultureInfo.InvariantCulture, out var minAbove) ? minAbove : new FormEnricher().MinLabelsAbove,
            };
            foreach (var page in test)
            {
                var document = page.Document;
                // The fastest of three runs: the machine is shared, and the first run of a fold pays for JIT.
                var best = double.MaxValue;
                for (var run = 0; run < 3; run++)
                {
                    foreach (var p in document.Pages ?? []) p.FormFields = null;
                    var watch = Stopwatch.StartNew();
                    enricher.Enrich(document, page.Layouts, CancellationToken.None);
                    best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
                }
                ms.Add(best);
                File.WriteAllText(Path.Combine(output, page.Doc + ".json"), DocumentJson.Serialize(document));
            }
        }
        ms.Sort();
        Console.WriteLine($"cv-forms: {pages.Count} forms in {folds} folds in {clock.Elapsed.TotalSeconds:F1} s; form extraction median " +
                          $"{ms[ms.Count / 2].ToString("F2", CultureInfo.InvariantCulture)} ms, p95 {ms[(int)(ms.Count * 0.95)].ToString("F2", CultureInfo.InvariantCulture)} ms a page; outputs in {output}");
        return 0;
    }

    /// <summary>FORMS_CV_MODELS=DIR keeps each fold's models, to try decoding and rule choices without retraining.</summary>
    private static string? FoldCache => Environment.GetEnvironmentVariable("FORMS_CV_MODELS");

    private static readonly string[] ModelNames = ["forms-join", "forms-question", "forms-answer", "forms-header", "forms-merge", "forms-link"];

    private static FormModels? LoadFold(int fold) => FoldCache is { } dir ? LoadFold(dir, fold) : null;

    /// <summary>The models cv-forms kept for one fold in <paramref name="dir"/>, or null.</summary>
    internal static FormModels? LoadFold(string dir, int fold)
    {
        if (!File.Exists(Path.Combine(dir, $"fold{fold}-forms-link.json"))) return null;
        var m = ModelNames.Select(n => TreeEnsemble.FromJson(File.ReadAllText(Path.Combine(dir, $"fold{fold}-{n}.json")))).ToArray();
        var rerank = Path.Combine(dir, $"fold{fold}-forms-rerank.json");
        var split = Path.Combine(dir, $"fold{fold}-forms-split.json");
        return new FormModels(m[0], m[1], m[2], m[3], m[4], m[5], rerank: File.Exists(rerank) ? TreeEnsemble.FromJson(File.ReadAllText(rerank)) : null,
            split: File.Exists(split) ? TreeEnsemble.FromJson(File.ReadAllText(split)) : null);
    }

    private static FormModels SaveFold(int fold, FormModels m)
    {
        if (FoldCache is not { } dir) return m;
        Directory.CreateDirectory(dir);
        foreach (var model in new[] { m.Join!, m.Question, m.Answer, m.Header, m.Merge, m.Link, m.Rerank, m.Split })
            if (model is not null) File.WriteAllText(Path.Combine(dir, $"fold{fold}-{model.Name}.json"), model.ToJson());
        return m;
    }

    private static FormRuleSet RuleSet() => Environment.GetEnvironmentVariable("FORMS_RULES") switch
    {
        "none" => FormRuleSet.None,
        "checkboxes" => FormRuleSet.Checkboxes,
        "all" => FormRuleSet.All,
        _ => FormRuleSet.After,
    };
}
