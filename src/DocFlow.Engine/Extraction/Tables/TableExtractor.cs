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

    public static List<FoundTable> Find(PageView page)
    {
        var tables = FindRuled(page);
        var used = new HashSet<int>(tables.SelectMany(t => t.Rows.SelectMany(r => r.SelectMany(c => c.Words))).Select(w => w.Start));
        var rows = PageGeometry.Rows(page, w => !used.Contains(w.Start));
        tables.AddRange(FindAligned(page, rows));
        return tables;
    }

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

        foreach (var group in Enumerable.Range(0, all.Count).GroupBy(Find))
        {
            var gh = group.Where(i => i < h.Count).Select(i => h[i]).ToList();
            var gv = group.Where(i => i >= h.Count).Select(i => v[i - h.Count]).ToList();
            var ys = Cluster(gh.Select(r => r.Y1), tol);
            var xs = Cluster(gv.Select(r => r.X1), tol);
            if (ys.Count < 3 && xs.Count < 3) continue; // a single box (a form field), not a table
            if (ys.Count < 2 || xs.Count < 2) continue;
            if (Grid(page, gh, gv, xs, ys, tol) is { } table) result.Add(table);
        }
        return result;
    }

    private static Ruling Normalise(Ruling r) => r.IsHorizontal
        ? new Ruling(Math.Min(r.X1, r.X2), r.Y1, Math.Max(r.X1, r.X2), r.Y1)
        : new Ruling(r.X1, Math.Min(r.Y1, r.Y2), r.X1, Math.Max(r.Y1, r.Y2));

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
    }

    private static List<FoundTable> FindAligned(PageView page, List<VisualRow> rows)
    {
        var result = new List<FoundTable>();
        var candidates = rows.Select(r => new Candidate(r, PageGeometry.Chunks(r))).ToList();
        var horizontals = page.Rulings.Where(r => r.IsHorizontal).Select(Normalise).ToList();
        var i = 0;
        while (i < candidates.Count)
        {
            if (!IsTableRow(candidates[i])) { i++; continue; }
            var members = new List<Candidate> { candidates[i] };
            var columns = Columns(members);
            var ruledBetweenBody = false;
            var j = i + 1;
            for (; j < candidates.Count; j++)
            {
                var next = candidates[j];
                var last = members[^1];
                if (IsContinuation(next, last, members, columns))
                {
                    last.Continuations.Add(next.Chunks[0]);
                    continue;
                }
                if (!IsTableRow(next)) break;
                var height = Math.Max(last.Row.Height, next.Row.Height);
                if (next.Row.Box.Top - last.Bottom > MaxRowGap * height) break;
                // A rule across the table under a body row, when the body rows above are not ruled apart,
                // is the table's bottom rule: what follows (totals, notes) is not part of it.
                var ruled = RuledBetween(horizontals, last.Row, next.Row, members);
                if (ruled && members.Count >= 3 && !ruledBetweenBody) break;
                var trial = new List<Candidate>(members) { next };
                var trialColumns = Columns(trial);
                if (trialColumns.Count < 2 || trial.Any(m => !FitsOnce(m, trialColumns))) break;
                if (ruled && members.Count >= 2) ruledBetweenBody = true;
                members = trial;
                columns = trialColumns;
            }

            if (members.Count >= 3 && Accept(members, columns))
            {
                result.Add(Build(members, columns, horizontals));
                i = j;
            }
            else
            {
                foreach (var m in members) m.Continuations.Clear();
                i++;
            }
        }
        return result;
    }

    /// <summary>
    /// A single chunk under a row, inside one column, closer to it than the table's rows are to each
    /// other: the cell's text wrapped onto a second line.
    /// </summary>
    private static bool IsContinuation(Candidate next, Candidate last, List<Candidate> members, List<(float Left, float Right)> columns)
    {
        if (members.Count < 2 || next.Chunks.Count != 1) return false;
        var chunk = next.Chunks[0];
        if (columns.Count(c => Math.Min(c.Right, chunk.Box.Right) - Math.Max(c.Left, chunk.Box.Left) > 0) != 1) return false;
        var gaps = new List<float>();
        for (var k = 1; k < members.Count; k++) gaps.Add(members[k].Row.Box.Top - members[k - 1].Bottom);
        var rowGap = PageGeometry.Median(gaps);
        var gap = next.Row.Box.Top - last.Bottom;
        return gap < 0.75f * rowGap && gap < 0.6f * Math.Max(last.Row.Height, next.Row.Height);
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

    /// <summary>Three columns or more; two only when one of them holds numbers (a list of amounts) and the rows are not "Label: value" pairs.</summary>
    private static bool Accept(List<Candidate> members, List<(float Left, float Right)> columns)
    {
        // Columns must be filled mostly: text laid out in a few loose pieces is not a table.
        var filled = members.Sum(m => m.Chunks.Count);
        if (filled < 0.6 * members.Count * columns.Count) return false;
        // Every table has a column of short cells (numbers, codes, names); columns of prose lines do not.
        var shortColumn = Enumerable.Range(0, columns.Count).Any(k =>
            PageGeometry.Median(members.SelectMany(m => m.Chunks).Where(c => ColumnOf(c, columns) == k).Select(c => (float)c.Words.Count)) <= 3);
        if (!shortColumn) return false;
        if (columns.Count >= 3) return true;
        var numeric = Enumerable.Range(0, columns.Count).Any(k =>
        {
            var cells = members.SelectMany(m => m.Chunks).Where(c => ColumnOf(c, columns) == k).ToList();
            return cells.Count > 0 && cells.Count(c => PageGeometry.IsNumeric(c.Text)) >= 0.6 * cells.Count;
        });
        return numeric && members.Count(m => m.Chunks[0].Text.EndsWith(':')) < members.Count / 2;
    }

    private static FoundTable Build(List<Candidate> members, List<(float Left, float Right)> columns, List<Ruling> horizontals)
    {
        var rows = new List<IReadOnlyList<FoundCell>>();
        foreach (var m in members)
        {
            var cells = new FoundCell[columns.Count];
            foreach (var chunk in m.Chunks)
            {
                var k = ColumnOf(chunk, columns);
                cells[k] = new FoundCell(chunk.Words, chunk.Box);
            }
            foreach (var chunk in m.Continuations)
            {
                var k = columns.FindIndex(c => Math.Min(c.Right, chunk.Box.Right) - Math.Max(c.Left, chunk.Box.Left) > 0);
                cells[k] = cells[k] is { } cell
                    ? new FoundCell([.. cell.Words, .. chunk.Words], Box.Union([cell.Box, chunk.Box]))
                    : new FoundCell(chunk.Words, chunk.Box);
            }
            for (var k = 0; k < cells.Length; k++)
                cells[k] ??= new FoundCell([], new Box(columns[k].Left, m.Row.Box.Top, columns[k].Right, m.Row.Box.Bottom));
            rows.Add(cells);
        }
        var ruledAfterFirst = members.Count > 1 && RuledBetween(horizontals, members[0].Row, members[1].Row, members);
        var box = Box.Union(members.SelectMany(m => m.Continuations.Select(c => c.Box).Append(m.Row.Box)));
        return new FoundTable(rows, HeaderRows(rows, ruledAfterFirst), box);
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
