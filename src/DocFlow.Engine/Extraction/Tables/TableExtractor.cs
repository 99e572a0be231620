using DocFlow.Documents;

namespace DocFlow.Engine.Extraction.Tables;

/// <summary>A table found on a page: its rows of cells (words, spans) and whether the first rows are headers.</summary>
internal sealed record FoundTable(IReadOnlyList<IReadOnlyList<FoundCell>> Rows, int HeaderRowCount, Box Box);

/// <param name="Words">The words in the cell, possibly none.</param>
internal sealed record FoundCell(IReadOnlyList<WordView> Words, Box Box, int RowSpan = 1, int ColSpan = 1);

/// <summary>
/// Finds tables on one page by two methods: ruled grids (drawn horizontal and vertical lines, cells
/// from the lines, spans where a line is missing) and whitespace alignment (consecutive rows split into
/// chunks at wide gaps whose x-ranges line up into the same columns; right-aligned numbers overlap too).
/// </summary>
internal static class TableExtractor
{
    /// <summary>Rulings this close (page units per 1000 of page width) meet.</summary>
    private const float JoinTolerance = 3f / 1000f;
    /// <summary>A row further below the previous one than this many text heights ends a whitespace table.</summary>
    private const float MaxRowGap = 2.0f;

    /// <summary>
    /// The tables of <paramref name="page"/>. <paramref name="otherProse"/>: lines of running text in a proportional font
    /// on the document's other pages (<see cref="ProseLines"/>), the evidence that a fixed-pitch block on a page with
    /// little running text of its own is a verbatim display in a proportional document, not a printout's table.
    /// </summary>
    public static List<FoundTable> Find(PageView page, int otherProse = 0) => Find(page, FixedPitch(page), otherProse);

    /// <summary><see cref="Find(PageView, int)"/> with the page's fixed-pitch words (<see cref="FixedPitch"/>) worked out by the caller.</summary>
    public static List<FoundTable> Find(PageView page, HashSet<int> fixedPitch, int otherProse)
    {
        var tables = FindRuled(page);
        var used = new HashSet<int>(tables.SelectMany(t => t.Rows.SelectMany(r => r.SelectMany(c => c.Words))).Select(w => w.Start));
        var rows = PageGeometry.Rows(page, w => !used.Contains(w.Start));
        tables.AddRange(FindAligned(page, rows, fixedPitch, otherProse));
        return tables;
    }

    /// <summary>Lines of the document's other pages that make it a proportional document (a page's own count decides only when they are this few).</summary>
    internal const int DocumentProse = 20;

    /// <summary>
    /// Lines of running text in a proportional font on the page: five words or more, two or more of which tell their pitch,
    /// none set in a fixed-pitch font. Only text-layer pages know their words' pitch; a scan has none.
    /// </summary>
    public static int ProseLines(PageView page, HashSet<int> fixedPitch) => ProseLines(page, fixedPitch, float.MaxValue, float.MinValue);

    private static int ProseLines(PageView page, HashSet<int> fixedPitch, float top, float bottom) =>
        page.Source != PageSource.TextLayer
            ? 0
            : page.Lines.Count(l => (l.Box.Bottom < top || l.Box.Top > bottom) && l.Words.Count >= 5
                                    && l.Words.Count(w => Pdf.PageSnapshot.CanTellPitch(w.Text)) >= 2
                                    && !l.Words.Any(w => fixedPitch.Contains(w.Start)));

    // ---------------------------------------------------------------- ruled grids

    private static List<FoundTable> FindRuled(PageView page)
    {
        var result = new List<FoundTable>();
        if (page.Rulings.Count < 4) return result;
        var tol = Math.Max(1f, JoinTolerance * Math.Max(page.Width, page.Height));
        var h = page.Rulings.Where(r => r.IsHorizontal).Select(Normalise).ToList();
        var v = page.Rulings.Where(r => !r.IsHorizontal).Select(Normalise).ToList();
        if (h.Count < 2 || v.Count < 2) return result;

        // Connected components of the intersection graph of horizontal and vertical rulings.
        var all = h.Concat(v).ToList();
        var parent = Enumerable.Range(0, all.Count).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        for (var i = 0; i < h.Count; i++)
            for (var j = 0; j < v.Count; j++)
                if (Meets(h[i], v[j], tol)) parent[Find(i)] = Find(h.Count + j);
        // Column rules drawn row by row (a segment per cell, LaTeX's | columns) continue one another down the table: a
        // body without rules between its rows stays one grid with the rows above it.
        for (var i = 0; i < v.Count; i++)
            for (var j = i + 1; j < v.Count; j++)
                if (Continues(v[i], v[j], tol)) parent[Find(h.Count + i)] = Find(h.Count + j);

        foreach (var group in Enumerable.Range(0, all.Count).GroupBy(Find))
        {
            var gh = group.Where(i => i < h.Count).Select(i => h[i]).ToList();
            var gv = group.Where(i => i >= h.Count).Select(i => v[i - h.Count]).ToList();
            var ys0 = Cluster(gh.Select(r => r.Y1), tol);
            var xs0 = Cluster(gv.Select(r => r.X1), tol);
            var xs = OpenSides(xs0, gh.Select(r => (r.Y1, r.X1, r.X2)).ToList(), ys0, tol);
            var ys = OpenSides(ys0, gv.Select(r => (r.X1, r.Y1, r.Y2)).ToList(), xs0, tol);
            if (ys.Count < 3 && xs.Count < 3) continue; // a single box (a form field), not a table
            if (ys.Count < 2 || xs.Count < 2) continue;
            (ys, gh) = SplitBands(page, xs, ys, gh);
            if (Grid(page, gh, gv, xs, ys, tol) is { } table) result.Add(table);
        }
        return result;
    }

    /// <summary>
    /// Rows drawn without rules between them (a LaTeX body under one <c>\hline</c>, column rules only): a band between two
    /// row rules that holds three text lines or more, each with words in two columns or more and in as many columns as
    /// the first, is cut into one row per line. A band of wrapped cells (two lines, or a line with fewer columns) stays
    /// one row. The cuts become rules of the grid.
    /// </summary>
    private static (List<float> Ys, List<Ruling> H) SplitBands(PageView page, List<float> xs, List<float> ys, List<Ruling> h)
    {
        if (xs.Count < 3 || ys.Count < 2) return (ys, h);
        var words = page.Lines.SelectMany(l => l.Words)
            .Where(w => (w.Box.Left + w.Box.Right) / 2 is var cx && cx > xs[0] && cx < xs[^1] && w.Box.CenterY > ys[0] && w.Box.CenterY < ys[^1])
            .ToList();
        if (words.Count < 4) return (ys, h);
        var height = Math.Max(1f, PageGeometry.Median(words.Select(w => w.Box.Height)));
        int ColumnOf(WordView w) => Math.Clamp(xs.FindLastIndex(x => x <= (w.Box.Left + w.Box.Right) / 2), 0, xs.Count - 2);
        var cuts = new List<float>();
        for (var r = 0; r + 1 < ys.Count; r++)
        {
            var band = words.Where(w => w.Box.CenterY > ys[r] && w.Box.CenterY < ys[r + 1]).OrderBy(w => w.Box.CenterY).ToList();
            // Text lines of the band: words whose centres lie within half a word height of the line's first.
            var lines = new List<List<WordView>>();
            foreach (var w in band)
            {
                if (lines.Count > 0 && w.Box.CenterY - lines[^1][0].Box.CenterY < 0.5f * height) lines[^1].Add(w);
                else lines.Add([w]);
            }
            // Three lines or more, each with words in two columns or more and in as many as the first: rows. Wrapped cells
            // (a line with fewer columns, or two lines only) leave the band as it is.
            if (lines.Count < 3) continue;
            var first = lines[0].Select(ColumnOf).Distinct().Count();
            if (first < 2 || lines.Any(l => l.Select(ColumnOf).Distinct().Count() < first)) continue;
            for (var i = 1; i < lines.Count; i++)
                cuts.Add((lines[i - 1].Max(w => w.Box.Bottom) + lines[i].Min(w => w.Box.Top)) / 2);
        }
        if (cuts.Count == 0) return (ys, h);
        var rules = new List<Ruling>(h);
        rules.AddRange(cuts.Select(y => new Ruling(xs[0], y, xs[^1], y)));
        return ([.. ys.Concat(cuts).Order()], rules);
    }

