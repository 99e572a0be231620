using System.Globalization;
using DocFlow.DevSet.Learning;
using DocFlow.Engine.Extraction.Forms.Learning;

namespace DocFlow.DevSet;

/// <summary>
/// form-losses CACHE FUNSD FOLD-MODELS-DIR OUT.tsv: for every labelled link, the step of the learned form extractor
/// that loses it, each page run with the fold models that did not see it (FORMS_CV_MODELS of cv-forms, 5 folds).
/// One row a link: doc, key entity, value entity, how many values the key has, how many keys the value has, the
/// stage, and details. The stages, in order: key or value not read (no word of it), not formed (no phrase is mostly
/// it: split, or merged with another entity), the same phrase, a role under <see cref="FormLinking.MinRole"/>, no
/// candidate (out of reach, or past the key's nearest 12), under the link threshold, lost in decoding (the value
/// given to another key, the key taken as a value, the value taken as a key), or linked (by the models or by
/// a column's continuation). Whether a linked pair is then scored is for score.py's matching on the outputs.
/// </summary>
internal static class FormLosses
{
    public static int Run(string cache, string devset, string foldDir, string output)
    {
        var pages = FormTraining.Load(cache, devset);
        var folds = Enumerable.Range(0, 5).Select(f => FormTraining.LoadFold(foldDir, f) ?? throw new InvalidOperationException($"no fold {f} models in {foldDir}")).ToArray();
        using var writer = new StreamWriter(output);
        writer.WriteLine("doc\tq\ta\tnValues\tnKeys\tstage\tdetail\tkeyPhrases\tvaluePhrases");
        var tally = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var page in pages)
        {
            var models = folds[Trainer.FoldOf(page.Doc, 5)];
            var (_, median, _, groups, candidates, linkP) = LearnedForms.Analyse(page.View, models);
            var links = FormLinking.Decode(candidates, linkP, models.LinkThreshold, groups, FormDecoding.Default.SecondThreshold, rowAndColumnKeys: Environment.GetEnvironmentVariable("FORMS_TWOKEYS") is { } two ? two != "0" : FormDecoding.Default.RowAndColumnKeys);
            var continued = FormLinking.ColumnContinuations(groups, links, median);
            // The entity most of each group's characters belong to (as training labels them), or -1.
            var entity = groups.Select(g =>
            {
                var chars = new Dictionary<int, int>();
                foreach (var w in g.Words)
                    if (page.WordEntity.GetValueOrDefault(w.Start, -1) is var e and >= 0) chars[e] = chars.GetValueOrDefault(e) + w.Text.Length;
                if (chars.Count == 0) return -1;
                var best = chars.MaxBy(c => c.Value);
                return best.Value * 2 >= g.Words.Sum(w => w.Text.Length) ? best.Key : -1;
            }).ToArray();
            var words = page.Rows.SelectMany(r => r).ToList();
            var nValues = page.Links.GroupBy(l => l.Question).ToDictionary(g => g.Key, g => g.Count());
            var nKeys = page.Links.GroupBy(l => l.Answer).ToDictionary(g => g.Key, g => g.Count());
            var linkOf = new Dictionary<(int, int), string>();
            foreach (var (q, a, _) in links) linkOf[(q, a)] = "linked";
            foreach (var (q, a, _) in continued) linkOf.TryAdd((q, a), "linked-column");
            var keyOfValue = links.Concat(continued).GroupBy(l => l.Answer).ToDictionary(g => g.Key, g => g.First().Question);
            var keys = links.Select(l => l.Question).ToHashSet();
            foreach (var (qe, ae) in page.Links.OrderBy(l => l.Question).ThenBy(l => l.Answer))
            {
                var gq = Enumerable.Range(0, groups.Count).Where(i => entity[i] == qe).ToList();
                var ga = Enumerable.Range(0, groups.Count).Where(i => entity[i] == ae).ToList();
                string stage, detail = "";
                string Formed(int e, List<int> found, string side)
                {
                    if (found.Count > 0) return "";
                    var mine = words.Where(w => page.WordEntity.GetValueOrDefault(w.Start, -1) == e).ToList();
                    if (mine.Count == 0) return side + "-not-read";
                    // The groups holding its words: one group mostly another entity's (merged), or several (split).
                    var holders = groups.Where(g => g.Words.Any(w => page.WordEntity.GetValueOrDefault(w.Start, -1) == e)).ToList();
                    return holders.Count == 1 ? side + "-merged" : side + "-split";
                }
                var notFormed = Formed(qe, gq, "key");
                if (notFormed == "") notFormed = Formed(ae, ga, "value");
                if (notFormed != "") stage = notFormed;
                else if (gq.Intersect(ga).Any()) stage = "same-phrase";
                else if (gq.All(x => groups[x].Question < FormLinking.MinRole)) { stage = "key-role-low"; detail = Roles(groups, gq); }
                else if (ga.All(y => groups[y].Answer < FormLinking.MinRole)) { stage = "value-role-low"; detail = Roles(groups, ga); }
                else
                {
                    var cand = Enumerable.Range(0, candidates.Count).Where(i => gq.Contains(candidates[i].Question) && ga.Contains(candidates[i].Answer)).ToList();
                    if (cand.Count == 0)
                    {
                        var inReach = gq.Any(x => ga.Any(y => FormLinking.InReach(groups[x].Box, groups[y].Box, median, page.View.Width)));
                        stage = inReach ? "no-candidate-rank" : "no-candidate-reach";
                        detail = Roles(groups, gq) + " / " + Roles(groups, ga);
                    }
                    else
                    {
                        var best = cand.MaxBy(i => linkP[i]);
                        var (q, a) = candidates[best];
                        detail = $"p {linkP[best].ToString("F2", CultureInfo.InvariantCulture)} {Roles(groups, [q])} / {Roles(groups, [a])}";
                        if (cand.Any(i => linkOf.ContainsKey(candidates[i])))
                            stage = linkOf[candidates[cand.First(i => linkOf.ContainsKey(candidates[i]))]];
                        else if (linkP[best] < models.LinkThreshold)
                            stage = ga.Any(keyOfValue.ContainsKey) ? "under-threshold-value-taken" : "under-threshold";
                        else if (ga.Any(keys.Contains)) stage = "decode-value-is-key";
                        else if (ga.Any(keyOfValue.ContainsKey))
                        {
                            var other = keyOfValue[ga.First(keyOfValue.ContainsKey)];
                            stage = page.Links.Contains((entity[other], ae)) ? "decode-value-to-its-other-gold-key" : "decode-value-to-other-key";
                            detail += $" taken by \"{groups[other].Text}\"" + (FormLinking.OnRow(groups[other].Box, groups[a].Box) ? " (on its row)" : " (off its row)");
                        }
                        else if (gq.All(keyOfValue.ContainsKey)) stage = "decode-key-is-value";
                        else stage = "decode-other";
                    }
                }
                // Where the key's and the value's words went: the text of each phrase holding some of them, and whose it mostly is.
                string Holders(int e) => string.Join(" | ", Enumerable.Range(0, groups.Count).Where(g => groups[g].Words.Any(w => page.WordEntity.GetValueOrDefault(w.Start, -1) == e))
                    .Select(g => $"{(entity[g] == e ? "" : entity[g] < 0 ? "~" : "#" + page.Labels[entity[g]] + "#")}{groups[g].Text}"));
                detail += $"\tkey: {Holders(qe)}\tvalue: {Holders(ae)}";
                var kind = nValues[qe] > 1 ? "multi" : "single";
                tally[kind + " " + stage] = tally.GetValueOrDefault(kind + " " + stage) + 1;
                writer.WriteLine($"{page.Doc}\t{qe}\t{ae}\t{nValues[qe]}\t{nKeys[ae]}\t{stage}\t{detail}");
            }
        }
        foreach (var (k, v) in tally) Console.WriteLine($"  {k}: {v}");
        return 0;
    }

    private static string Roles(List<FormGroup> groups, IEnumerable<int> members) =>
        string.Join(",", members.Select(i => $"Q{groups[i].Question:F2}A{groups[i].Answer:F2}H{groups[i].Header:F2}"));
}

/// <summary>
/// form-merges CACHE FUNSD FOLD-MODELS-DIR OUT.tsv: every line-merge candidate (a phrase and the one under it, or its
/// right neighbour on its row) of every form, scored by the fold models that did not see the form, with what the labels
/// say: one entity or not, and each side's labelled role. One row a candidate: its features, probability and label.
/// </summary>
internal static class FormMerges
{
    public static int Run(string cache, string devset, string foldDir, string output)
    {
        var pages = FormTraining.Load(cache, devset);
        var folds = Enumerable.Range(0, 5).Select(f => FormTraining.LoadFold(foldDir, f) ?? throw new InvalidOperationException($"no fold {f} models in {foldDir}")).ToArray();
        using var writer = new StreamWriter(output);
        writer.WriteLine("doc\tupper\tlower\tsame\tuLabel\tlLabel\tp\t" + string.Join('\t', FormLinking.MergeFeatureNames) + "\tuText\tlText");
        foreach (var page in pages)
        {
            var models = folds[Trainer.FoldOf(page.Doc, 5)];
            var (joined, median) = FormSegments.Segment(page.View, models);
            page.Use([.. joined]);
            var (segments, roles) = models.SplitPhrases(page.View, joined, median, models.Roles(page.Features));
            page.Use([.. segments]);
            var merges = FormLinking.MergeCandidates(segments, median);
            var rowCounts = segments.GroupBy(s => s.Row).ToDictionary(g => g.Key, g => g.Count());
            foreach (var (u, l) in merges)
            {
                var f = FormLinking.MergeFeatures(segments, roles, median, (u, l), rowCounts, page.View.Rulings);
                var p = models.Merge.Probability(f);
                var same = page.Entity[u] >= 0 && page.Entity[u] == page.Entity[l];
                writer.WriteLine($"{page.Doc}\t{u}\t{l}\t{(same ? 1 : 0)}\t{page.Label[u]}\t{page.Label[l]}\t{p.ToString("F3", CultureInfo.InvariantCulture)}\t" +
                                 string.Join('\t', f.Select(x => x.ToString("G4", CultureInfo.InvariantCulture))) + $"\t{segments[u].Text.Replace('\t', ' ')}\t{segments[l].Text.Replace('\t', ' ')}");
            }
        }
        return 0;
    }
}

/// <summary>
/// form-joins CACHE FUNSD FOLD-MODELS-DIR OUT.tsv: every word-join candidate (two neighbouring words of a row) of every
/// form, scored by the fold join model that did not see the form, with what the labels say: one entity, two, or
/// unlabelled words, and each word's labelled role. One row a candidate.
/// </summary>
internal static class FormJoins
{
    public static int Run(string cache, string devset, string foldDir, string output)
    {
        var pages = FormTraining.Load(cache, devset);
        var folds = Enumerable.Range(0, 5).Select(f => FormTraining.LoadFold(foldDir, f) ?? throw new InvalidOperationException($"no fold {f} models in {foldDir}")).ToArray();
        using var writer = new StreamWriter(output);
        writer.WriteLine("doc\trow\tleft\tsame\tlLabel\trLabel\tp\t" + string.Join('\t', FormSegments.JoinFeatureNames) + "\tlText\trText");
        foreach (var page in pages)
        {
            var models = folds[Trainer.FoldOf(page.Doc, 5)];
            foreach (var (r, i) in FormSegments.JoinCandidates(page.Rows, page.Median))
            {
                var f = FormSegments.JoinFeatures(page.Rows[r], i, page.Median, page.View.Width, FormSegments.RowGap(page.Rows[r]));
                var p = models.Join!.Probability(f);
                var (a, b) = (page.WordEntity[page.Rows[r][i].Start], page.WordEntity[page.Rows[r][i + 1].Start]);
                var same = a < 0 || b < 0 ? "-" : a == b ? "1" : "0";
                writer.WriteLine($"{page.Doc}\t{r}\t{i}\t{same}\t{(a < 0 ? "none" : page.Labels[a])}\t{(b < 0 ? "none" : page.Labels[b])}\t{p.ToString("F3", CultureInfo.InvariantCulture)}\t" +
                                 string.Join('\t', f.Select(x => x.ToString("G4", CultureInfo.InvariantCulture))) + $"\t{page.Rows[r][i].Text.Replace('\t', ' ')}\t{page.Rows[r][i + 1].Text.Replace('\t', ' ')}");
            }
        }
        return 0;
    }
}
