using DocFlow.Engine.Extraction.Learning;

namespace DocFlow.Engine.Extraction.Forms.Learning;

/// <summary>
/// The models of the learned form extractor: segment roles (question, answer, header: one-vs-rest), word joining, line merging,
/// key-value linking; trained by <c>tools/DocFlow.DevSet train-forms</c> and shipped as Extraction/Models/forms-*.json.
/// </summary>
public sealed class FormModels(TreeEnsemble? join, TreeEnsemble question, TreeEnsemble answer, TreeEnsemble header, TreeEnsemble merge, TreeEnsemble link,
    float mergeThreshold = FormModels.DefaultMergeThreshold, float linkThreshold = FormModels.DefaultLinkThreshold)
{
    /// <summary>Neighbouring words are one phrase above this: a wrong split is mended by merging, a wrong join is not.</summary>
    public const float JoinThreshold = 0.8f;
    public const float DefaultMergeThreshold = 0.5f;
    public const float DefaultLinkThreshold = 0.4f;

    private static readonly Lazy<FormModels?> EmbeddedModels = new(() =>
    {
        try
        {
            var models = new FormModels(TreeEnsemble.LoadEmbedded("forms-join"), TreeEnsemble.LoadEmbedded("forms-question"), TreeEnsemble.LoadEmbedded("forms-answer"),
                TreeEnsemble.LoadEmbedded("forms-header"), TreeEnsemble.LoadEmbedded("forms-merge"), TreeEnsemble.LoadEmbedded("forms-link"));
            // Models trained on other features than this code computes would read the wrong numbers: rules only.
            return models.Matches() ? models : null;
        }
        catch (InvalidOperationException)
        {
            return null; // an engine built without the models: rules only
        }
    });

    /// <summary>The models shipped in the engine, or null when it has none.</summary>
    public static FormModels? Embedded => EmbeddedModels.Value;

    /// <summary>Whether two neighbouring words are one phrase; null: the rule (gap, colon).</summary>
    public TreeEnsemble? Join { get; } = join;
    public TreeEnsemble Question { get; } = question;
    public TreeEnsemble Answer { get; } = answer;
    public TreeEnsemble Header { get; } = header;
    public TreeEnsemble Merge { get; } = merge;
    public TreeEnsemble Link { get; } = link;
    public float MergeThreshold { get; } = mergeThreshold;
    public float LinkThreshold { get; } = linkThreshold;

    /// <summary>Whether every model takes the features this code computes, in its order.</summary>
    public bool Matches() =>
        (Join is null || Join.Features.SequenceEqual(FormSegments.JoinFeatureNames))
        && new[] { Question, Answer, Header }.All(m => m.Features.SequenceEqual(FormSegments.FeatureNames))
        && Merge.Features.SequenceEqual(FormLinking.MergeFeatureNames)
        && Link.Features.SequenceEqual(FormLinking.LinkFeatureNames);

    /// <summary>The role scores (question, answer, header) of each segment.</summary>
    public float[][] Roles(float[][] features) =>
        [.. features.Select(f => new[] { Question.Probability(f), Answer.Probability(f), Header.Probability(f) })];
}

/// <summary>A key and its value found by the learned extractor.</summary>
public sealed record LearnedPair(FormGroup Question, FormGroup Answer, float Confidence);

/// <summary>
/// The learned form extractor: segments, their roles, phrases over several lines, then links of keys to values
/// decoded greedily (each value to its likeliest key).
/// </summary>
public static class LearnedForms
{
    public static List<LearnedPair> Find(PageView page, FormModels models, Func<WordView, bool>? include = null)
    {
        var (segments, median) = FormSegments.Segment(page, models, include);
        if (segments.Count < 2) return [];
        var roles = models.Roles(FormSegments.Features(page, segments, median));
        var merges = FormLinking.MergeCandidates(segments, median);
        var rowCounts = segments.GroupBy(s => s.Row).ToDictionary(g => g.Key, g => g.Count());
        var mergeP = merges.Select(m => models.Merge.Probability(FormLinking.MergeFeatures(segments, roles, median, m, rowCounts))).ToList();
        var groups = FormLinking.Groups(segments, roles, merges, mergeP, models.MergeThreshold);
        var candidates = FormLinking.LinkCandidates(groups, median, page.Width);
        var features = FormLinking.LinkFeatures(groups, candidates, median, page.Width, page.Height);
        var linkP = features.Select(f => models.Link.Probability(f)).ToList();
        var links = FormLinking.Decode(candidates, linkP, models.LinkThreshold);
        var pairs = new List<LearnedPair>();
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
                if (PageGeometryOverlapY(key.Box, first.Box) > 0.3f * Math.Min(key.Box.Height, first.Box.Height))
                {
                    for (var j = i + 1; j < values.Count; j++)
                    {
                        if (taken[j]) continue;
                        var next = groups[values[j].Answer].Box;
                        var last = parts[^1].Box;
                        var sameRow = PageGeometryOverlapY(last, next) > 0.3f * Math.Min(last.Height, next.Height) && next.Left >= last.Right - median && next.Left - last.Right < 12 * median;
                        var below = next.Top >= last.Bottom - 0.3f * median && next.Top - last.Bottom < 2 * median && Math.Abs(next.Left - first.Box.Left) < 3 * median;
                        if (!sameRow && !below) continue;
                        parts.Add(groups[values[j].Answer]);
                        taken[j] = true;
                        confidence = Math.Min(confidence, values[j].P);
                    }
                }
                var value = parts.Count == 1 ? first : FormGroup.Join(parts);
                pairs.Add(new LearnedPair(key, value, confidence));
            }
        }
        return pairs;
    }

    private static float PageGeometryOverlapY(DocFlow.Documents.Box a, DocFlow.Documents.Box b) => Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
}