    /// <summary>
    /// A grid drawn without its outer sides (inner column rules only, the frame left open at the left and right; or no rule
    /// above the header row): the crossing rules run past the outermost ones, and their ends are the table's sides. Most
    /// rows (columns) must have a rule running past, so that one long rule (a page rule touching a box) does not open a
    /// column; rules drawn cell by cell count once per row. <paramref name="lines"/> are the crossing rules as (position,
    /// from, to); <paramref name="across"/> the positions of the crossing rules' clusters.
    /// </summary>
    private static List<float> OpenSides(List<float> cuts, List<(float At, float From, float To)> lines, List<float> across, float tol)
    {
        if (cuts.Count == 0 || across.Count < 1) return cuts;
        var before = lines.Where(r => r.From < cuts[0] - 2 * tol).ToList();
        var after = lines.Where(r => r.To > cuts[^1] + 2 * tol).ToList();
        int Crossing(List<(float At, float From, float To)> rules) => across.Count(a => rules.Any(r => Math.Abs(r.At - a) <= tol));
        var result = new List<float>(cuts);
        if (before.Count > 0 && Crossing(before) >= 0.6 * across.Count) result.Insert(0, PageGeometry.Median(before.Select(r => r.From)));
        if (after.Count > 0 && Crossing(after) >= 0.6 * across.Count) result.Add(PageGeometry.Median(after.Select(r => r.To)));
        return result;
    }

    private static Ruling Normalise(Ruling r) => r.IsHorizontal
        ? new Ruling(Math.Min(r.X1, r.X2), r.Y1, Math.Max(r.X1, r.X2), r.Y1)
        : new Ruling(r.X1, Math.Min(r.Y1, r.Y2), r.X1, Math.Max(r.Y1, r.Y2));

    /// <summary>Two vertical rules on one line, the one starting where the other ends.</summary>
    private static bool Continues(Ruling a, Ruling b, float tol) =>
        Math.Abs(a.X1 - b.X1) <= tol && (Math.Abs(a.Y2 - b.Y1) <= tol || Math.Abs(b.Y2 - a.Y1) <= tol);

    private static bool Meets(Ruling h, Ruling v, float tol) =>
        v.X1 >= h.X1 - tol && v.X1 <= h.X2 + tol && h.Y1 >= v.Y1 - tol && h.Y1 <= v.Y2 + tol;

    private static List<float> Cluster(IEnumerable<float> values, float tol)
    {
        var result = new List<float>();
        foreach (var x in values.Order())
            if (result.Count == 0 || x - result[^1] > tol) result.Add(x);
        return result;
    }

    private static FoundTable? Grid(PageView page, List<Ruling> h, List<Ruling> v, List<float> xs, List<float> ys, float tol)
    {
        int nr = ys.Count - 1, nc = xs.Count - 1;
        if (nr < 2 || nc < 2) return null;
        // A boundary between two cells exists where a ruling covers the middle of their shared side.
        bool VerticalAt(int col, float y) => v.Any(r => Math.Abs(r.X1 - xs[col]) <= tol && r.Y1 - tol <= y && r.Y2 + tol >= y);
        bool HorizontalAt(int row, float x) => h.Any(r => Math.Abs(r.Y1 - ys[row]) <= tol && r.X1 - tol <= x && r.X2 + tol >= x);

        var owner = new (int R, int C)[nr, nc];
        for (var r = 0; r < nr; r++)
            for (var c = 0; c < nc; c++)
                owner[r, c] = (r, c);
        for (var r = 0; r < nr; r++)
            for (var c = 0; c < nc; c++)
            {
                var midY = (ys[r] + ys[r + 1]) / 2;
                var midX = (xs[c] + xs[c + 1]) / 2;
                (int R, int C)? left = c > 0 && !VerticalAt(c, midY) ? owner[r, c - 1] : null;
                (int R, int C)? up = r > 0 && !HorizontalAt(r, midX) ? owner[r - 1, c] : null;
                // Merged cells must stay rectangles: join a region only along its whole side.
                if (left is { } l && up is { } u && l == u) owner[r, c] = l;
                else if (left is { } l2 && l2.R == r) owner[r, c] = l2;
                else if (up is { } u2 && u2.C == c) owner[r, c] = u2;
            }

        var words = page.Lines.SelectMany(l => l.Words).ToList();
        var cellWords = new Dictionary<(int, int), List<WordView>>();
        var tableBox = new Box(xs[0], ys[0], xs[^1], ys[^1]);
        foreach (var w in words)
        {
            var cx = (w.Box.Left + w.Box.Right) / 2;
            var cy = w.Box.CenterY;
            if (cx < xs[0] || cx > xs[^1] || cy < ys[0] || cy > ys[^1]) continue;
            var c = Math.Clamp(xs.FindLastIndex(x => x <= cx), 0, nc - 1);
            var r = Math.Clamp(ys.FindLastIndex(y => y <= cy), 0, nr - 1);
            var key = owner[r, c];
            if (!cellWords.TryGetValue(key, out var list)) cellWords[key] = list = [];
            list.Add(w);
        }
        if (cellWords.Count == 0) return null;
        // A grid of boxes holding "Label: value" is a boxed form, not a table: the form extractor reads it.
        var labelled = cellWords.Values.Count(ws => ws.OrderBy(w => w.Start).Take(6).Any(w => w.Text.Length > 1 && w.Text.EndsWith(':')));
        if (labelled >= 0.5 * cellWords.Count) return null;
        // A chart's gridlines and bar outlines make a grid too: irregular (bars cut the gridlines into many
        // merged cells) and nearly empty. A blank sheet to fill in is regular, so it stays a table.
        var cellCount = Enumerable.Range(0, nr).Sum(r => Enumerable.Range(0, nc).Count(c => owner[r, c] == (r, c)));
        var fullRows = cellWords.Keys.GroupBy(k => k.Item1).Count(g => g.Count() >= 2);
        var sparse = cellWords.Count < 0.3 * cellCount || (nr >= 3 && fullRows < 2);
        if (sparse && cellCount < 0.7 * nr * nc) return null;

        var rows = new List<IReadOnlyList<FoundCell>>();
        for (var r = 0; r < nr; r++)
        {
            var cells = new List<FoundCell>();
            for (var c = 0; c < nc; c++)
            {
                if (owner[r, c] != (r, c)) continue;
                int r2 = r, c2 = c;
                while (c2 + 1 < nc && owner[r, c2 + 1] == (r, c)) c2++;
                while (r2 + 1 < nr && owner[r2 + 1, c] == (r, c)) r2++;
                var box = new Box(xs[c], ys[r], xs[c2 + 1], ys[r2 + 1]);
                cells.Add(new FoundCell(cellWords.GetValueOrDefault((r, c)) ?? [], box, r2 - r + 1, c2 - c + 1));
            }
            if (cells.Count > 0) rows.Add(cells);
        }
        if (rows.Count < 1) return null;
        return new FoundTable(rows, HeaderRows(rows, ruledAfterFirst: true), tableBox);
    }

