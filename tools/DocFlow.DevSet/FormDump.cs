using System.Globalization;
using DocFlow.Engine;
using DocFlow.Engine.Extraction;
using DocFlow.Engine.Extraction.Forms.Learning;
using DocFlow.Engine.Extraction.Learning;
using DocFlow.Processing;

namespace DocFlow.DevSet;

/// <summary>dump-form CACHE NAME [MODELS-PREFIX]: the learned form extractor's intermediate steps on one cached page.</summary>
internal static class FormDump
{
    public static int Run(string cache, string name, string? prefix)
    {
        var file = Path.Combine(cache, name + ".layouts.json");
        var text = File.ReadAllText(file);
        var newline = text.IndexOf('\n');
        var layouts = PageLayoutJson.Deserialize(text[(newline + 1)..]);
        using var engine = new LocalDocumentEngine(new EngineOptions());
        var document = engine.Finish(text[..newline], layouts, [], TimeSpan.Zero, CancellationToken.None).Document;
        var page = DocumentView.Pages(document, layouts)[0];
        var models = FormModels.Embedded!;
        if (prefix is not null)
        {
            string[] n = ["forms-join", "forms-question", "forms-answer", "forms-header", "forms-merge", "forms-link"];
            var m = n.Select(x => TreeEnsemble.FromJson(File.ReadAllText(prefix + x + ".json"))).ToArray();
            models = new FormModels(m[0], m[1], m[2], m[3], m[4], m[5],
                rerank: File.Exists(prefix + "forms-rerank.json") ? TreeEnsemble.FromJson(File.ReadAllText(prefix + "forms-rerank.json")) : null);
        }
        var (_, _, _, groups, candidates, linkP) = LearnedForms.Analyse(page, models);
        string F(float x) => x.ToString("F2", CultureInfo.InvariantCulture);
        for (var g = 0; g < groups.Count; g++)
        {
            var gr = groups[g];
            Console.WriteLine($"G{g} [{(int)gr.Box.Left},{(int)gr.Box.Top},{(int)gr.Box.Right},{(int)gr.Box.Bottom}] Q{F(gr.Question)} A{F(gr.Answer)} H{F(gr.Header)} \"{gr.Text}\"");
            foreach (var i in Enumerable.Range(0, candidates.Count).Where(i => candidates[i].Question == g).OrderByDescending(i => linkP[i]).Take(4))
                Console.WriteLine($"    -> G{candidates[i].Answer} p{F(linkP[i])} \"{groups[candidates[i].Answer].Text}\"");
        }
        return 0;
    }
}

/// <summary>form-stats CACHE FUNSD: how the learned extractor's segments cut the labelled entities.</summary>
internal static class FormStats
{
    public static int Run(string cache, string devset)
    {
        var pages = DocFlow.DevSet.Learning.FormTraining.Load(cache, devset);
        var models = FormModels.Embedded!;
        int whole = 0, split = 0, none = 0;
        var tally = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int segs = 0, mixed = 0, mixedQA = 0, linkedJoined = 0, links = 0;
        foreach (var p in pages)
        {
            var (segments, median, _, groups, _, _) = LearnedForms.Analyse(p.View, models);
            links += p.Links.Count;
            IEnumerable<IReadOnlyList<WordView>> units = Environment.GetEnvironmentVariable("STATS_GROUPS") == "1" ? groups.Select(g => g.Words) : segments.Select(s => s.Words);
            var unitList = units.ToList();
            foreach (var e in p.Links.SelectMany(l => new[] { l.Question, l.Answer }).Distinct())
            {
                var n = unitList.Count(u => u.Any(w => p.WordEntity.GetValueOrDefault(w.Start, -1) == e));
                if (n == 0) none++; else if (n == 1) whole++; else split++;
            }
            {
                var candidates = FormLinking.LinkCandidates(groups, median, p.View.Width).ToHashSet();
                int EntityOf(FormGroup g)
                {
                    var c = g.Words.GroupBy(w => p.WordEntity.GetValueOrDefault(w.Start, -1)).Where(x => x.Key >= 0).OrderByDescending(x => x.Sum(w => w.Text.Length)).FirstOrDefault();
                    return c?.Key ?? -1;
                }
                var ent = groups.Select(EntityOf).ToList();
                var answersOf = p.Links.GroupBy(l => l.Question).ToDictionary(g => g.Key, g => g.Count());
                foreach (var (q, a) in p.Links)
                {
                    var kind = answersOf[q] > 1 ? "multi" : "single";
                    var gq = Enumerable.Range(0, groups.Count).Where(i => ent[i] == q).ToList();
                    var ga = Enumerable.Range(0, groups.Count).Where(i => ent[i] == a).ToList();
                    var state = gq.Count == 0 || ga.Count == 0 ? "no-group" : gq.Any(x => ga.Any(y => candidates.Contains((x, y)))) ? "candidate" :
                        gq.All(x => groups[x].Question < FormLinking.MinRole) ? "key-role-low" : ga.All(y => groups[y].Answer < FormLinking.MinRole) ? "value-role-low" : "not-candidate";
                    tally[kind + " " + state] = tally.GetValueOrDefault(kind + " " + state) + 1;
                }
            }
            foreach (var words in unitList)
            {
                segs++;
                var ents = words.Select(w => p.WordEntity.GetValueOrDefault(w.Start, -1)).Where(e => e >= 0).Distinct().ToList();
                if (ents.Count < 2) continue;
                mixed++;
                var labels = ents.Select(e => p.Labels[e]).ToHashSet();
                if (labels.Contains("question") && labels.Contains("answer")) mixedQA++;
                foreach (var (q, a) in p.Links) if (ents.Contains(q) && ents.Contains(a)) linkedJoined++;
            }
        }
        foreach (var (k, v) in tally) Console.WriteLine($"  {k}: {v}");
        Console.WriteLine($"linked entities in 1 unit: {whole}, split over 2+: {split}, in no unit: {none}");
        Console.WriteLine($"segments {segs}, with >= 2 entities {mixed}, question+answer {mixedQA}; gold links inside one segment {linkedJoined} of {links}");
        return 0;
    }
}
