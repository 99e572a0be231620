using DocFlow.Documents;
using DocFlow.Engine.Extraction.Tables;

namespace DocFlow.Engine.Extraction.Forms.Learning;

/// <summary>Segments that make one phrase of the form (a value over several lines); its role scores are the segments' (weighted by characters).</summary>
public sealed class FormGroup
{
    public FormGroup(IReadOnlyList<int> members, IReadOnlyList<FormSegment> segments, IReadOnlyList<float[]> roles)
    {
        Members = members;
        Words = [.. members.SelectMany(m => segments[m].Words)];
        Box = Box.Union(members.Select(m => segments[m].Box));
        Text = string.Join(' ', members.Select(m => segments[m].Text));
        Row = segments[members[0]].Row;
        Question = Weighted(members, segments, roles, 0);
        Answer = Weighted(members, segments, roles, 1);
        Header = Weighted(members, segments, roles, 2);
    }

    private FormGroup(IReadOnlyList<FormGroup> parts)
    {
        Members = [.. parts.SelectMany(p => p.Members)];
        Words = [.. parts.SelectMany(p => p.Words)];
        Box = Box.Union(parts.Select(p => p.Box));
        Text = string.Join(' ', parts.Select(p => p.Text));
        Row = parts[0].Row;
        Question = parts.Average(p => p.Question);
        Answer = parts.Average(p => p.Answer);
        Header = parts.Average(p => p.Header);
    }

    /// <summary>One phrase made of several (a value whose parts were linked to the same key one by one).</summary>
    public static FormGroup Join(IReadOnlyList<FormGroup> parts) => new(parts);

    public IReadOnlyList<int> Members { get; }
    public IReadOnlyList<WordView> Words { get; }
    public Box Box { get; }
    public string Text { get; }
    public int Row { get; }
    public float Question { get; }
    public float Answer { get; }
    public float Header { get; }

    private static float Weighted(IReadOnlyList<int> members, IReadOnlyList<FormSegment> segments, IReadOnlyList<float[]> roles, int k) =>
        members.Sum(m => roles[m][k] * segments[m].Text.Length) / Math.Max(1f, members.Sum(m => segments[m].Text.Length));
}

/// <summary>
/// The two pairwise steps of the learned form extractor: which segment continues the one above it (a value or key
/// over several lines), and which key a value belongs to (to its right, below it, or the column header above it).
/// </summary>
public static class FormLinking
{
    /// <summary>Role scores below this never take part in a link (keeps the candidate pairs few).</summary>
    public const float MinRole = 0.05f;

    // ---------------------------------------------------------------- merging lines of one phrase

    /// <summary>Each segment with the nearest segment below it that shares its width, when close, and with the next segment on its row.</summary>
    public static List<(int Upper, int Lower)> MergeCandidates(IReadOnlyList<FormSegment> segments, float median)
    {
        var index = new Dictionary<FormSegment, int>();
        for (var i = 0; i < segments.Count; i++) index[segments[i]] = i;
        var result = new List<(int, int)>();
        for (var i = 0; i < segments.Count; i++)
        {
            var below = FormSegments.Nearest(segments, segments[i], up: false);
            if (below is null || below.Box.Top - segments[i].Box.Bottom > 2.5f * median) continue;
            result.Add((i, index[below]));
        }
        for (var i = 0; i + 1 < segments.Count; i++)
            if (segments[i + 1].Row == segments[i].Row && segments[i + 1].Box.Left - segments[i].Box.Right < 12 * median)
                result.Add((i, i + 1));
        return result;
    }

    public static readonly string[] MergeFeatureNames =
    [
        "gap", "leftDiff", "rightDiff", "overlap", "heightRatio", "upperQ", "upperA", "upperH", "lowerQ", "lowerA", "lowerH",
        "upperEndsColon", "upperEndsPunct", "lowerStartsLower", "lowerStartsDigit", "upperChars", "lowerChars",
        "upperRowSegments", "lowerRowSegments", "upperWidth", "lowerWidth", "lowerEndsColon", "rowGap", "horizontalGap", "sameRow",
        "rulesCrossedH", "rulesCrossedV",
    ];