    // ---------------------------------------------------------------- whitespace-aligned tables

    private sealed record Candidate(VisualRow Row, List<Chunk> Chunks)
    {
        /// <summary>Wrapped lines of this row's cells (a long description on two lines).</summary>
        public List<Chunk> Continuations { get; } = [];

        public float Bottom => Continuations.Count > 0 ? Continuations[^1].Box.Bottom : Row.Box.Bottom;

        /// <summary>The top of the row's last line (itself or its last wrapped line).</summary>
        public float LastTop => Continuations.Count > 0 ? Continuations[^1].Box.Top : Row.Box.Top;
    }

    private static List<FoundTable> FindAligned(PageView page, List<VisualRow> rows, HashSet<int> fixedPitch, int otherProse)
    {
        var result = new List<FoundTable>();
        var candidates = rows.Select(r => new Candidate(r, PageGeometry.Chunks(r))).ToList();
        var horizontals = page.Rulings.Where(r => r.IsHorizontal).Select(Normalise).ToList();
        SplitRuledFrames(candidates, horizontals, page.Width);
        var i = 0;
        var free = 0; // candidates before this index belong to a table already
        (List<(float Left, float Right)> Columns, Candidate Last)? previous = null;
        while (i < candidates.Count)
        {
            if (!IsTableRow(candidates[i])) { i++; continue; }
            var (members, next) = Grow(candidates, i, horizontals);
            // Leading rows that open columns of their own are a header block over the body's columns
            // (a year spanning two sub-columns); the body's columns are found without them.
            var header = new List<Candidate>();
            while (header.Count < 2 && members.Count - header.Count >= 4 && IsSpanningHeader(members[header.Count], members.Skip(header.Count + 1).ToList()))
                header.Add(members[header.Count]);
            var body = members.Skip(header.Count).ToList();
            var columns = Columns(body);
            if (body.Count(m => m.Chunks.Count >= 2) >= 2 && body.Count >= 3 && Accept(body, columns, horizontals)
                && !IsTotalsBlock(body, columns, previous) && !IsVerbatim(page, body, columns, fixedPitch, otherProse)
                && !InTextColumns(candidates, i, next, body, columns))
            {
                // Header rows just above whose labels straddle the body's columns did not join it: add them.
                for (var k = i - 1; k >= free && header.Count < 2; k--)
                {
                    var below = header.Count > 0 ? header[0] : body[0];
                    if (!IsHeaderAbove(candidates[k], below, columns, horizontals)) break;
                    header.Insert(0, candidates[k]);
                }
                foreach (var (from, to) in SideBySide(body, columns, horizontals))
                    result.Add(Build(header, body, columns, from, to, horizontals));
                previous = (columns, body[^1]);
                i = free = next;
            }
            else
            {
                foreach (var m in members) m.Continuations.Clear();
                i++;
            }
        }
        return result;
    }

    /// <summary>Lines of a page's text columns above and below a block that make its gap a gutter of the page layout.</summary>
    internal const int TextColumnLines = 3;

    /// <summary>
    /// Rows that line up only because the page is set in text columns (an index in two or three columns, entries and
    /// page numbers): a gap of the block right of a column of page lists runs on as a gutter through the lines right above
    /// and right below it, <see cref="TextColumnLines"/> each side (or up to the page's first or last line) with no word
    /// across it and words on both sides of it.
    /// The page lists matter: the pieces of a long table set side by side (two tables of features, a gutter between)
    /// have gutters too, and rows of the same table around them. A table's neighbours are its caption, a heading or running text, which cross
    /// its gaps, or its own header rows, fewer than three.
    /// </summary>
    private static bool InTextColumns(List<Candidate> candidates, int first, int next, List<Candidate> body, List<(float Left, float Right)> columns)
    {
        // Some entry lists several pages: columns of single digits (a matrix of 0s and 1s) are not an index's.
        if (!body.SelectMany(m => m.Chunks).Any(c => IsPageList(c.Text) && c.Text.Contains(','))) return false;
        for (var k = 0; k + 1 < columns.Count; k++)
        {
            var cells = body.SelectMany(m => m.Chunks).Where(c => ColumnOf(c, columns) == k).ToList();
            if (cells.Count == 0 || cells.Count(c => IsPageList(c.Text)) < 0.6 * cells.Count) continue;
            var (from, to) = (columns[k].Right, columns[k + 1].Left);
            if (Gutter(candidates, first, -1, from, to) && Gutter(candidates, next - 1, +1, from, to))
                return true;
        }
        return false;
    }

    /// <summary>Page numbers as an index lists them: "4", "118, 122", "5–14, 27," (digits, commas, dashes).</summary>
    private static bool IsPageList(string text) =>
        text.Any(char.IsDigit) && text.All(ch => char.IsDigit(ch) || ch is ',' or ' ' or '-' or '–' or '—');

    /// <summary><see cref="TextColumnLines"/> consecutive lines from <paramref name="start"/> outwards (<paramref name="step"/> -1 up,
    /// +1 down), each close to the one before, leaving free a part of the gap [from, to] as wide as a chunk gap (the same
    /// part in every line: the gutter); words left of it and right of it among them (a column may be empty on a line: an
    /// entry ends, a letter heading sits lower).</summary>
    private static bool Gutter(List<Candidate> candidates, int start, int step, float from, float to)
    {
        var count = 0;
        var (left, right) = (false, false);
        var previous = candidates[start].Row;
        for (var j = start + step; count < TextColumnLines; j += step)
        {
            if (j < 0 || j >= candidates.Count) return true; // the text columns run to the page's edge
            var row = candidates[j].Row;
            var gap = step < 0 ? previous.Box.Top - row.Box.Bottom : row.Box.Top - previous.Box.Bottom;
            if (gap > MaxRowGap * Math.Max(row.Height, previous.Height)) break;
            // The gutter is what stays free of words in every line: a word reaching into the gap narrows it from its side.
            foreach (var w in row.Words.Where(w => w.Box.Right > from && w.Box.Left < to))
            {
                if (w.Box.Left + w.Box.Right < from + to) from = Math.Max(from, w.Box.Right);
                else to = Math.Min(to, w.Box.Left);
            }
            if (to - from < PageGeometry.ChunkGap * row.Height) break;
            left |= row.Words.Any(w => w.Box.Right <= from);
            right |= row.Words.Any(w => w.Box.Left >= to);
            count++;
            previous = row;
        }
        return count >= TextColumnLines && left && right;
    }

