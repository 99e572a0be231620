using DocFlow.Documents;
using DocFlow.Engine.Extraction.Tables;

namespace DocFlow.Engine.Extraction.Forms.Learning;

/// <summary>A phrase of one visual row: words up to a wide gap or a label's colon. <see cref="Row"/> is its row's index, top to bottom.</summary>
public sealed class FormSegment(IReadOnlyList<WordView> words, int row, int indexInRow)
{
    public IReadOnlyList<WordView> Words { get; } = words;
    public Box Box { get; } = Box.Union(words.Select(w => w.Box));
    public string Text { get; } = string.Join(' ', words.Select(w => w.Text));
    public int Row { get; } = row;
    public int IndexInRow { get; } = indexInRow;
}

/// <summary>
/// Cuts a page into phrases (<see cref="FormSegment"/>) and describes each by its geometry, its text's shape and
/// its neighbours, for the segment classifiers (question / answer / header) of the learned form extractor.
/// </summary>
public static class FormSegments
{
    /// <summary>Words that start or make up the keys of business forms (any language's forms would need their own).</summary>
    private static readonly HashSet<string> KeyWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "name", "date", "no", "no.", "number", "#", "address", "phone", "tel", "telephone", "fax", "to", "from", "cc",
        "subject", "re", "re:", "signature", "signed", "title", "total", "company", "code", "brand", "product", "type",
        "city", "state", "zip", "country", "amount", "qty", "quantity", "price", "cost", "account", "id", "ref",
        "reference", "description", "comments", "remarks", "approved", "by", "department", "dept", "division",
        "page", "pages", "time", "contact", "email", "e-mail", "street", "region", "area", "manager", "project",
        "budget", "period", "start", "end", "est", "estimated", "required", "requested", "request", "authorized",
        "program", "market", "size", "volume", "issue", "issued", "effective", "expiration", "location", "office",
        "position", "supervisor", "attn", "attention", "via", "sent", "received", "purpose", "objective", "status",
        "group", "distribution", "category", "class", "item", "unit", "units", "year", "month", "day", "week",
    };

    /// <summary>How many of a phrase's words are common words of form keys.</summary>
    public static int KeyWordCount(string text) => text.Split(' ').Count(w => KeyWords.Contains(w.TrimEnd(':', '.', '#')));

    /// <summary>A gap wider than this many text heights always ends a phrase.</summary>
    private const float MaxJoinGap = 8f;

    /// <summary>The words of each visual row, fill characters dropped and trimmed, left to right; the page's median word height.</summary>
    public static (List<List<WordView>> Rows, float Median) Rows(PageView page, Func<WordView, bool>? include = null)
    {
        var words = page.Lines.SelectMany(l => l.Words).ToList();
        var median = Math.Max(1f, PageGeometry.Median(words.Select(w => w.Box.Height)));
        var rows = PageGeometry.Rows(page, include)
            .Select(r => r.Words.Where(w => !IsFill(w.Text)).Select(TrimFill).ToList())
            .ToList();
        return (rows, median);
    }

    /// <summary>Pairs of neighbouring words on a row that may be one phrase: (row, index of the left word).</summary>
    public static IEnumerable<(int Row, int Left)> JoinCandidates(List<List<WordView>> rows, float median)
    {
        for (var r = 0; r < rows.Count; r++)
            for (var i = 0; i + 1 < rows[r].Count; i++)
                if (rows[r][i + 1].Box.Left - rows[r][i].Box.Right <= MaxJoinGap * median) yield return (r, i);
    }

    public static readonly string[] JoinFeatureNames =
    [
        "gap", "gapVsHeight", "gapVsRow", "leftEndsColon", "leftKey", "rightKey", "leftUpper", "rightUpper", "leftDigits",
        "rightDigits", "leftChars", "rightChars", "rightStartsUpper", "rightStartsDigit", "leftEndsPunct", "heightRatio",
        "topDiff", "gapBefore", "gapAfter", "rowWords", "x", "rightStartsBracket", "leftConfidence", "rightConfidence",
        "rightEndsColon",
    ];

    /// <summary>The features of one join candidate, the words <paramref name="i"/> and i+1 of <paramref name="row"/> (rows of <see cref="JoinFeatureNames"/>).</summary>
    public static float[] JoinFeatures(List<WordView> row, int i, float median, float pageWidth, float rowGap)
    {
        var (a, b) = (row[i], row[i + 1]);
        var gap = b.Box.Left - a.Box.Right;
        var height = Math.Max(1f, Math.Max(a.Box.Height, b.Box.Height));
        return
        [
            gap / median,
            gap / height,
            gap / Math.Max(1f, rowGap),
            a.Text.EndsWith(':') ? 1 : 0,
            KeyWords.Contains(a.Text.TrimEnd(':', '.', '#')) ? 1 : 0,
            KeyWords.Contains(b.Text.TrimEnd(':', '.', '#')) ? 1 : 0,
            UpperShare(a.Text), UpperShare(b.Text),
            a.Text.Count(char.IsDigit) / (float)a.Text.Length,
            b.Text.Count(char.IsDigit) / (float)b.Text.Length,
            a.Text.Length, b.Text.Length,
            char.IsUpper(b.Text[0]) ? 1 : 0,
            char.IsDigit(b.Text[0]) ? 1 : 0,
            a.Text[^1] is '.' or ',' or ';' ? 1 : 0,
            a.Box.Height / Math.Max(1f, b.Box.Height),
            (b.Box.Top - a.Box.Top) / median,
            i > 0 ? (a.Box.Left - row[i - 1].Box.Right) / median : 99,
            i + 2 < row.Count ? (row[i + 2].Box.Left - b.Box.Right) / median : 99,
            row.Count,
            a.Box.Right / Math.Max(1f, pageWidth),
            b.Text[0] is '(' or '[' ? 1 : 0,
            a.Confidence, b.Confidence,
            b.Text.EndsWith(':') ? 1 : 0,
        ];
    }

    /// <summary>The median gap between neighbouring words of a row (its word space).</summary>
    public static float RowGap(List<WordView> row) =>
        row.Count < 2 ? 0 : PageGeometry.Median(Enumerable.Range(0, row.Count - 1).Select(i => row[i + 1].Box.Left - row[i].Box.Right));

    /// <summary>The page's phrases, top to bottom, left to right; the median word height (the page's text size).
    /// With a join model, neighbouring words are one phrase when it says so; without, at gaps under a text height and not after a colon.</summary>
    public static (IReadOnlyList<FormSegment> Segments, float Median) Segment(PageView page, Learning.FormModels? models = null, Func<WordView, bool>? include = null)
    {
        var (rows, median) = Rows(page, include);
        var join = new Dictionary<(int, int), bool>();
        foreach (var (r, i) in JoinCandidates(rows, median))
        {
            bool joined;
            if (models?.Join is { } model)
                joined = model.Probability(JoinFeatures(rows[r], i, median, page.Width, RowGap(rows[r]))) >= Learning.FormModels.JoinThreshold;
            else
            {
                var (a, b) = (rows[r][i], rows[r][i + 1]);
                joined = b.Box.Left - a.Box.Right <= PageGeometry.ChunkGap * Math.Max(a.Box.Height, b.Box.Height) && !a.Text.EndsWith(':');
            }
            join[(r, i)] = joined;
        }
        return (Split(rows, (r, i) => join.GetValueOrDefault((r, i))), median);
    }

    /// <summary>Cuts rows into phrases between the neighbours <paramref name="joined"/> does not join.</summary>
    public static List<FormSegment> Split(List<List<WordView>> rows, Func<int, int, bool> joined)
    {
        var segments = new List<FormSegment>();
        for (var r = 0; r < rows.Count; r++)
        {
            var index = 0;
            var current = new List<WordView>();
            for (var i = 0; i < rows[r].Count; i++)
            {
                current.Add(rows[r][i]);
                if (i + 1 < rows[r].Count && joined(r, i)) continue;
                segments.Add(new FormSegment(current, r, index++));
                current = [];
            }
        }
        return segments;
    }

    // ---------------------------------------------------------------- splitting a phrase between a key and its value

    public static readonly string[] SplitFeatureNames =
    [
        "joinP", "gap", "gapVsRow", "phraseQ", "phraseA", "phraseH", "leftQ", "leftA", "leftH", "rightQ", "rightA", "rightH",
        "leftWords", "rightWords", "leftChars", "rightChars", "leftKeyWords", "leftLastKeyWord", "leftDigits", "rightDigits",
        "leftUpper", "rightUpper", "rightStartsUpper", "rightStartsDigit",
    ];

    /// <summary>
    /// The places inside a phrase where it may end and another begin (a key and its value read as one phrase: "Total
    /// Sample 214", "NAME Paul Schickedantz"), with their features (rows of <see cref="SplitFeatureNames"/>): the join
    /// model's probability and the gap there, the role scores of the whole phrase and of each part as if it were a
    /// phrase of its own among the page's others, and the parts' text shape.
    /// </summary>
    public static List<(int Segment, int At, float[] Features)> SplitCandidates(PageView page, IReadOnlyList<FormSegment> segments, float median,
        float[][] roles, Func<float[], float[]> rolesOf, Func<List<WordView>, int, float>? joinP)
    {
        var result = new List<(int, int, float[])>();
        var rows = segments.GroupBy(s => s.Row).ToDictionary(g => g.Key, g => g.OrderBy(s => s.Box.Left).SelectMany(s => s.Words).ToList());
        for (var s = 0; s < segments.Count; s++)
        {
            var words = segments[s].Words;
            if (words.Count < 2) continue;
            var row = rows[segments[s].Row];
            var first = row.IndexOf(words[0]);
            var rowGap = RowGap(row);
            for (var k = 1; k < words.Count; k++)
            {
                var (left, right) = (new FormSegment([.. words.Take(k)], segments[s].Row, segments[s].IndexInRow), new FormSegment([.. words.Skip(k)], segments[s].Row, segments[s].IndexInRow + 1));
                var trial = new List<FormSegment>(segments.Count + 1);
                trial.AddRange(segments.Take(s));
                trial.Add(left);
                trial.Add(right);
                trial.AddRange(segments.Skip(s + 1));
                var f = Features(page, trial, median, [s, s + 1]);
                var (rl, rr) = (rolesOf(f[s]), rolesOf(f[s + 1]));
                var (a, b) = (words[k - 1], words[k]);
                var gap = b.Box.Left - a.Box.Right;
                result.Add((s, k,
                [
                    joinP?.Invoke(row, first + k - 1) ?? -1,
                    gap / median,
                    gap / Math.Max(1f, rowGap),
                    roles[s][0], roles[s][1], roles[s][2], rl[0], rl[1], rl[2], rr[0], rr[1], rr[2],
                    k, words.Count - k, left.Text.Length, right.Text.Length,
                    KeyWordCount(left.Text), KeyWords.Contains(a.Text.TrimEnd(':', '.', '#')) ? 1 : 0,
                    left.Text.Count(char.IsDigit) / (float)left.Text.Length, right.Text.Count(char.IsDigit) / (float)right.Text.Length,
                    UpperShare(left.Text), UpperShare(right.Text),
                    char.IsUpper(b.Text[0]) ? 1 : 0, char.IsDigit(b.Text[0]) ? 1 : 0,
                ]));
            }
        }
        return result;
    }

    /// <summary>The phrases with each one cut at the word indices <paramref name="cuts"/> gives it (segment → word indices).</summary>
    public static List<FormSegment> ApplySplits(IReadOnlyList<FormSegment> segments, IReadOnlyDictionary<int, SortedSet<int>> cuts)
    {
        var result = new List<FormSegment>(segments.Count + cuts.Count);
        var shift = new Dictionary<int, int>();
        for (var s = 0; s < segments.Count; s++)
        {
            var seg = segments[s];
            var offset = shift.GetValueOrDefault(seg.Row);
            if (!cuts.TryGetValue(s, out var at) || at.Count == 0)
            {
                result.Add(offset == 0 ? seg : new FormSegment(seg.Words, seg.Row, seg.IndexInRow + offset));
                continue;
            }
            var start = 0;
            foreach (var k in at.Append(seg.Words.Count))
            {
                if (k <= start || k > seg.Words.Count) continue;
                result.Add(new FormSegment([.. seg.Words.Skip(start).Take(k - start)], seg.Row, seg.IndexInRow + offset));
                offset++;
                start = k;
            }
            offset--;
            shift[seg.Row] = offset;
        }
        return result;
    }

    /// <summary>A word without the underscores OCR glues to it from the fill-in line it is written on ("__9/3/92").</summary>
    public static WordView TrimFill(WordView w)
    {
        int start = 0, end = w.Text.Length;
        while (start < end && IsStray(w.Text[start])) start++;
        while (end > start && (IsStray(w.Text[end - 1]) || w.Text[end - 1] == '-' && end - start > 1 && w.Text[end - 2] is '-' or '~')) end--;
        if (start == end || (start == 0 && end == w.Text.Length)) return w;
        // The box keeps its extent: the ink of the line is part of where the value is written.
        return w with { Text = w.Text[start..end], Start = w.Start + start, End = w.Start + end };
    }

    /// <summary>What OCR makes of the ink around a word: fill lines, stray quotes and ticks (never a phrase's own text at its edges).</summary>
    private static bool IsStray(char c) => c is '_' or '—' or '‘' or '’' or '“' or '”' or '`' or '~' or '|' or '¢';

    /// <summary>Fill characters: underscores, dots, dashes, brackets with nothing in them.</summary>
    public static bool IsFill(string text) =>
        text.Length > 0 && text.All(c => c is '_' or '.' or '-' or '—' or '–' or '|' or '=' or '~' or '…' or '[' or ']' or '(' or ')' or ',' or ':')
        && (text.Length >= 2 || text is "_" or "|" or "~");

    public static readonly string[] FeatureNames =
    [
        "left", "top", "right", "width", "height", "words", "chars", "digits", "upper", "alpha", "title", "endsColon",
        "hasColon", "endsPunct", "startsDigit", "keyWords", "firstKeyWord", "gapLeft", "gapRight", "gapAbove", "gapBelow",
        "rowSegments", "indexInRow", "leftEndsColon", "rightEndsColon", "aboveEndsColon", "confidence", "symbols",
        "alignedBelow", "heightVsBelow", "heightVsAbove", "hasLower", "dateLike", "columnAbove", "leftChars", "belowChars",
        "aboveChars", "rightChars", "leftUpper", "belowUpper", "sizeVsPage", "belowLeftDiff", "aboveLeftDiff", "rowChars",
        "endsQuestion", "allCapsWords",
    ];

    /// <summary>The features of every segment (rows of <see cref="FeatureNames"/>); with <paramref name="only"/>, of those
    /// segments alone (the other rows are null).</summary>
    public static float[][] Features(PageView page, IReadOnlyList<FormSegment> segments, float median, IReadOnlyList<int>? only = null)
    {
        var w = Math.Max(1f, page.Width);
        var h = Math.Max(1f, page.Height);
        var result = new float[segments.Count][];
        var byRow = segments.GroupBy(s => s.Row).ToDictionary(g => g.Key, g => g.OrderBy(s => s.Box.Left).ToList());
        var pageSize = PageGeometry.Median(segments.Select(s => s.Box.Height));
        foreach (var i in only ?? Enumerable.Range(0, segments.Count))
        {
            var s = segments[i];
            var b = s.Box;
            var row = byRow[s.Row];
            var k = row.IndexOf(s);
            var left = k > 0 ? row[k - 1] : null;
            var right = k + 1 < row.Count ? row[k + 1] : null;
            var above = Nearest(segments, s, up: true);
            var below = Nearest(segments, s, up: false);
            var text = s.Text;
            var letters = text.Count(char.IsLetter);
            var f = new float[FeatureNames.Length];
            var n = 0;
            f[n++] = b.Left / w;
            f[n++] = b.Top / h;
            f[n++] = b.Right / w;
            f[n++] = b.Width / w;
            f[n++] = b.Height / median;
            f[n++] = s.Words.Count;
            f[n++] = text.Length;
            f[n++] = text.Count(char.IsDigit) / (float)text.Length;
            f[n++] = letters == 0 ? 0 : text.Count(char.IsUpper) / (float)letters;
            f[n++] = letters / (float)text.Length;
            f[n++] = s.Words.Count(x => char.IsUpper(x.Text[0])) / (float)s.Words.Count;
            f[n++] = text.EndsWith(':') ? 1 : 0;
            f[n++] = text.Contains(':') ? 1 : 0;
            f[n++] = text[^1] is '.' or ',' or ';' ? 1 : 0;
            f[n++] = char.IsDigit(text[0]) ? 1 : 0;
            f[n++] = s.Words.Count(x => KeyWords.Contains(x.Text.TrimEnd(':', '.', '#'))) ;
            f[n++] = KeyWords.Contains(s.Words[0].Text.TrimEnd(':', '.', '#')) ? 1 : 0;
            f[n++] = left is null ? 99 : (b.Left - left.Box.Right) / median;
            f[n++] = right is null ? 99 : (right.Box.Left - b.Right) / median;
            f[n++] = above is null ? 99 : (b.Top - above.Box.Bottom) / median;
            f[n++] = below is null ? 99 : (below.Box.Top - b.Bottom) / median;
            f[n++] = row.Count;
            f[n++] = k;
            f[n++] = left is not null && left.Text.EndsWith(':') ? 1 : 0;
            f[n++] = right is not null && right.Text.EndsWith(':') ? 1 : 0;
            f[n++] = above is not null && above.Text.EndsWith(':') ? 1 : 0;
            f[n++] = s.Words.Average(x => x.Confidence);
            f[n++] = text.Count(c => !char.IsLetterOrDigit(c) && c != ' ') / (float)text.Length;
            f[n++] = below is not null && Math.Abs(below.Box.Left - b.Left) < median ? 1 : 0;
            f[n++] = below is null ? 0 : b.Height / Math.Max(1f, below.Box.Height);
            f[n++] = above is null ? 0 : b.Height / Math.Max(1f, above.Box.Height);
            f[n++] = text.Any(char.IsLower) ? 1 : 0;
            f[n++] = DateLike(text) ? 1 : 0;
            f[n++] = segments.Count(o => o.Row < s.Row && o.Row >= s.Row - 6 && PageGeometry.OverlapX(o.Box, b) > 0);
            f[n++] = left?.Text.Length ?? -1;
            f[n++] = below?.Text.Length ?? -1;
            f[n++] = above?.Text.Length ?? -1;
            f[n++] = right?.Text.Length ?? -1;
            f[n++] = left is null ? -1 : UpperShare(left.Text);
            f[n++] = below is null ? -1 : UpperShare(below.Text);
            f[n++] = b.Height / Math.Max(1f, pageSize);
            f[n++] = below is null ? 99 : (below.Box.Left - b.Left) / median;
            f[n++] = above is null ? 99 : (b.Left - above.Box.Left) / median;
            f[n++] = row.Sum(x => x.Text.Length);
            f[n++] = text.EndsWith('?') ? 1 : 0;
            f[n++] = s.Words.Count(x => x.Text.Length > 1 && x.Text.Where(char.IsLetter).All(char.IsUpper) && x.Text.Any(char.IsLetter));
            result[i] = f;
        }
        return result;
    }

    internal static float UpperShare(string text)
    {
        var letters = text.Count(char.IsLetter);
        return letters == 0 ? 0 : text.Count(char.IsUpper) / (float)letters;
    }

    private static bool DateLike(string text) =>
        text.Count(char.IsDigit) >= 3 && (text.Contains('/') || text.Contains('-') || text.Contains('.'));

    /// <summary>The nearest segment above (or below) that shares some of <paramref name="s"/>'s width.</summary>
    public static FormSegment? Nearest(IReadOnlyList<FormSegment> segments, FormSegment s, bool up)
    {
        FormSegment? best = null;
        var bestGap = float.MaxValue;
        foreach (var o in segments)
        {
            if (o.Row == s.Row || PageGeometry.OverlapX(o.Box, s.Box) <= 0) continue;
            var gap = up ? s.Box.Top - o.Box.Bottom : o.Box.Top - s.Box.Bottom;
            if ((up ? o.Row > s.Row : o.Row < s.Row) || gap >= bestGap) continue;
            bestGap = gap;
            best = o;
        }
        return best;
    }
}