    public static float[] MergeFeatures(IReadOnlyList<FormSegment> segments, IReadOnlyList<float[]> roles, float median, (int Upper, int Lower) pair, IReadOnlyDictionary<int, int> rowCounts, IReadOnlyList<Ruling> rulings)
    {
        var (u, l) = (segments[pair.Upper], segments[pair.Lower]);
        var (ru, rl) = (roles[pair.Upper], roles[pair.Lower]);
        var (crossedH, crossedV) = Crossed(u.Box, l.Box, rulings, median);
        return
        [
            (l.Box.Top - u.Box.Bottom) / median,
            (l.Box.Left - u.Box.Left) / median,
            (l.Box.Right - u.Box.Right) / median,
            PageGeometry.OverlapX(u.Box, l.Box) / Math.Max(1f, Math.Min(u.Box.Width, l.Box.Width)),
            u.Box.Height / Math.Max(1f, l.Box.Height),
            ru[0], ru[1], ru[2], rl[0], rl[1], rl[2],
            u.Text.EndsWith(':') ? 1 : 0,
            u.Text[^1] is '.' or ',' or ';' ? 1 : 0,
            char.IsLower(l.Text[0]) ? 1 : 0,
            char.IsDigit(l.Text[0]) ? 1 : 0,
            u.Text.Length, l.Text.Length,
            rowCounts[u.Row], rowCounts[l.Row],
            u.Box.Width / median, l.Box.Width / median,
            l.Text.EndsWith(':') ? 1 : 0,
            l.Row - u.Row,
            (l.Box.Left - u.Box.Right) / median,
            l.Row == u.Row ? 1 : 0,
            crossedH, crossedV,
        ];
    }

    /// <summary>
    /// Whether the lower phrase is the second line of the key above it, cut from it by the row it sits on: a bracketed
    /// qualifier ("Male" over "(99)", "STRENGTH" over "(7=Stronger)", "Tar" over "(Mg/Cigt)"), or, with
    /// <paramref name="wrapped"/>, the rest of a key whose line ends unfinished, with a connective ("Cost Per" over
    /// "Interview", "NO. OF" over "STORES"; not "by", "to", "on": "Approved By", "Sent to" end labels). The lower
    /// phrase is short, lies under the key within <paramref name="maxGap"/> text heights and shares half of the narrower one's width; the upper one reads as a key
    /// or a header more than as a value and is no bracketed phrase itself.
    /// </summary>
    public static bool IsKeyContinuation(IReadOnlyList<FormSegment> segments, IReadOnlyList<float[]> roles, (int Upper, int Lower) pair, float median,
        float maxGap = KeyContinuationGap, bool wrapped = true)
    {
        var (u, l) = (segments[pair.Upper], segments[pair.Lower]);
        if (u.Row == l.Row || u.Text[0] is '(' or '[' || l.Words.Count > 5) return false;
        // A whole bracketed phrase ("(99)", "(From Current Budget)"), not an enumerator ("(8) PACK SIZE SOLD:") or a cut line.
        var bracketed = l.Text[0] is '(' or '[' && l.Text[^1] is ')' or ']';
        if (!bracketed && !(wrapped && Connectives.Contains(u.Words[^1].Text))) return false;
        if (l.Box.Top - u.Box.Bottom > maxGap * median) return false;
        if (PageGeometry.OverlapX(u.Box, l.Box) < 0.5f * Math.Min(u.Box.Width, l.Box.Width)) return false;
        var r = roles[pair.Upper];
        return Math.Max(r[0], r[2]) >= r[1];
    }

    /// <summary>Words that leave a label's line unfinished ("Cost Per", "No. of").</summary>
    private static readonly HashSet<string> Connectives = new(StringComparer.OrdinalIgnoreCase) { "of", "per", "and", "&", "for", "the", "in", "or", "with" };

    /// <summary>How far under its key the key's second line may lie, in text heights (<see cref="IsKeyContinuation"/>;
    /// cv-forms on FUNSD: 1 / 1.5 / 2 give soft pair F1 0.3217 / 0.3224 / 0.3226).</summary>
    public const float KeyContinuationGap = 1.5f;