    /// <summary>The text positions of the page's words set in a fixed-pitch font (their centres lie in <see cref="PageView.FixedPitchWords"/>).</summary>
    public static HashSet<int> FixedPitch(PageView page)
    {
        var result = new HashSet<int>();
        if (page.FixedPitchWords.Count == 0) return result;
        var boxes = page.FixedPitchWords.OrderBy(b => b.Top).ToList();
        foreach (var w in page.Lines.SelectMany(l => l.Words))
        {
            var (x, y) = ((w.Box.Left + w.Box.Right) / 2, w.Box.CenterY);
            if (boxes.Any(b => x >= b.Left - 1 && x <= b.Right + 1 && y >= b.Top - 1 && y <= b.Bottom + 1)) result.Add(w.Start);
        }
        return result;
    }

    /// <summary>
    /// A block set in a fixed-pitch font on a page whose running text is proportional is a verbatim display (a code
    /// listing, terminal output, a fixed-format data file, ASCII art): its columns are runs of spaces in the source, not
    /// table columns. Every column whose words tell their pitch must be fixed pitch: a table of macro names with a column
    /// of prose beside them is a table. The running text may be on the page (two lines) or on the document's other pages
    /// (<see cref="DocumentProse"/> lines: a page of terminal output under one line of introduction). A document set
    /// wholly in a fixed-pitch font (a printout in Courier) keeps its tables.
    /// </summary>
    private static bool IsVerbatim(PageView page, List<Candidate> members, List<(float Left, float Right)> columns, HashSet<int> fixedPitch, int otherProse)
    {
        if (fixedPitch.Count == 0) return false;
        var telling = 0;
        for (var k = 0; k < columns.Count; k++)
        {
            var words = members.SelectMany(m => m.Chunks).Where(c => ColumnOf(c, columns) == k).SelectMany(c => c.Words)
                .Where(w => Pdf.PageSnapshot.CanTellPitch(w.Text) || fixedPitch.Contains(w.Start)).ToList();
            if (words.Count(w => fixedPitch.Contains(w.Start)) < 0.8 * words.Count) return false;
            telling += words.Count;
        }
        if (telling < 3) return false;
        var top = members[0].Row.Box.Top;
        var bottom = members[^1].Bottom;
        // Running text: lines outside the block with several words that tell their pitch, none of them fixed; on this
        // page, or (a page that is nearly all listing, terminal output) on the document's other pages.
        return otherProse >= DocumentProse || ProseLines(page, fixedPitch, top, bottom) >= 2;
    }

    /// <summary>
    /// Two columns of labels and amounts right under a table, beneath its right-hand columns and ending on its
    /// last column's edge: the totals (subtotal, tax, total) of the table above, not a table of their own.
    /// </summary>
    private static bool IsTotalsBlock(List<Candidate> body, List<(float Left, float Right)> columns, (List<(float Left, float Right)> Columns, Candidate Last)? previous)
    {
        if (columns.Count != 2 || previous is not { } above || above.Columns.Count < 3) return false;
        var height = Math.Max(1f, PageGeometry.Median(body.Select(m => m.Row.Height)));
        if (body[0].Row.Box.Top - above.Last.Bottom > 4 * height) return false;
        return Math.Abs(columns[^1].Right - above.Columns[^1].Right) <= height && columns[0].Left > above.Columns[0].Right;
    }

    /// <summary>
    /// Rules-only (booktabs) tables in a small font can have column gaps narrower than a chunk gap. Between
    /// rules of the same extent (top, below the header, bottom) that hold rows of several chunks, columns are
    /// found from the x-ranges no body word covers and the rows' chunks are cut there.
    /// </summary>
    private static void SplitRuledFrames(List<Candidate> candidates, List<Ruling> horizontals, float pageWidth)
    {
        var wide = horizontals.Where(r => r.X2 - r.X1 >= 0.2f * pageWidth).OrderBy(r => r.Y1).ToList();
        if (wide.Count < 2) return;
        var tol = Math.Max(2f, 0.01f * pageWidth);
        var used = new bool[wide.Count];
        for (var a = 0; a < wide.Count; a++)
        {
            if (used[a]) continue;
            var chain = new List<Ruling> { wide[a] };
            for (var b = a + 1; b < wide.Count; b++)
            {
                if (Math.Abs(wide[b].X1 - wide[a].X1) > tol || Math.Abs(wide[b].X2 - wide[a].X2) > tol || wide[b].Y1 - chain[^1].Y1 <= 1) continue;
                var rows = Between(candidates, chain[^1], wide[b], tol);
                if (rows.Count > 0 && rows.Count(r => r.Chunks.Count >= 2) < 0.5 * rows.Count) break;
                chain.Add(wide[b]);
                used[b] = true;
            }
            if (chain.Count < 2) continue;
            var region = Between(candidates, chain[0], chain[^1], tol);
            if (region.Count < 3) continue;
            // Header rows may hold spanning labels: the gutters come from the rows under the header rule.
            var body = chain.Count >= 3 ? Between(candidates, chain[1], chain[^1], tol) : region;
            if (body.Count < 2) body = region;
            var gutters = Gutters(body);
            if (gutters.Count == 0) continue;
            foreach (var row in region)
            {
                var split = row.Chunks.SelectMany(c => Cut(c, gutters)).ToList();
                if (split.Count == row.Chunks.Count) continue;
                row.Chunks.Clear();
                row.Chunks.AddRange(split);
            }
        }
    }

    /// <summary>The rows between two rules, within their x-extent; empty when a row crosses out of it.</summary>
    private static List<Candidate> Between(List<Candidate> candidates, Ruling top, Ruling bottom, float tol)
    {
        var rows = candidates.Where(c => c.Row.Box.CenterY > top.Y1 && c.Row.Box.CenterY < bottom.Y1).ToList();
        return rows.All(c => c.Row.Box.Left >= top.X1 - tol && c.Row.Box.Right <= top.X2 + tol) ? rows : [];
    }

    /// <summary>X-ranges between the rows' words that no word covers and that most rows' chunks run across.</summary>
    private static List<(float Left, float Right)> Gutters(List<Candidate> rows)
    {
        var words = rows.SelectMany(r => r.Row.Words).OrderBy(w => w.Box.Left).ToList();
        // A gutter must run through every row; a word space rarely does, however wide it is.
        var min = 0.3f * PageGeometry.Median(rows.Select(r => r.Row.Height));
        var gutters = new List<(float Left, float Right)>();
        var reach = words.Count > 0 ? words[0].Box.Right : 0;
        foreach (var w in words.Skip(1))
        {
            if (w.Box.Left - reach >= min) gutters.Add((reach, w.Box.Left));
            reach = Math.Max(reach, w.Box.Right);
        }
        // Column gaps are alike; a much narrower free strip is the space before a unit ("4.1 ms") in every row.
        var typical = PageGeometry.Median(gutters.Select(g => g.Right - g.Left));
        // Only strips that chunks run across in most rows are missed column gaps; elsewhere the chunks are
        // apart already, and a strip under a header's word space ("Unit price") is no column.
        bool Across(Chunk c, (float Left, float Right) g) => c.Box.Left < g.Left && c.Box.Right > g.Right;
        return [.. gutters.Where(g => g.Right - g.Left >= 0.5f * typical && rows.Count(r => r.Chunks.Any(c => Across(c, g))) >= 0.5 * rows.Count)];
    }

