using DocFlow.Documents;
using DocFlow.Engine.Extraction.Learning;
using DocFlow.Engine.Extraction.Tables;

namespace DocFlow.Engine.Extraction.Forms.Learning;

/// <summary>
/// The models of the learned form extractor: segment roles (question, answer, header: one-vs-rest), word joining, line merging,
/// key-value linking; trained by <c>tools/DocFlow.DevSet train-forms</c> and shipped as Extraction/Models/forms-*.json.
/// </summary>
public sealed class FormModels(TreeEnsemble? join, TreeEnsemble question, TreeEnsemble answer, TreeEnsemble header, TreeEnsemble merge, TreeEnsemble link,
    float mergeThreshold = FormModels.DefaultMergeThreshold, float? linkThreshold = null, TreeEnsemble? rerank = null, TreeEnsemble? split = null)
{
    /// <summary>Neighbouring words are one phrase above this: a wrong split is mended by merging, a wrong join is not.</summary>
    public const float JoinThreshold = 0.8f;
    public const float DefaultMergeThreshold = 0.5f;
    /// <summary>A phrase is cut in two (a key and its value read as one) at and above this (<see cref="Split"/>).</summary>
    public const float SplitThreshold = 0.5f;
    public const float DefaultLinkThreshold = 0.4f;
    /// <summary>The link threshold on the second stage's probabilities (cv-forms on FUNSD: soft pair F1 0.3014 at 0.4,
    /// 0.3036 at 0.3, 0.3035 at 0.25).</summary>
    public const float RerankLinkThreshold = 0.3f;

    private static readonly Lazy<FormModels?> EmbeddedModels = new(() =>
    {
        try
        {
            var models = new FormModels(TreeEnsemble.LoadEmbedded("forms-join"), TreeEnsemble.LoadEmbedded("forms-question"), TreeEnsemble.LoadEmbedded("forms-answer"),
                TreeEnsemble.LoadEmbedded("forms-header"), TreeEnsemble.LoadEmbedded("forms-merge"), TreeEnsemble.LoadEmbedded("forms-link"),
                rerank: OptionalEmbedded("forms-rerank"), split: OptionalEmbedded("forms-split"));
            // Models trained on other features than this code computes would read the wrong numbers: rules only.
            return models.Matches() ? models : null;
        }
        catch (InvalidOperationException)
        {
            return null; // an engine built without the models: rules only
        }
    });

    private static TreeEnsemble? OptionalEmbedded(string name)
    {
        try { return TreeEnsemble.LoadEmbedded(name); }
        catch (InvalidOperationException) { return null; }
    }

    /// <summary>The models shipped in the engine, or null when it has none.</summary>
    public static FormModels? Embedded => EmbeddedModels.Value;

    /// <summary>Whether two neighbouring words are one phrase; null: the rule (gap, colon).</summary>
    public TreeEnsemble? Join { get; } = join;
    public TreeEnsemble Question { get; } = question;
    public TreeEnsemble Answer { get; } = answer;
    public TreeEnsemble Header { get; } = header;
    public TreeEnsemble Merge { get; } = merge;
    /// <summary>Whether a phrase the join model made is two (a key and its value on one line, "Total Sample 214"); null: phrases stay as joined.</summary>
    public TreeEnsemble? Split { get; } = split;
    public TreeEnsemble Link { get; } = link;
    /// <summary>The second-stage link model (a candidate among its competitors, from the first stage's probabilities); null: the first stage decides.</summary>
    public TreeEnsemble? Rerank { get; } = rerank;
    public float MergeThreshold { get; } = mergeThreshold;
    /// <summary>Links at and above this are accepted; by default <see cref="DefaultLinkThreshold"/>, or <see cref="RerankLinkThreshold"/> with a second stage.</summary>
    public float LinkThreshold { get; } = linkThreshold ?? (rerank is null ? DefaultLinkThreshold : RerankLinkThreshold);

    /// <summary>Whether every model takes the features this code computes, in its order.</summary>
    public bool Matches() =>
        (Join is null || Join.Features.SequenceEqual(FormSegments.JoinFeatureNames))
        && new[] { Question, Answer, Header }.All(m => m.Features.SequenceEqual(FormSegments.FeatureNames))
        && Merge.Features.SequenceEqual(FormLinking.MergeFeatureNames)
        && Link.Features.SequenceEqual(FormLinking.LinkFeatureNames)
        && (Rerank is null || Rerank.Features.SequenceEqual(FormLinking.RerankFeatureNames))
        && (Split is null || Split.Features.SequenceEqual(FormSegments.SplitFeatureNames));

    /// <summary>The role scores (question, answer, header) of each segment.</summary>
    public float[][] Roles(float[][] features) =>
        [.. features.Select(f => new[] { Question.Probability(f), Answer.Probability(f), Header.Probability(f) })];

    /// <summary>The role scores (question, answer, header) of one phrase.</summary>
    public float[] Role(float[] features) => [Question.Probability(features), Answer.Probability(features), Header.Probability(features)];

    /// <summary>The join model's probability that the words <paramref name="i"/> and i+1 of a row are one phrase, or null without a join model.</summary>
    public Func<List<WordView>, int, float>? JoinProbability(float median, float pageWidth) => Join is { } join
        ? (row, i) => join.Probability(FormSegments.JoinFeatures(row, i, median, pageWidth, FormSegments.RowGap(row)))
        : null;

    /// <summary>
    /// The phrases with those the split model cuts in two (a key and its value joined on one line), and their role
    /// scores; as given when there is no split model or nothing to cut.
    /// </summary>
    public (IReadOnlyList<FormSegment> Segments, float[][] Roles) SplitPhrases(PageView page, IReadOnlyList<FormSegment> segments, float median, float[][] roles,
        float threshold = SplitThreshold)
    {
        if (Split is not { } split) return (segments, roles);
        var cuts = new Dictionary<int, SortedSet<int>>();
        foreach (var (s, at, f) in FormSegments.SplitCandidates(page, segments, median, roles, Role, JoinProbability(median, page.Width)))
            if (split.Probability(f) >= threshold)
            {
                if (!cuts.TryGetValue(s, out var set)) cuts[s] = set = [];
                set.Add(at);
            }
        if (cuts.Count == 0) return (segments, roles);
        var cut = FormSegments.ApplySplits(segments, cuts);
        return (cut, Roles(FormSegments.Features(page, cut, median)));
    }
}