    /// <summary>Phrases: segments joined by the accepted merges (each segment continues at most one segment above it and one to its left, the likeliest).</summary>
    public static List<FormGroup> Groups(IReadOnlyList<FormSegment> segments, IReadOnlyList<float[]> roles, IReadOnlyList<(int Upper, int Lower)> candidates, IReadOnlyList<float> probabilities, float threshold)
    {
        var parent = Enumerable.Range(0, segments.Count).ToArray();
        int Find(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
        var best = new Dictionary<(int Lower, bool SameRow), (int Upper, float P)>();
        for (var i = 0; i < candidates.Count; i++)
        {
            if (probabilities[i] < threshold) continue;
            var (u, l) = candidates[i];
            var key = (l, segments[u].Row == segments[l].Row);
            if (!best.TryGetValue(key, out var b) || probabilities[i] > b.P) best[key] = (u, probabilities[i]);
        }
        foreach (var ((lower, _), (upper, _)) in best) parent[Find(lower)] = Find(upper);
        return [.. Enumerable.Range(0, segments.Count).GroupBy(Find)
            .Select(g => new FormGroup([.. g.OrderBy(i => segments[i].Row).ThenBy(i => segments[i].Box.Left)], segments, roles))
            .OrderBy(g => g.Members[0])];
    }

    // ---------------------------------------------------------------- linking keys to values

    /// <summary>Where a value lies from its key.</summary>
    private enum Side { Right, Below, Above }

    /// <summary>Candidate (key, value) pairs: a value to the right on the key's row, below it within its column, or just
    /// above it, the nearest few for each key; and every phrase of the column stacked under the key (<see cref="Stacks"/>:
    /// a column header's cells down to the section's end).</summary>
    public static List<(int Question, int Answer)> LinkCandidates(IReadOnlyList<FormGroup> groups, float median, float pageWidth, List<int>[]? stacks = null)
    {
        var result = new List<(int, int)>();
        var near = new List<(int Answer, float Distance)>();
        var chosen = new HashSet<int>();
        for (var q = 0; q < groups.Count; q++)
        {
            if (groups[q].Question < MinRole) continue;
            near.Clear();
            chosen.Clear();
            var qb = groups[q].Box;
            for (var a = 0; a < groups.Count; a++)
            {
                if (a == q || groups[a].Answer < MinRole) continue;
                if (SideOf(qb, groups[a].Box, median, pageWidth) is not { } side) continue;
                near.Add((a, Distance(qb, groups[a].Box, side)));
            }
            foreach (var (a, _) in near.OrderBy(x => x.Distance).Take(12)) { result.Add((q, a)); chosen.Add(a); }
            if (stacks is not null) foreach (var a in stacks[q])
                if (groups[a].Answer >= MinRole && chosen.Add(a)) result.Add((q, a));
        }
        return result;
    }

    /// <summary>A gap of more than this many text heights under a cell ends its column (the section's end).</summary>
    private const float MaxStackGap = 4f;

    private const int MaxStack = 40;

    /// <summary>
    /// The phrases stacked under each phrase, top down: the nearest phrase below that overlaps its column (its width
    /// and a text height either side), then the nearest under that one, up to a gap of more than <see cref="MaxStackGap"/>
    /// text heights. Under a column header these are its column's cells.
    /// </summary>
    public static List<int>[] Stacks(IReadOnlyList<FormGroup> groups, float median)
    {
        var result = new List<int>[groups.Count];
        for (var q = 0; q < groups.Count; q++)
        {
            var list = new List<int>();
            var head = groups[q].Box;
            var last = head;
            while (list.Count < MaxStack)
            {
                var next = NextBelow(groups, q, last, head.Left - median, head.Right + median, median, MaxStackGap);
                if (next < 0 || list.Contains(next)) break;
                list.Add(next);
                last = groups[next].Box;
            }
            result[q] = list;
        }
        return result;
    }

    /// <summary>The phrase nearest under <paramref name="last"/> (its top at most 0.3 text heights above the last's
    /// bottom, at most <paramref name="gap"/> text heights below it) that overlaps the band from <paramref name="left"/>
    /// to <paramref name="right"/>, other than <paramref name="self"/>; -1 when none.</summary>
    private static int NextBelow(IReadOnlyList<FormGroup> groups, int self, Box last, float left, float right, float median, float gap)
    {
        var next = -1;
        var nextTop = float.MaxValue;
        for (var g = 0; g < groups.Count; g++)
        {
            var b = groups[g].Box;
            if (g == self || b.Top < last.Bottom - 0.3f * median || b.Top - last.Bottom > gap * median || b.Top >= nextTop) continue;
            if (Math.Min(b.Right, right) - Math.Max(b.Left, left) <= 0) continue;
            next = g;
            nextTop = b.Top;
        }
        return next;
    }

    /// <summary>Whether a phrase lies where a key's value may be: on its row to its right, below it in its column, or just above it.</summary>
    public static bool InReach(Box q, Box a, float median, float pageWidth) => SideOf(q, a, median, pageWidth) is not null;

    private static Side? SideOf(Box q, Box a, float median, float pageWidth)
    {
        if (OnRow(q, a) && a.Left >= q.Right - median && a.Left - q.Right < 0.6f * pageWidth) return Side.Right;
        var overlapsColumn = Math.Min(a.Right, q.Right + 3 * median) - Math.Max(a.Left, q.Left - 3 * median) > 0;
        if (!overlapsColumn) return null;
        if (a.Top >= q.Top + 0.5f * median && a.Top - q.Bottom < 25 * median) return Side.Below;
        if (a.Bottom <= q.Bottom - 0.5f * median && q.Top - a.Bottom < 3 * median) return Side.Above;
        return null;
    }

    private static float Distance(Box q, Box a, Side side) => side switch
    {
        Side.Right => Math.Max(0, a.Left - q.Right) + Math.Abs(a.CenterY - q.CenterY),
        Side.Below => 2 * Math.Max(0, a.Top - q.Bottom) + 0.5f * Math.Abs(a.Left - q.Left),
        _ => 3 * Math.Max(0, q.Top - a.Bottom) + Math.Abs(a.Left - q.Left),
    };

    public static readonly string[] LinkFeatureNames =
    [
        "side", "dx", "dy", "dcy", "leftDiff", "centerDiff", "overlapX", "overlapY", "qQ", "qA", "qH", "aQ", "aA", "aH",
        "qEndsColon", "qChars", "aChars", "qLines", "aLines", "rank", "rankForAnswer", "between", "betweenQuestions",
        "qWidth", "aWidth", "qTop", "rightDiff", "aEndsColon", "qCandidates", "aCandidates", "distance",
        "closerAnswers", "closerQuestions", "qKeyWords",
        "rulesCrossedH", "rulesCrossedV", "aUnderlined", "qUnderlined",
    ];

    /// <summary>The features of every candidate pair (rows of <see cref="LinkFeatureNames"/>).</summary>
    public static float[][] LinkFeatures(IReadOnlyList<FormGroup> groups, IReadOnlyList<(int Question, int Answer)> candidates, float median, float pageWidth, float pageHeight, IReadOnlyList<Ruling> rulings)
    {
        var distance = candidates.Select(c =>
        {
            var (q, a) = (groups[c.Question].Box, groups[c.Answer].Box);
            return Distance(q, a, SideOf(q, a, median, pageWidth) ?? Side.Below);
        }).ToArray();
        var rankQ = new int[candidates.Count];
        var rankA = new int[candidates.Count];
        var countQ = new Dictionary<int, int>();
        var countA = new Dictionary<int, int>();
        foreach (var g in Enumerable.Range(0, candidates.Count).GroupBy(i => candidates[i].Question))
        {
            var ordered = g.OrderBy(i => distance[i]).ToList();
            for (var r = 0; r < ordered.Count; r++) rankQ[ordered[r]] = r;
            countQ[g.Key] = ordered.Count;
        }
        foreach (var g in Enumerable.Range(0, candidates.Count).GroupBy(i => candidates[i].Answer))
        {
            var ordered = g.OrderBy(i => distance[i]).ToList();
            for (var r = 0; r < ordered.Count; r++) rankA[ordered[r]] = r;
            countA[g.Key] = ordered.Count;
        }
        // Competition: likelier values nearer this key than this one, likelier keys nearer this value than this one.
        var closerAnswers = new int[candidates.Count];
        var closerQuestions = new int[candidates.Count];
        foreach (var g in Enumerable.Range(0, candidates.Count).GroupBy(i => candidates[i].Question))
            foreach (var i in g)
                closerAnswers[i] = g.Count(j => distance[j] < distance[i] && groups[candidates[j].Answer].Answer > 0.5f);
        foreach (var g in Enumerable.Range(0, candidates.Count).GroupBy(i => candidates[i].Answer))
            foreach (var i in g)
                closerQuestions[i] = g.Count(j => distance[j] < distance[i] && groups[candidates[j].Question].Question > 0.5f);
        var result = new float[candidates.Count][];
        for (var i = 0; i < candidates.Count; i++)
        {
            var (qi, ai) = candidates[i];
            var (q, a) = (groups[qi], groups[ai]);
            var (qb, ab) = (q.Box, a.Box);
            var side = SideOf(qb, ab, median, pageWidth) ?? Side.Below;
            // What lies between key and value: the box spanning both, less the two.
            var span = new Box(Math.Min(qb.Left, ab.Left), Math.Min(qb.Top, ab.Top), Math.Max(qb.Right, ab.Right), Math.Max(qb.Bottom, ab.Bottom));
            int between = 0, betweenQuestions = 0;
            for (var g = 0; g < groups.Count; g++)
            {
                if (g == qi || g == ai) continue;
                var gb = groups[g].Box;
                var cx = (gb.Left + gb.Right) / 2;
                if (cx < span.Left || cx > span.Right || gb.CenterY < span.Top || gb.CenterY > span.Bottom) continue;
                between++;
                if (groups[g].Question > 0.5f) betweenQuestions++;
            }
            var (crossedH, crossedV) = Crossed(qb, ab, rulings, median);
            result[i] =
            [
                (float)side,
                (ab.Left - qb.Right) / median,
                (ab.Top - qb.Bottom) / median,
                (ab.CenterY - qb.CenterY) / median,
                (ab.Left - qb.Left) / median,
                ((ab.Left + ab.Right) / 2 - (qb.Left + qb.Right) / 2) / median,
                PageGeometry.OverlapX(qb, ab) / Math.Max(1f, Math.Min(qb.Width, ab.Width)),
                PageGeometry.OverlapY(qb, ab) / Math.Max(1f, Math.Min(qb.Height, ab.Height)),
                q.Question, q.Answer, q.Header, a.Question, a.Answer, a.Header,
                q.Text.EndsWith(':') ? 1 : 0,
                q.Text.Length, a.Text.Length,
                q.Members.Count, a.Members.Count,
                rankQ[i], rankA[i], between, betweenQuestions,
                qb.Width / median, ab.Width / median, qb.Top / Math.Max(1f, pageHeight),
                (ab.Right - qb.Right) / median,
                a.Text.EndsWith(':') ? 1 : 0,
                countQ[qi], countA[ai],
                distance[i] / median,
                closerAnswers[i], closerQuestions[i],
                FormSegments.KeyWordCount(q.Text),
                crossedH, crossedV, Underlined(ab, rulings, median) ? 1 : 0, Underlined(qb, rulings, median) ? 1 : 0,
            ];
        }
        return result;
    }

    // ---------------------------------------------------------------- second stage: a link among its competitors

    /// <summary>Probabilities at and above this count as a strong competing link in <see cref="RerankFeatures"/>.</summary>
    private const float Strong = 0.4f;

    /// <summary>The second-stage link model's features: the first stage's, its probability, and how that compares with
    /// the other candidates of the same key and of the same value (the decision greedy decoding makes one link at a time).</summary>
    public static readonly string[] RerankFeatureNames =
    [
        .. LinkFeatureNames,
        "p", "pRankQ", "pRankA", "bestOtherQ", "bestOtherA", "strongSameSideQ", "strongQ", "strongA",
        "qBestAsValue", "aBestAsKey", "alignedStrong", "aBestOtherRight", "aBestOtherBelow",
    ];

    /// <summary>
    /// The features of every candidate for the second-stage link model (rows of <see cref="RerankFeatureNames"/>):
    /// the first stage's features and probability <paramref name="p"/>, the probability's rank among the key's and among
    /// the value's candidates, the best competing probabilities, how many strong links the key has on the same side
    /// (a column of values), whether the key is itself likely a value and the value a key, and how many strong links
    /// of other keys run parallel to this one (keys aligned in a column with their values aligned, or keys on one row
    /// with their values on one row: a grid).
    /// </summary>
    public static float[][] RerankFeatures(IReadOnlyList<FormGroup> groups, IReadOnlyList<(int Question, int Answer)> candidates, IReadOnlyList<float[]> linkFeatures,
        IReadOnlyList<float> p, float median, float pageWidth)
    {
        var n = candidates.Count;
        var side = new Side[n];
        for (var i = 0; i < n; i++) side[i] = SideOf(groups[candidates[i].Question].Box, groups[candidates[i].Answer].Box, median, pageWidth) ?? Side.Below;
        var byQ = new Dictionary<int, List<int>>();
        var byA = new Dictionary<int, List<int>>();
        for (var i = 0; i < n; i++)
        {
            if (!byQ.TryGetValue(candidates[i].Question, out var lq)) byQ[candidates[i].Question] = lq = [];
            lq.Add(i);
            if (!byA.TryGetValue(candidates[i].Answer, out var la)) byA[candidates[i].Answer] = la = [];
            la.Add(i);
        }
        var strong = Enumerable.Range(0, n).Where(i => p[i] >= Strong).ToList();
        var result = new float[n][];
        for (var i = 0; i < n; i++)
        {
            var (q, a) = candidates[i];
            int rankQ = 0, rankA = 0, strongSameSide = 0, strongQ = 0, strongA = 0;
            float bestQ = 0, bestA = 0, bestARight = 0, bestABelow = 0, asValue = 0, asKey = 0;
            foreach (var j in byQ[q])
            {
                if (j == i) continue;
                if (p[j] > p[i]) rankQ++;
                bestQ = Math.Max(bestQ, p[j]);
                if (p[j] >= Strong) { strongQ++; if (side[j] == side[i]) strongSameSide++; }
            }
            foreach (var j in byA[a])
            {
                if (j == i) continue;
                if (p[j] > p[i]) rankA++;
                bestA = Math.Max(bestA, p[j]);
                if (p[j] >= Strong) strongA++;
                if (side[j] == Side.Right) bestARight = Math.Max(bestARight, p[j]);
                else bestABelow = Math.Max(bestABelow, p[j]);
            }
            if (byA.TryGetValue(q, out var asA)) foreach (var j in asA) asValue = Math.Max(asValue, p[j]);
            if (byQ.TryGetValue(a, out var asQ)) foreach (var j in asQ) asKey = Math.Max(asKey, p[j]);
            var (qb, ab) = (groups[q].Box, groups[a].Box);
            var aligned = 0;
            foreach (var j in strong)
            {
                var (q2, a2) = candidates[j];
                if (q2 == q || a2 == a || q2 == a || a2 == q || side[j] != side[i]) continue;
                var (qb2, ab2) = (groups[q2].Box, groups[a2].Box);
                var column = Math.Abs(qb2.Left - qb.Left) < 1.5f * median && Math.Abs(ab2.Left - ab.Left) < 1.5f * median;
                var row = Math.Abs(qb2.CenterY - qb.CenterY) < 0.5f * median && Math.Abs(ab2.CenterY - ab.CenterY) < 0.5f * median;
                if (column || row) aligned++;
            }
            result[i] =
            [
                .. linkFeatures[i],
                p[i], rankQ, rankA, bestQ, bestA, strongSameSide, strongQ, strongA, asValue, asKey, aligned, bestARight, bestABelow,
            ];
        }
        return result;
    }

    // ---------------------------------------------------------------- drawn lines

    /// <summary>How many horizontal and vertical drawn lines the straight path between the centres of two boxes crosses (cell borders between them).</summary>
    public static (int Horizontal, int Vertical) Crossed(Box a, Box b, IReadOnlyList<Ruling> rulings, float median)
    {
        if (rulings.Count == 0) return (0, 0);
        var (ax, ay) = ((a.Left + a.Right) / 2, a.CenterY);
        var (bx, by) = ((b.Left + b.Right) / 2, b.CenterY);
        int h = 0, v = 0;
        foreach (var r in rulings)
        {
            if (Math.Abs(r.Y2 - r.Y1) <= Math.Abs(r.X2 - r.X1))
            {
                var y = (r.Y1 + r.Y2) / 2;
                if (Math.Abs(by - ay) < 1e-3f || y <= Math.Min(ay, by) || y >= Math.Max(ay, by)) continue;
                var x = ax + (bx - ax) * (y - ay) / (by - ay);
                if (x >= Math.Min(r.X1, r.X2) - 0.5f * median && x <= Math.Max(r.X1, r.X2) + 0.5f * median) h++;
            }
            else
            {
                var x = (r.X1 + r.X2) / 2;
                if (Math.Abs(bx - ax) < 1e-3f || x <= Math.Min(ax, bx) || x >= Math.Max(ax, bx)) continue;
                // Only a line clear of both boxes parts them (not a stroke OCR boxed in with a word).
                if (x > a.Left && x < a.Right || x > b.Left && x < b.Right) continue;
                var y = ay + (by - ay) * (x - ax) / (bx - ax);
                if (y >= Math.Min(r.Y1, r.Y2) - 0.5f * median && y <= Math.Max(r.Y1, r.Y2) + 0.5f * median) v++;
            }
        }
        return (h, v);
    }

    /// <summary>Whether a drawn line runs under most of the box, just below it (a fill-in line, a cell's border).</summary>
    public static bool Underlined(Box box, IReadOnlyList<Ruling> rulings, float median)
    {
        foreach (var r in rulings)
        {
            if (Math.Abs(r.Y2 - r.Y1) > Math.Abs(r.X2 - r.X1)) continue;
            var y = (r.Y1 + r.Y2) / 2;
            if (y < box.Bottom - 0.5f * median || y > box.Bottom + 1.2f * median) continue;
            var overlap = Math.Min(box.Right, Math.Max(r.X1, r.X2)) - Math.Max(box.Left, Math.Min(r.X1, r.X2));
            if (overlap >= 0.5f * box.Width) return true;
        }
        return false;
    }

    /// <summary>Accepted links, likeliest first: each value to one key; a phrase is a key or a value, not both; a key may take several values.</summary>
    public static List<(int Question, int Answer, float P)> Decode(IReadOnlyList<(int Question, int Answer)> candidates, IReadOnlyList<float> probabilities, float threshold,
        IReadOnlyList<FormGroup>? groups = null, float secondThreshold = 1f, float? offRowThreshold = null, bool rowAndColumnKeys = false, float? secondKeyThreshold = null)
    {
        var role = new Dictionary<int, bool>(); // true: key
        var keyOnRow = new Dictionary<int, bool>(); // a value's key: on its row, or not (a column header)
        var twice = new HashSet<int>();
        var result = new List<(int, int, float)>();
        bool Accepted(int i) => probabilities[i] >= (offRowThreshold is { } off && groups is not null && !OnRow(groups[candidates[i].Question].Box, groups[candidates[i].Answer].Box) ? off : threshold);
        var secondKey = rowAndColumnKeys ? Math.Min(threshold, secondKeyThreshold ?? threshold) : threshold;
        foreach (var i in Enumerable.Range(0, candidates.Count).Where(i => Accepted(i) || probabilities[i] >= secondKey).OrderByDescending(i => probabilities[i]))
        {
            var (q, a) = candidates[i];
            if (role.TryGetValue(q, out var qIsKey) && !qIsKey) continue;
            var onRow = groups is not null && OnRow(groups[q].Box, groups[a].Box);
            // Under the threshold only as a cell's second key.
            if (!Accepted(i) && !(role.TryGetValue(a, out var isKey) && !isKey && keyOnRow[a] != onRow)) continue;
            if (role.TryGetValue(a, out var aIsKey))
            {
                // A table's cell has two keys: its row's (beside it) and its column's (above it).
                if (!rowAndColumnKeys || aIsKey || groups is null || keyOnRow[a] == onRow || !twice.Add(a)) continue;
            }
            role[q] = true;
            role[a] = false;
            keyOnRow.TryAdd(a, onRow);
            result.Add((q, a, probabilities[i]));
        }
        if (groups is null || secondThreshold >= threshold) return result;
        // A phrase that reads as a key, left with no value, takes its likeliest value beside it that no key took, on weaker evidence.
        foreach (var i in Enumerable.Range(0, candidates.Count).Where(i => probabilities[i] >= secondThreshold && probabilities[i] < threshold).OrderByDescending(i => probabilities[i]))
        {
            var (q, a) = candidates[i];
            if (role.ContainsKey(q) || role.ContainsKey(a)) continue;
            if (groups[q].Question < 0.5f || groups[a].Answer <= Math.Max(groups[a].Question, groups[a].Header)) continue;
            // Only beside the key on its row: the layout least open to doubt.
            var (qb, ab) = (groups[q].Box, groups[a].Box);
            if (PageGeometry.OverlapY(qb, ab) < 0.5f * Math.Min(qb.Height, ab.Height) || ab.Left < qb.Right) continue;
            role[q] = true;
            role[a] = false;
            result.Add((q, a, probabilities[i]));
        }
        return result;
    }

    /// <summary>Whether two phrases share a row: their vertical overlap is more than 0.3 of the lower one's height.</summary>
    public static bool OnRow(Box q, Box a) => PageGeometry.OverlapY(q, a) > 0.3f * Math.Min(q.Height, a.Height);

    /// <summary>
    /// Table-like sections: a row of at least <paramref name="minColumns"/> short labels side by side, each over a
    /// column of at least two phrases stacked under it (its cells, down to a gap of <paramref name="gap"/> text heights),
    /// with cells of different columns on shared rows (a grid, not stacked fields), is a row of column headers; each
    /// header takes its column's cells as values. Rows are taken top down; a cell of a header row's columns heads no
    /// other row, and a column ends at the next header row. A cell the links gave a key on its row keeps it (a row
    /// header) and takes its column's header as a second key; with <paramref name="replaces"/> a cell's link to a key
    /// off its row gives way to its column's header, else such a cell keeps its key.
    /// </summary>
    public static void GridLinks(IReadOnlyList<FormGroup> groups, List<(int Question, int Answer, float P)> links, float median, int minColumns, float gap, bool replaces,
        float headerRole = 0f, bool cellRole = false, bool digits = false)
    {
        var n = groups.Count;
        var columns = new List<int>?[n];
        for (var h = 0; h < n; h++)
            if (IsColumnLabel(groups[h].Text) && Math.Max(groups[h].Question, groups[h].Header) >= headerRole * groups[h].Answer) columns[h] = ColumnUnder(groups, h, median, gap, cellRole, digits);
        var order = Enumerable.Range(0, n).Where(h => columns[h] is { Count: >= 2 }).OrderBy(h => groups[h].Box.Left).ToList();
        // Every candidate header row, with how many rows of cells it heads; the strongest grids are taken first.
        var found = new List<(List<int> Row, int GridRows)>();
        var inRow = new HashSet<int>();
        foreach (var h in order.OrderBy(h => groups[h].Box.Top))
        {
            if (inRow.Contains(h)) continue;
            var row = order.Where(o => OnRow(groups[h].Box, groups[o].Box)).ToList();
            foreach (var o in row) inRow.Add(o);
            // Side by side: no header's column band holds its neighbour.
            for (var i = row.Count - 1; i > 0; i--)
                if (PageGeometry.OverlapX(groups[row[i]].Box, groups[row[i - 1]].Box) > 0) row.RemoveAt(i);
            if (row.Count < minColumns) continue;
            // A grid: two rows of cells or more on which at least minColumns of the columns have a cell.
            var gridRows = 0;
            var seen = new List<Box>();
            foreach (var x in row.SelectMany(c => columns[c]!))
            {
                if (seen.Any(b => OnRow(b, groups[x].Box))) continue;
                seen.Add(groups[x].Box);
                if (row.Count(c => columns[c]!.Any(y => OnRow(groups[x].Box, groups[y].Box))) >= minColumns) gridRows++;
            }
            if (gridRows >= 2) found.Add((row, gridRows));
        }
        var used = new HashSet<int>();
        var rows = new List<List<int>>();
        foreach (var (row, _) in found.OrderByDescending(f => f.GridRows))
        {
            if (row.Any(used.Contains)) continue;
            rows.Add(row);
            foreach (var c in row) { used.Add(c); foreach (var x in columns[c]!) used.Add(x); }
        }
        if (rows.Count == 0) return;
        var headers = rows.SelectMany(r => r).ToHashSet();
        var keysOf = new Dictionary<int, List<int>>();
        for (var i = 0; i < links.Count; i++)
        {
            if (!keysOf.TryGetValue(links[i].Answer, out var l)) keysOf[links[i].Answer] = l = [];
            l.Add(i);
        }
        var remove = new HashSet<int>();
        var added = new List<(int, int, float)>();
        foreach (var row in rows)
        {
            // A cell under two headers of the row (a wide cell) is the one's it overlaps most.
            var owner = new Dictionary<int, int>();
            foreach (var h in row)
                foreach (var c in columns[h]!)
                    if (!owner.TryGetValue(c, out var o) || PageGeometry.OverlapX(groups[c].Box, groups[h].Box) > PageGeometry.OverlapX(groups[c].Box, groups[o].Box))
                        owner[c] = h;
            foreach (var h in row)
                foreach (var c in columns[h]!)
                {
                    if (headers.Contains(c)) break; // the next header row
                    if (owner[c] != h) continue;
                    var keep = true;
                    if (keysOf.TryGetValue(c, out var existing))
                    {
                        if (existing.Any(i => links[i].Question == h)) continue;
                        foreach (var i in existing)
                        {
                            if (OnRow(groups[links[i].Question].Box, groups[c].Box)) continue;
                            if (replaces) remove.Add(i);
                            else keep = false;
                        }
                    }
                    if (keep) added.Add((h, c, GridConfidence));
                }
        }
        if (remove.Count > 0)
        {
            var kept = links.Where((_, i) => !remove.Contains(i)).ToList();
            links.Clear();
            links.AddRange(kept);
        }
        links.AddRange(added);
    }

    private const float GridConfidence = 0.5f;

    /// <summary>A column header's text: two letters or more, more letters than digits, a few words, not a sentence.</summary>
    private static bool IsColumnLabel(string text)
    {
        var letters = text.Count(char.IsLetter);
        return letters >= 2 && letters > text.Count(char.IsDigit) && text.Split(' ').Length <= 6 && text[^1] is not ('.' or ',' or ';' or ':');
    }

    /// <summary>The phrases stacked under a phrase in its column (its width and half a text height either side), top
    /// down, each the nearest under the last, up to a gap of more than <paramref name="gap"/> text heights, a key (ending
    /// with a colon), with <paramref name="cellRole"/> a phrase more key than value, with <paramref name="digits"/> one without digits.</summary>
    private static List<int> ColumnUnder(IReadOnlyList<FormGroup> groups, int h, float median, float gap, bool cellRole, bool digits)
    {
        var list = new List<int>();
        var head = groups[h].Box;
        var (left, right) = (head.Left - 0.5f * median, head.Right + 0.5f * median);
        var last = head;
        while (list.Count < MaxStack)
        {
            var next = NextBelow(groups, h, last, left, right, median, gap);
            if (next < 0 || list.Contains(next) || groups[next].Text.EndsWith(':') || cellRole && groups[next].Question > groups[next].Answer
                || digits && !groups[next].Text.Any(char.IsDigit)) break;
            list.Add(next);
            last = groups[next].Box;
        }
        return list;
    }

    /// <summary>
    /// A key linked to a value under it heads a column: the values further down that column, one under the other
    /// and each its own cell (a phrase more value than key, linked to nothing), are its values too, up to the
    /// first key, header or taken phrase.
    /// </summary>
    public static List<(int Question, int Answer, float P)> ColumnContinuations(IReadOnlyList<FormGroup> groups, IReadOnlyList<(int Question, int Answer, float P)> links, float median)
    {
        var taken = new HashSet<int>(links.SelectMany(l => new[] { l.Question, l.Answer }));
        var result = new List<(int, int, float)>();
        foreach (var (q, a, p) in links)
        {
            var (qb, first) = (groups[q].Box, groups[a].Box);
            // Under its key, in the key's column (not beside it on its row).
            if (first.Top < qb.Bottom - 0.3f * median || PageGeometry.OverlapX(qb, first) <= 0) continue;
            var last = first;
            while (true)
            {
                var next = -1;
                var nextTop = float.MaxValue;
                for (var g = 0; g < groups.Count; g++)
                {
                    var b = groups[g].Box;
                    if (b.Top < last.Bottom - 0.3f * median || b.Top - last.Bottom > 2.5f * median || b.Top >= nextTop) continue;
                    if (PageGeometry.OverlapX(b, last) <= 0.3f * Math.Min(b.Width, last.Width) || PageGeometry.OverlapX(b, qb) <= 0) continue;
                    next = g;
                    nextTop = b.Top;
                }
                if (next < 0 || taken.Contains(next)) break;
                var n = groups[next];
                if (n.Answer < 0.5f || n.Question >= n.Answer || n.Header >= n.Answer) break;
                result.Add((q, next, Math.Min(p, n.Answer)));
                taken.Add(next);
                last = n.Box;
            }
        }
        return result;
    }
}