    private static List<Chunk> Cut(Chunk chunk, List<(float Left, float Right)> gutters)
    {
        int Slot(WordView w) => gutters.Count(g => g.Right <= (w.Box.Left + w.Box.Right) / 2);
        var parts = new List<Chunk>();
        var current = new List<WordView>();
        foreach (var w in chunk.Words)
        {
            if (current.Count > 0 && Slot(w) != Slot(current[^1]))
            {
                parts.Add(new Chunk(current));
                current = [];
            }
            current.Add(w);
        }
        parts.Add(new Chunk(current));
        return parts.Count == 1 ? [chunk] : parts;
    }

    /// <summary>A row further below the previous one than this many of the table's row pitches ends the table, however well it aligns.</summary>
    private const float MaxPitchesInTable = 3.2f;

    /// <summary>
    /// The rows of a table starting at <paramref name="start"/>: rows whose chunks fall into the same
    /// columns, their wrapped lines, group-label rows (only the first cell filled, more rows below) and,
    /// after a blank line, rows that align with the columns already found.
    /// </summary>
    private static (List<Candidate> Members, int Next) Grow(List<Candidate> candidates, int start, List<Ruling> horizontals)
    {
        var members = new List<Candidate> { candidates[start] };
        var columns = Columns(members);
        var ruledBetweenBody = false;
        var j = start + 1;
        for (; j < candidates.Count; j++)
        {
            var next = candidates[j];
            var last = members[^1];
            if (IsContinuation(next, last, members, columns))
            {
                last.Continuations.Add(next.Chunks[0]);
                continue;
            }
            var height = Math.Max(last.Row.Height, next.Row.Height);
            var gap = next.Row.Box.Top - last.Bottom;
            // A rule across the table under a body row, when the body rows above are not ruled apart,
            // is the table's bottom rule: what follows (totals, notes) is not part of it.
            var ruled = RuledBetween(horizontals, last.Row, next.Row, members);
            if (ruled && members.Count >= 3 && !ruledBetweenBody && !GroupRule(candidates, j, members, horizontals)) break;
            if (!IsTableRow(next))
            {
                if (gap <= MaxRowGap * height && IsGroupLabel(candidates, j, members, columns, horizontals))
                {
                    members.Add(next);
                    continue;
                }
                break;
            }
            if (gap > MaxRowGap * height && !(WithinTablePitch(members, next) && Aligned(next, columns)
                                              && (!HasNumbers(members) || next.Chunks.Any(c => PageGeometry.IsNumeric(c.Text))))) break;
            if (!Fits(members, next, out var trialColumns)) break;
            if (ruled && members.Count >= 2) ruledBetweenBody = true;
            members.Add(next);
            columns = trialColumns;
        }
        // A label row needs table rows under it.
        while (members.Count > 1 && members[^1].Chunks.Count < 2) { members.RemoveAt(members.Count - 1); j--; }
        return (members, j);
    }

    /// <summary>
    /// A rule under a body row that separates groups of rows (booktabs' <c>\midrule</c> between groups), not the table's bottom
    /// rule: it is the only rule between the two rows, a rule of the same extent runs above the table's first row, and the
    /// rows after it, down to the next rule of that extent, are rows (or wrapped lines) that fit the table's columns.
    /// </summary>
    private static bool GroupRule(List<Candidate> candidates, int j, List<Candidate> members, List<Ruling> horizontals)
    {
        var last = members[^1];
        var next = candidates[j];
        var left = members.Min(m => m.Row.Box.Left);
        var right = members.Max(m => m.Row.Box.Right);
        var across = horizontals.Where(r => r.Y1 >= last.Row.Box.Bottom - 1 && r.Y1 <= next.Row.Box.Top + 1
                                            && Math.Min(r.X2, right) - Math.Max(r.X1, left) >= 0.6f * (right - left)).ToList();
        if (across.Count != 1) return false;
        var rule = across[0];
        var tol = Math.Max(2f, 0.01f * (rule.X2 - rule.X1));
        bool SameExtent(Ruling r) => Math.Abs(r.X1 - rule.X1) <= tol && Math.Abs(r.X2 - rule.X2) <= tol;
        var height = Math.Max(1f, PageGeometry.Median(members.Select(m => m.Row.Height)));
        var top = members[0].Row.Box.Top;
        if (!horizontals.Any(r => SameExtent(r) && r.Y1 <= top + 1 && r.Y1 >= top - 2 * height)) return false;
        var close = horizontals.Where(r => SameExtent(r) && r.Y1 > rule.Y1 + 1).OrderBy(r => r.Y1).FirstOrDefault();
        if (close == default) return false;
        var trial = new List<Candidate>(members);
        var rows = 0;
        for (var k = j; k < candidates.Count && candidates[k].Row.Box.Bottom <= close.Y1 + 1; k++)
        {
            var c = candidates[k];
            if (c.Chunks.Count == 1) continue;
            if (!IsTableRow(c) || !Fits(trial, c, out _)) return false;
            trial.Add(c);
            rows++;
        }
        return rows > 0;
    }

    private static bool Fits(List<Candidate> members, Candidate next, out List<(float Left, float Right)> columns)
    {
        var trial = new List<Candidate>(members) { next };
        columns = Columns(trial);
        var cols = columns;
        return columns.Count >= 2 && trial.All(m => FitsOnce(m, cols));
    }

    /// <summary>The gap before <paramref name="next"/> is at most a few of the table's own row pitches (a blank line or two inside the table).</summary>
    private static bool WithinTablePitch(List<Candidate> members, Candidate next)
    {
        var full = members.Where(m => m.Chunks.Count >= 2).ToList();
        if (full.Count < 2) return false;
        var pitches = new List<float>();
        for (var k = 1; k < members.Count; k++) pitches.Add(members[k].Row.Box.Top - members[k - 1].LastTop);
        var pitch = PageGeometry.Median(pitches);
        return pitch > 0 && next.Row.Box.Top - members[^1].LastTop <= MaxPitchesInTable * pitch;
    }

    /// <summary>
    /// Every chunk of the row lies in its own existing column, the first column and most others are filled:
    /// the table goes on after a gap (a totals block under the amounts only is not a table row).
    /// </summary>
    private static bool Aligned(Candidate row, List<(float Left, float Right)> columns)
    {
        if (row.Chunks.Count < Math.Max(2, columns.Count - 1)) return false;
        if (Overlapped(row.Chunks[0].Box, columns) is not [0]) return false;
        var seen = new HashSet<int>();
        foreach (var chunk in row.Chunks)
        {
            var hits = Enumerable.Range(0, columns.Count).Where(k => PageGeometry.OverlapX(chunk.Box, new Box(columns[k].Left, 0, columns[k].Right, 1)) > 0).ToList();
            if (hits.Count != 1 || !seen.Add(hits[0])) return false;
        }
        return true;
    }