/// <summary>A key and its value found by the learned extractor.</summary>
public sealed record LearnedPair(FormGroup Question, FormGroup Answer, float Confidence);

/// <summary>Decoding choices of the learned form extractor. The defaults are what cv-forms measured best; the dev-set
/// tooling sets others to compare them without retraining.</summary>
public sealed record FormDecoding
{
    public static FormDecoding Default { get; } = new();

    /// <summary>The split model's threshold for cutting a phrase in two (<see cref="FormModels.SplitPhrases"/>); null: no phrase is cut.</summary>
    public float? SplitThreshold { get; init; } = FormModels.SplitThreshold;

    /// <summary>Which parts linked to one key make one value: "all" (on to the right on its row and down the lines under
    /// it), "row", "below", "none".</summary>
    public string Parts { get; init; } = "all";

    /// <summary>The weaker link a key with no value and a value with no key still make (phrases that read as key and value).
    /// Links under 0.2 were right 6 times in 78 (cv-forms on FUNSD).</summary>
    public float SecondThreshold { get; init; } = 0.2f;

    /// <summary>The link threshold for values not on their key's row (below or above it); null: the model's threshold.</summary>
    public float? OffRowThreshold { get; init; }

    /// <summary>Whether a distribution list's key ("cc:") takes each name of the list as a value (<see cref="LearnedForms.CopyLists"/>).
    /// cv-forms on FUNSD: soft pair F1 0.3036 → 0.3094 (147 labelled pairs have such a key, on 42 of the 149 forms).</summary>
    public bool CopyLists { get; init; } = true;