    /// <summary>
    /// A single short chunk in the first column ("Europe"), followed (possibly after more labels) by a row
    /// that fits the table's columns: a group label inside the table, not the end of it.
    /// </summary>
    private static bool IsGroupLabel(List<Candidate> candidates, int j, List<Candidate> members, List<(float Left, float Right)> columns, List<Ruling> horizontals)
    {
        if (columns.Count < 2 || members.Count(m => m.Chunks.Count >= 2) < 1) return false;
        if (!IsLabelChunk(candidates[j], columns)) return false;
        var k = j + 1;
        while (k < candidates.Count && k <= j + 2 && candidates[k].Chunks.Count == 1 && IsLabelChunk(candidates[k], columns)) k++;
        if (k >= candidates.Count || !IsTableRow(candidates[k])) return false;
        var below = candidates[k];
        var height = Math.Max(candidates[k - 1].Row.Height, below.Row.Height);
        if (below.Row.Box.Top - candidates[k - 1].Row.Box.Bottom > MaxRowGap * height) return false;
        if (RuledBetween(horizontals, candidates[k - 1].Row, below.Row, members)) return false;
        // Under a label come data rows: in a table of numbers, a row of labels only is the next table's header.
        if (HasNumbers(members) && !below.Chunks.Any(c => PageGeometry.IsNumeric(c.Text))) return false;
        var trial = new List<Candidate>(members);
        for (var m = j; m < k; m++) trial.Add(candidates[m]);
        return Fits(trial, below, out var trialColumns) && trialColumns.Count == columns.Count;
    }

    /// <summary>Most rows after the first hold a number.</summary>
    private static bool HasNumbers(List<Candidate> members)
    {
        var body = members.Skip(1).Where(m => m.Chunks.Count >= 2).ToList();
        return body.Count > 0 && body.Count(m => m.Chunks.Any(c => PageGeometry.IsNumeric(c.Text))) >= 0.6 * body.Count;
    }

    private static bool IsLabelChunk(Candidate row, List<(float Left, float Right)> columns)
    {
        if (row.Chunks.Count != 1) return false;
        var chunk = row.Chunks[0];
        return chunk.Box.Left < columns[0].Right && chunk.Box.Right < columns[1].Left
               && chunk.Box.Left >= columns[0].Left - 3 * row.Row.Height && !PageGeometry.IsNumeric(chunk.Text) && !chunk.Text.EndsWith(':');
    }

    /// <summary>
    /// A single chunk under a row, inside one column, closer to it than the table's rows are to each
    /// other: the cell's text wrapped onto a second line.
    /// </summary>
    private static bool IsContinuation(Candidate next, Candidate last, List<Candidate> members, List<(float Left, float Right)> columns)
    {
        if (members.Count < 2 || next.Chunks.Count != 1 || last.Chunks.Count < 2) return false;
        var chunk = next.Chunks[0];
        if (columns.Count(c => Math.Min(c.Right, chunk.Box.Right) - Math.Max(c.Left, chunk.Box.Left) > 0) != 1) return false;
        var gaps = new List<float>();
        for (var k = 1; k < members.Count; k++) gaps.Add(members[k].Row.Box.Top - members[k - 1].Bottom);
        var rowGap = PageGeometry.Median(gaps);
        var gap = next.Row.Box.Top - last.Bottom;
        return gap < 0.75f * rowGap && gap < 1.0f * Math.Max(last.Row.Height, next.Row.Height);
    }

    /// <summary>A row with at least two chunks that is not a "Label: value" line.</summary>
    private static bool IsTableRow(Candidate c) =>
        c.Chunks.Count >= 2 && !(c.Chunks.Count == 2 && c.Chunks[0].Text.EndsWith(':'));

    private static bool RuledBetween(List<Ruling> horizontals, VisualRow above, VisualRow below, List<Candidate> members)
    {
        var left = members.Min(m => m.Row.Box.Left);
        var right = members.Max(m => m.Row.Box.Right);
        return horizontals.Any(r => r.Y1 >= above.Box.Bottom - 1 && r.Y1 <= below.Box.Top + 1
                                    && Math.Min(r.X2, right) - Math.Max(r.X1, left) >= 0.6f * (right - left));
    }

    /// <summary>A rule across most of the table's width within two text heights above its first row and below its last: the booktabs frame.</summary>
    private static bool RuledFrame(List<Ruling> horizontals, List<Candidate> members)
    {
        var left = members.Min(m => m.Row.Box.Left);
        var right = members.Max(m => m.Row.Box.Right);
        var height = Math.Max(1f, PageGeometry.Median(members.Select(m => m.Row.Height)));
        bool Across(Ruling r) => Math.Min(r.X2, right) - Math.Max(r.X1, left) >= 0.8f * (right - left);
        var top = members[0].Row.Box.Top;
        var bottom = members[^1].Bottom;
        return horizontals.Any(r => Across(r) && r.Y1 <= top + 1 && r.Y1 >= top - 2 * height)
               && horizontals.Any(r => Across(r) && r.Y1 >= bottom - 1 && r.Y1 <= bottom + 2 * height);
    }

    /// <summary>Column x-ranges: the union of chunk ranges that overlap, across all rows.</summary>
    private static List<(float Left, float Right)> Columns(List<Candidate> members)
    {
        var spans = members.SelectMany(m => m.Chunks).Select(c => (c.Box.Left, c.Box.Right)).OrderBy(s => s.Left).ToList();
        var columns = new List<(float Left, float Right)>();
        foreach (var s in spans)
        {
            if (columns.Count > 0 && s.Left <= columns[^1].Right) columns[^1] = (columns[^1].Left, Math.Max(columns[^1].Right, s.Right));
            else columns.Add(s);
        }
        return columns;
    }

    private static int ColumnOf(Chunk chunk, List<(float Left, float Right)> columns) =>
        columns.FindIndex(c => chunk.Box.Left >= c.Left && chunk.Box.Right <= c.Right);

    /// <summary>Every chunk of the row falls in its own column.</summary>
    private static bool FitsOnce(Candidate row, List<(float Left, float Right)> columns)
    {
        var seen = new HashSet<int>();
        return row.Chunks.All(c => seen.Add(ColumnOf(c, columns)));
    }

    /// <summary>
    /// A leading row of labels whose chunks do not each fall into one column of the rows below: it opens
    /// columns of its own or straddles several (a year over "Sales" and "Share").
    /// </summary>
    private static bool IsSpanningHeader(Candidate row, List<Candidate> rest)
    {
        if (row.Chunks.Any(c => PageGeometry.IsNumeric(c.Text) && !IsYear(c.Text))) return false;
        var columns = Columns(rest);
        if (columns.Count < 3) return false;
        return row.Chunks.Any(c => Overlapped(c.Box, columns).Count != 1);
    }