    /// <summary>A key's second line under it within this many text heights continues the key, a bracketed qualifier
    /// or the rest of an unfinished line (<see cref="FormLinking.IsKeyContinuation"/>); 0: the merge model alone decides.
    /// cv-forms on FUNSD: soft pair F1 0.3139 → 0.3194 (bracketed lines), 0.3224 (and unfinished lines).</summary>
    public float KeyContinuationGap { get; init; } = FormLinking.KeyContinuationGap;

    /// <summary>Whether a key's line that ends unfinished ("of", "per", "and"…) continues on the line under it
    /// (with <see cref="KeyContinuationGap"/>); else only bracketed qualifiers do.</summary>
    public bool WrappedKeys { get; init; } = true;

    /// <summary>Whether every phrase stacked under a key in its column is a candidate value (<see cref="FormLinking.Stacks"/>), beyond its nearest 12.</summary>
    public bool ColumnCandidates { get; init; }

    /// <summary>The link a table cell's second key needs (its row's or its column's, the other side from its first); null: the link threshold.</summary>
    public float? SecondKeyThreshold { get; init; }

    /// <summary>Whether a value may take two keys, one on its row and one off it (a table's cell: its row's and its
    /// column's); such a cell is never joined with its neighbours into a longer value. cv-forms on FUNSD: 0.3036 → 0.3075
    /// alone, 0.3094 → 0.3140 with <see cref="CopyLists"/> (577 of the labelled values have two keys).</summary>
    public bool RowAndColumnKeys { get; init; } = true;

    /// <summary>Header rows of a table-like section (<see cref="FormLinking.GridLinks"/>): a row of at least this many
    /// short labels, each heading a column of cells aligned under it, takes its column's cells; 0: off (not kept: on
    /// FUNSD, cv-forms, 3-19 % of the pairs it adds are right; docs/benchmarks.md "Session 15 helper `forms15`").</summary>
    public int GridColumns { get; init; }

    /// <summary>The gap under a column's last cell, in text heights, that ends the column (<see cref="GridColumns"/>).</summary>
    public float GridGap { get; init; } = 3f;

    /// <summary>Whether a header row's links replace a cell's link to a key off its row (true), or only cells no key took get one.</summary>
    public bool GridReplaces { get; init; }

    /// <summary>A column header's key or header score must reach this share of its value score (<see cref="GridColumns"/>); 0: any phrase.</summary>
    public float GridHeaderRole { get; init; }

    /// <summary>Whether a column ends at a phrase more key than value (<see cref="GridColumns"/>).</summary>
    public bool GridCellRole { get; init; }

    /// <summary>Whether a column ends at a phrase without digits: numeric tables only (<see cref="GridColumns"/>).</summary>
    public bool GridDigits { get; init; }

    /// <summary>Whether a column header linked to the cell under it takes the cells further down its column too.</summary>
    public bool ContinueColumns { get; init; } = true;

    /// <summary>Whether the header-row rule runs on the phrases no link took.</summary>
    public bool HeaderRowRule { get; init; } = true;

    /// <summary>Whether a key that starts with a lower-case letter (on a scan mostly the tail of a sentence or a misread
    /// word, seldom a printed label) still makes a pair. On FUNSD (cv-forms) such pairs were right 13 times in 157;
    /// 51 of the 3,253 labelled keys start lower-case.</summary>
    public bool LowerCaseKeys { get; init; }
}

/// <summary>
/// The learned form extractor: segments, their roles, phrases over several lines, then links of keys to values
/// decoded greedily (each value to its likeliest key).
/// </summary>
public static class LearnedForms
{
    /// <summary>The steps before decoding: phrases, their roles, phrases over several lines, link candidates and their probabilities.</summary>
    public sealed record Stages(IReadOnlyList<FormSegment> Segments, float Median, float[][] Roles, List<FormGroup> Groups,
        List<(int Question, int Answer)> Candidates, List<float> LinkP);