    /// <summary>
    /// A row of short labels right above a table, within its width, that can be placed over its columns
    /// (a label over two columns spans them); not a caption or heading at the table's left edge.
    /// </summary>
    private static bool IsHeaderAbove(Candidate row, Candidate below, List<(float Left, float Right)> columns, List<Ruling> horizontals)
    {
        var height = Math.Max(row.Row.Height, below.Row.Height);
        if (below.Row.Box.Top - row.Bottom > MaxRowGap * height) return false;
        if (row.Chunks.Any(c => (PageGeometry.IsNumeric(c.Text) && !IsYear(c.Text)) || c.Text.EndsWith(':') || c.Words.Count > 4)) return false;
        if (row.Row.Box.Left < columns[0].Left - height || row.Row.Box.Right > columns[^1].Right + height) return false;
        if (row.Chunks.Count == 1 && Overlapped(row.Chunks[0].Box, columns).Contains(0)) return false;
        return HeaderCells(row, below.Row, columns, horizontals) is not null;
    }

    private static bool IsYear(string text) => text.Length == 4 && text.All(char.IsDigit) && text[0] is '1' or '2';

    private static List<int> Overlapped(Box box, List<(float Left, float Right)> columns) =>
        [.. Enumerable.Range(0, columns.Count).Where(k => Math.Min(columns[k].Right, box.Right) - Math.Max(columns[k].Left, box.Left) > 0)];

    /// <summary>Three columns or more; two only when one of them holds numbers (a list of amounts) or rules frame the table, and the rows are not "Label: value" pairs or a list.</summary>
    private static bool Accept(List<Candidate> members, List<(float Left, float Right)> columns, List<Ruling> horizontals)
    {
        // Columns must be filled mostly: text laid out in a few loose pieces is not a table.
        var filled = members.Sum(m => m.Chunks.Count);
        if (filled < 0.6 * members.Count * columns.Count) return false;
        // Every table has a column of short cells (numbers, codes, names); columns of prose lines do not.
        var shortColumn = Enumerable.Range(0, columns.Count).Any(k =>
            PageGeometry.Median(members.SelectMany(m => m.Chunks).Where(c => ColumnOf(c, columns) == k).Select(c => (float)c.Words.Count)) <= 3);
        if (!shortColumn) return false;
        // Bullets or item numbers in the first column, text in the others: a list.
        var first = members.SelectMany(m => m.Chunks).Where(c => ColumnOf(c, columns) == 0).ToList();
        if (first.Count > 0 && first.All(c => IsListMarker(c.Text))
            && !members.SelectMany(m => m.Chunks).Any(c => ColumnOf(c, columns) > 0 && PageGeometry.IsNumeric(c.Text)))
            return false;
        if (columns.Count >= 3) return true;
        if (members.Count(m => m.Chunks[0].Text.EndsWith(':')) >= members.Count / 2.0) return false;
        if (RuledFrame(horizontals, members)) return true;
        // The first row may be the header: the numbers are in the body.
        var body = members.Count > 3 ? members.Skip(1).ToList() : members;
        return Enumerable.Range(0, columns.Count).Any(k =>
        {
            var cells = body.SelectMany(m => m.Chunks).Where(c => ColumnOf(c, columns) == k).ToList();
            return cells.Count > 0 && cells.Count(c => PageGeometry.IsNumeric(c.Text)) >= 0.6 * cells.Count;
        });
    }

    /// <summary>A bullet or an item number: "•", "-", "1.", "2)", "a)", "(iv)".</summary>
    private static bool IsListMarker(string text)
    {
        var t = text.Trim();
        if (t.Length == 1) return t[0] is '•' or '·' or '▪' or '‣' or '◦' or '-' or '–' or '—' or '*' or '○' or '■' or '□' or '►' or '➢' or '✓';
        if (t.Length > 6) return false;
        var inner = t.TrimStart('(');
        if (inner.Length < 2 || inner[^1] is not ('.' or ')')) return false;
        inner = inner[..^1];
        return inner.All(char.IsDigit) || (inner.Length == 1 && char.IsLetter(inner[0])) || inner.All(c => "ivxIVX".Contains(c));
    }

    /// <summary>
    /// Two tables side by side read as one: column ranges [from, to) for each. The table splits at a
    /// column boundary when both sides have two columns or more, the right side starts with a column of
    /// text (a new stub column), and some rows are filled on one side only (the tables have different lengths).
    /// </summary>
    private static List<(int From, int To)> SideBySide(List<Candidate> members, List<(float Left, float Right)> columns, List<Ruling> horizontals)
    {
        var cols = members.Select(m => m.Chunks.Select(c => ColumnOf(c, columns)).ToHashSet()).ToList();
        var height = Math.Max(1f, PageGeometry.Median(members.Select(m => m.Row.Height)));
        var top = members[0].Row.Box.Top - 2 * height;
        var bottom = members[^1].Bottom + 2 * height;
        var rules = horizontals.Where(r => r.Y1 >= top && r.Y1 <= bottom).ToList();
        for (var k = 2; k <= columns.Count - 2; k++)
        {
            // Each table has its own rules: at one height, a rule over the left columns and another over the
            // right ones, apart at the gutter.
            var (leftSide, rightSide) = ((columns[0].Left, columns[k - 1].Right), (columns[k].Left, columns[^1].Right));
            bool Covers(Ruling r, (float Left, float Right) side) =>
                Math.Min(r.X2, side.Right) - Math.Max(r.X1, side.Left) >= 0.8f * (side.Right - side.Left);
            if (rules.Any(a => a.X2 < columns[k].Left && Covers(a, leftSide)
                               && rules.Any(b => Math.Abs(b.Y1 - a.Y1) <= 2 && b.X1 > a.X2 && b.X1 > columns[k - 1].Right - height && Covers(b, rightSide))))
                return [(0, k), (k, columns.Count)];

            var onlyOne = 0;
            for (var r = 0; r < members.Count; r++)
            {
                var left = cols[r].Count(c => c < k);
                var right = cols[r].Count(c => c >= k);
                if ((left == 0 && right >= 2) || (right == 0 && left >= 2)) onlyOne++;
            }
            if (onlyOne == 0) continue;
            // The shorter table ends (or starts) early: its empty rows are one run at the bottom (or top),
            // not scattered as in a table whose last columns are optional.
            bool Contiguous(Func<HashSet<int>, bool> empty)
            {
                var rows = Enumerable.Range(0, members.Count).Where(r => empty(cols[r])).ToList();
                return rows.Count == 0 || (rows[^1] - rows[0] == rows.Count - 1 && (rows[0] == 0 || rows[^1] == members.Count - 1));
            }
            if (!Contiguous(set => set.All(c => c >= k)) || !Contiguous(set => set.All(c => c < k))) continue;
            var stub = members.Skip(1).SelectMany(m => m.Chunks).Where(c => ColumnOf(c, columns) == k).ToList();
            if (stub.Count < 2 || stub.Count(c => PageGeometry.IsNumeric(c.Text)) > 0.4 * stub.Count) continue;
            return [(0, k), (k, columns.Count)];
        }
        return [(0, columns.Count)];
    }