    /// <summary>Runs the models up to the link probabilities (also what the dev-set tooling prints and counts).</summary>
    public static Stages Analyse(PageView page, FormModels models, Func<WordView, bool>? include = null, FormDecoding? decoding = null)
    {
        decoding ??= FormDecoding.Default;
        var (segments, median) = FormSegments.Segment(page, models, include);
        if (segments.Count < 2) return new Stages(segments, median, [], [], [], []);
        var roles = models.Roles(FormSegments.Features(page, segments, median));
        // A key and its value read as one phrase ("Total Sample 214") are cut apart.
        if (decoding.SplitThreshold is { } splitThreshold) (segments, roles) = models.SplitPhrases(page, segments, median, roles, splitThreshold);
        var merges = FormLinking.MergeCandidates(segments, median);
        var rowCounts = segments.GroupBy(s => s.Row).ToDictionary(g => g.Key, g => g.Count());
        var mergeP = merges.Select(m => models.Merge.Probability(FormLinking.MergeFeatures(segments, roles, median, m, rowCounts, page.Rulings))).ToList();
        // A key's second line ("Male" over "(99)", "Cost Per" over "Interview") continues it, whatever the merge model says.
        if (decoding.KeyContinuationGap > 0)
            for (var i = 0; i < merges.Count; i++)
                if (FormLinking.IsKeyContinuation(segments, roles, merges[i], median, decoding.KeyContinuationGap, decoding.WrappedKeys)) mergeP[i] = 1f;
        var groups = FormLinking.Groups(segments, roles, merges, mergeP, models.MergeThreshold);
        var candidates = FormLinking.LinkCandidates(groups, median, page.Width, decoding.ColumnCandidates ? FormLinking.Stacks(groups, median) : null);
        var features = FormLinking.LinkFeatures(groups, candidates, median, page.Width, page.Height, page.Rulings);
        var linkP = features.Select(f => models.Link.Probability(f)).ToList();
        if (models.Rerank is { } rerank)
            linkP = [.. FormLinking.RerankFeatures(groups, candidates, features, linkP, median, page.Width).Select(f => rerank.Probability(f))];
        return new Stages(segments, median, roles, groups, candidates, linkP);
    }

    public static List<LearnedPair> Find(PageView page, FormModels models, Func<WordView, bool>? include = null, FormDecoding? decoding = null)
    {
        decoding ??= FormDecoding.Default;
        var (segments, median, roles, groups, candidates, linkP) = Analyse(page, models, include, decoding);
        if (segments.Count < 2) return [];
        var links = FormLinking.Decode(candidates, linkP, models.LinkThreshold, groups, decoding.SecondThreshold, decoding.OffRowThreshold, decoding.RowAndColumnKeys, decoding.SecondKeyThreshold);
        if (decoding.ContinueColumns) links.AddRange(FormLinking.ColumnContinuations(groups, links, median));
        if (decoding.GridColumns > 0) FormLinking.GridLinks(groups, links, median, decoding.GridColumns, decoding.GridGap, decoding.GridReplaces,
            decoding.GridHeaderRole, decoding.GridCellRole, decoding.GridDigits);
        var pairs = new List<LearnedPair>();
        // A value with two keys (its row's and its column's) is a table's cell: one cell, never part of a longer value.
        var cells = links.GroupBy(l => l.Answer).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        foreach (var byKey in links.GroupBy(l => l.Question))
        {
            var key = groups[byKey.Key];
            var values = byKey.OrderBy(l => groups[l.Answer].Box.Top).ThenBy(l => groups[l.Answer].Box.Left).ToList();
            var taken = new bool[values.Count];
            for (var i = 0; i < values.Count; i++)
            {
                if (taken[i]) continue;
                var first = groups[values[i].Answer];
                var parts = new List<FormGroup> { first };
                var confidence = values[i].P;
                // A value beside its key goes on to the right on its row and down the lines under it; values under
                // a key (a column header) are one per cell, and stay apart.
                if (FormLinking.OnRow(key.Box, first.Box) && !cells.Contains(values[i].Answer))
                {
                    for (var j = i + 1; j < values.Count; j++)
                    {
                        if (taken[j] || cells.Contains(values[j].Answer)) continue;
                        var next = groups[values[j].Answer].Box;
                        var last = parts[^1].Box;
                        var sameRow = FormLinking.OnRow(last, next) && next.Left >= last.Right - median && next.Left - last.Right < 12 * median;
                        var below = next.Top >= last.Bottom - 0.3f * median && next.Top - last.Bottom < 2 * median && Math.Abs(next.Left - first.Box.Left) < 3 * median;
                        if (!(sameRow && decoding.Parts is "all" or "row") && !(below && decoding.Parts is "all" or "below")) continue;
                        parts.Add(groups[values[j].Answer]);
                        taken[j] = true;
                        confidence = Math.Min(confidence, values[j].P);
                    }
                }
                var value = parts.Count == 1 ? first : FormGroup.Join(parts);
                pairs.Add(new LearnedPair(key, value, confidence));
            }
        }
        if (decoding.CopyLists) CopyLists(segments, roles, pairs, median);
        if (!decoding.LowerCaseKeys) pairs.RemoveAll(p => StartsLower(p.Question.Text) && !(decoding.CopyLists && IsCopyListKey(p.Question.Text)));
        if (decoding.HeaderRowRule)
        {
            var values = pairs.SelectMany(p => p.Answer.Members).ToHashSet();
            var taken = pairs.SelectMany(p => p.Question.Members).Concat(values).ToHashSet();
            foreach (var (header, cell) in HeaderRows(segments, taken, values, median))
                pairs.Add(new LearnedPair(new FormGroup([header], segments, roles), new FormGroup([cell], segments, roles), HeaderRowConfidence));
        }
        return pairs;
    }