    private static FoundTable Build(List<Candidate> header, List<Candidate> members, List<(float Left, float Right)> columns, int from, int to, List<Ruling> horizontals)
    {
        var span = columns[from..to];
        bool Inside(Chunk c) => ColumnOf(c, columns) is var k && k >= from && k < to;
        var rows = new List<IReadOnlyList<FoundCell>>();
        // Header chunks belong to the side of the gutter their centre is on.
        var lo = from == 0 ? float.MinValue : (columns[from - 1].Right + columns[from].Left) / 2;
        var hi = to == columns.Count ? float.MaxValue : (columns[to - 1].Right + columns[to].Left) / 2;
        foreach (var (h, index) in header.Select((h, index) => (h, index)))
        {
            var below = index + 1 < header.Count ? header[index + 1].Row : members[0].Row;
            var side = new Candidate(h.Row, [.. h.Chunks.Where(c => (c.Box.Left + c.Box.Right) / 2 is var x && x >= lo && x < hi)]);
            if (side.Chunks.Count > 0 && HeaderCells(side, below, span, horizontals) is { } cells) rows.Add(cells);
        }
        var headerCount = rows.Count;
        var kept = new List<Candidate>();
        foreach (var m in members)
        {
            if (!m.Chunks.Any(Inside)) continue;
            kept.Add(m);
            var cells = new FoundCell[span.Count];
            foreach (var chunk in m.Chunks.Where(Inside))
            {
                var k = ColumnOf(chunk, columns) - from;
                cells[k] = new FoundCell(chunk.Words, chunk.Box);
            }
            foreach (var chunk in m.Continuations)
            {
                var k = span.FindIndex(c => Math.Min(c.Right, chunk.Box.Right) - Math.Max(c.Left, chunk.Box.Left) > 0);
                if (k < 0) continue;
                cells[k] = cells[k] is { } cell
                    ? new FoundCell([.. cell.Words, .. chunk.Words], Box.Union([cell.Box, chunk.Box]))
                    : new FoundCell(chunk.Words, chunk.Box);
            }
            for (var k = 0; k < cells.Length; k++)
                cells[k] ??= new FoundCell([], new Box(span[k].Left, m.Row.Box.Top, span[k].Right, m.Row.Box.Bottom));
            rows.Add(cells);
        }
        var ruledAfterFirst = kept.Count > 1 && RuledBetween(horizontals, kept[0].Row, kept[1].Row, kept);
        var boxes = rows.SelectMany(r => r.Select(c => c.Box)).ToList();
        var box = new Box(span[0].Left, boxes.Min(b => b.Top), span[^1].Right, boxes.Max(b => b.Bottom));
        var headerRows = headerCount + HeaderRows([.. rows.Skip(headerCount)], ruledAfterFirst);
        return new FoundTable(rows, headerRows, box);
    }

    /// <summary>
    /// A header row over the body's columns: a chunk covering several columns, sitting in the gap between
    /// two, or underlined by a rule across several, spans them. Null when the chunks cannot be placed.
    /// </summary>
    private static List<FoundCell>? HeaderCells(Candidate row, VisualRow below, List<(float Left, float Right)> columns, List<Ruling> horizontals)
    {
        var owner = new int[columns.Count];
        Array.Fill(owner, -1);
        var spans = new List<(int From, int To, Chunk Chunk)>();
        foreach (var chunk in row.Chunks.SelectMany(c => SplitAtColumns(c, columns, row.Row.Height)))
        {
            var hits = Overlapped(chunk.Box, columns);
            var cx = (chunk.Box.Left + chunk.Box.Right) / 2;
            // A rule under the chunk (a cmidrule) marks the columns it spans.
            var rule = horizontals.Where(r => r.Y1 >= chunk.Box.Bottom - 1 && r.Y1 <= below.Box.Top + 1 && r.X1 <= cx && r.X2 >= cx
                                              && r.X2 - r.X1 < 0.8f * (columns[^1].Right - columns[0].Left)).Select(r => (Ruling?)r).FirstOrDefault();
            if (rule is { } found)
            {
                var under = Enumerable.Range(0, columns.Count).Where(k => (columns[k].Left + columns[k].Right) / 2 >= found.X1 && (columns[k].Left + columns[k].Right) / 2 <= found.X2).ToList();
                if (under.Count >= 1 && (hits.Count == 0 || hits.All(under.Contains))) hits = under;
            }
            if (hits.Count == 0)
            {
                var right = columns.FindIndex(c => c.Left >= cx);
                if (right <= 0) return null;
                hits = [right - 1, right];
            }
            var (from, to) = (hits.Min(), hits.Max());
            for (var k = from; k <= to; k++)
            {
                if (owner[k] >= 0) return null;
                owner[k] = spans.Count;
            }
            spans.Add((from, to, chunk));
        }
        var cells = new List<FoundCell>();
        for (var k = 0; k < columns.Count;)
        {
            if (owner[k] < 0)
            {
                cells.Add(new FoundCell([], new Box(columns[k].Left, row.Row.Box.Top, columns[k].Right, row.Row.Box.Bottom)));
                k++;
                continue;
            }
            var (from, to, chunk) = spans[owner[k]];
            cells.Add(new FoundCell(chunk.Words, chunk.Box, 1, to - from + 1));
            k = to + 1;
        }
        return cells;
    }

    /// <summary>
    /// Header labels over narrow columns can sit closer than a chunk gap ("AP AP50 AP75"): a chunk across
    /// several columns is cut where a gap wider than a word space falls between words of different columns.
    /// </summary>
    private static List<Chunk> SplitAtColumns(Chunk chunk, List<(float Left, float Right)> columns, float height)
    {
        if (chunk.Words.Count < 2 || Overlapped(chunk.Box, columns).Count < 2) return [chunk];
        var column = chunk.Words.Select(w => Overlapped(w.Box, columns) is [var k] ? k : -1).ToList();
        if (column.Contains(-1)) return [chunk];
        var parts = new List<Chunk>();
        var start = 0;
        for (var i = 1; i < chunk.Words.Count; i++)
        {
            if (column[i] == column[i - 1] || chunk.Words[i].Box.Left - chunk.Words[i - 1].Box.Right <= 0.5f * height) continue;
            parts.Add(new Chunk(chunk.Words.Skip(start).Take(i - start).ToList()));
            start = i;
        }
        if (parts.Count == 0) return [chunk];
        parts.Add(new Chunk(chunk.Words.Skip(start).ToList()));
        return parts;
    }

    /// <summary>
    /// The first row is a header when it holds only labels (no numbers) and either a column below holds
    /// numbers or a rule separates it from the body.
    /// </summary>
    private static int HeaderRows(List<IReadOnlyList<FoundCell>> rows, bool ruledAfterFirst)
    {
        if (rows.Count < 2) return 0;
        var first = rows[0].Where(c => c.Words.Count > 0).ToList();
        if (first.Count == 0 || first.Any(c => PageGeometry.IsNumeric(Text(c)))) return 0;
        if (ruledAfterFirst) return 1;
        var body = rows.Skip(1).SelectMany(r => r).Where(c => c.Words.Count > 0).ToList();
        return body.Any(c => PageGeometry.IsNumeric(Text(c))) ? 1 : 0;
    }

    public static string Text(FoundCell cell) => string.Join(' ', cell.Words.OrderBy(w => w.Start).Select(w => w.Text));
}