    private const float HeaderRowConfidence = 0.5f;

    private static readonly System.Text.RegularExpressions.Regex CopyListKey = new(
        @"^(b?cc|c\.\s?c\.|copies|copies to|copy to|copies to the following|distribution|distribution list)\s*[:;,.]?$",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Whether a phrase is the key of a distribution list ("cc:", "Copies to:", "Distribution:").</summary>
    public static bool IsCopyListKey(string text) => CopyListKey.IsMatch(text.Trim());

    /// <summary>
    /// A distribution list ("cc:", "Copies to:", "Distribution:") is one key with a value per name: the phrases to the
    /// key's right on its row and on the rows under it, in one or more columns, as long as the lines follow each other
    /// closely and no other key (a phrase ending with a colon) or prose interrupts them. Replaces what the links made
    /// of the key and of those phrases.
    /// </summary>
    public static void CopyLists(IReadOnlyList<FormSegment> segments, float[][] roles, List<LearnedPair> pairs, float median)
    {
        for (var k = 0; k < segments.Count; k++)
        {
            if (!IsCopyListKey(segments[k].Text)) continue;
            var key = segments[k].Box;
            var names = new List<int>();
            var lastBottom = key.Bottom;
            foreach (var row in Enumerable.Range(0, segments.Count).Where(i => i != k && segments[i].Row >= segments[k].Row && segments[i].Box.Left >= key.Left - median)
                         .GroupBy(i => segments[i].Row).OrderBy(g => g.Key))
            {
                // Not a stamp or a stroke read as text (taller than two lines, fewer than two letters).
                var cells = row.Where(i => (segments[i].Row != segments[k].Row || segments[i].Box.Left >= key.Right - 0.5f * median)
                    && segments[i].Box.Height <= 2 * median && segments[i].Text.Count(char.IsLetter) >= 2).ToList();
                if (cells.Count == 0) continue;
                var top = cells.Min(i => segments[i].Box.Top);
                if (segments[cells[0]].Row != segments[k].Row && top - lastBottom > 1.5f * median) break;
                if (cells.Any(i => segments[i].Text.EndsWith(':') || segments[i].Words.Count > 6)) break;
                names.AddRange(cells);
                lastBottom = Math.Max(lastBottom, cells.Max(i => segments[i].Box.Bottom));
            }
            if (names.Count == 0) continue;
            var taken = names.Append(k).ToHashSet();
            pairs.RemoveAll(p => p.Question.Members.Concat(p.Answer.Members).Any(taken.Contains));
            var keyGroup = new FormGroup([k], segments, roles);
            foreach (var n in names) pairs.Add(new LearnedPair(keyGroup, new FormGroup([n], segments, roles), CopyListConfidence));
        }
    }

    private const float CopyListConfidence = 0.6f;

    /// <summary>
    /// A row of two or more labels (no digits, short, not prose) over a row of cells, one under each label and at
    /// least one with digits, is a row of column headers: each takes the cell under it and the cells further down
    /// its column that look like that cell (digits or not). Pairs only phrases no link took: clean layouts the
    /// models, trained on noisy scans, leave alone.
    /// </summary>
    public static List<(int Header, int Cell)> HeaderRows(IReadOnlyList<FormSegment> segments, IReadOnlySet<int> taken, IReadOnlySet<int> values, float median)
    {
        var result = new List<(int, int)>();
        var used = new HashSet<int>(taken);
        var all = Enumerable.Range(0, segments.Count).ToList();
        foreach (var row in all.GroupBy(i => segments[i].Row).OrderBy(g => g.Key))
        {
            // Every phrase of the row a label, over a row of as many cells, one under each: a grid, not prose.
            var headers = row.ToList();
            if (headers.Count < 2 || headers.Any(h => !IsLabel(segments[h].Text))) continue;
            var cells = new Dictionary<int, int>();
            foreach (var h in headers)
            {
                if (CellBelow(segments, segments[h].Box, segments[h].Box, median) is not { } c) break;
                if (headers.Any(o => o != h && PageGeometry.OverlapX(segments[o].Box, segments[c].Box) > 0)) break;
                cells[h] = c;
            }
            if (cells.Count != headers.Count || cells.Values.Distinct().Count() != cells.Count || !cells.Values.Any(c => HasDigit(segments[c].Text))) continue;
            var cellRow = segments[cells.Values.First()].Row;
            if (cells.Values.Any(c => segments[c].Row != cellRow || segments[c].Text.EndsWith(':')) || all.Count(i => segments[i].Row == cellRow) != cells.Count) continue;
            foreach (var (h, first) in cells)
            {
                if (values.Contains(h)) continue; // a header some link took as a value
                var cell = first;
                while (true)
                {
                    if (!used.Contains(cell)) result.Add((h, cell));
                    used.Add(cell);
                    if (CellBelow(segments, segments[cell].Box, segments[h].Box, median) is not { } next || used.Contains(next)
                        || HasDigit(segments[next].Text) != HasDigit(segments[first].Text) || segments[next].Text.EndsWith(':')) break;
                    cell = next;
                }
            }
        }
        return result;
    }

    private static int? CellBelow(IReadOnlyList<FormSegment> segments, DocFlow.Documents.Box above, DocFlow.Documents.Box column, float median)
    {
        int? best = null;
        var bestTop = float.MaxValue;
        for (var i = 0; i < segments.Count; i++)
        {
            var b = segments[i].Box;
            if (b.Top < above.Bottom - 0.3f * median || b.Top - above.Bottom > 2.5f * median || b.Top >= bestTop) continue;
            if (PageGeometry.OverlapX(b, column) <= 0 || PageGeometry.OverlapX(b, above) <= 0) continue;
            best = i;
            bestTop = b.Top;
        }
        return best;
    }

    private static bool HasDigit(string text) => text.Any(char.IsDigit);

    /// <summary>Whether a phrase starts with a lower-case letter.</summary>
    public static bool StartsLower(string text) => text.Length > 0 && char.IsLower(text[0]);

    /// <summary>A column header's text: letters, no digits, a few words, not a sentence.</summary>
    private static bool IsLabel(string text) =>
        !HasDigit(text) && text.Count(char.IsLetter) >= 2 && text.Split(' ').Length <= 5 && text[^1] is not ('.' or ',' or ';');
}
