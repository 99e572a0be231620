using DocFlow.Documents;

namespace DocFlow.Samples.Evaluation;

/// <summary>
/// Table accuracy against ground truth: every truth cell (header and body) is compared with the cell at
/// the same row and column of the best-matching table on its page (whitespace-normalised exact match).
/// </summary>
public static class TableScore
{
    public static (int Correct, int Total, IReadOnlyList<string> Misses) Score(GroundTruth truth, Document document)
    {
        var misses = new List<string>();
        int correct = 0, total = 0;
        var text = document.Text ?? string.Empty;
        foreach (var expected in truth.Tables)
        {
            var grid = new List<IReadOnlyList<string>> { expected.Header };
            grid.AddRange(expected.Rows);
            total += grid.Sum(r => r.Count);
            var page = document.Pages?.FirstOrDefault(p => p.PageNumber == expected.PageNumber);
            var candidates = (page?.Tables ?? []).Select(t => Cells(t, text)).ToList();
            var best = candidates.OrderByDescending(c => Matches(grid, c)).FirstOrDefault();
            for (var r = 0; r < grid.Count; r++)
                for (var c = 0; c < grid[r].Count; c++)
                {
                    var want = Normalise(grid[r][c]);
                    var got = best is not null && r < best.Count && c < best[r].Count ? best[r][c] : null;
                    if (got == want) correct++;
                    else misses.Add($"{truth.File} p{expected.PageNumber} table r{r} c{c}: expected \"{want}\", got {(got is null ? "nothing" : $"\"{got}\"")}");
                }
        }
        return (correct, total, misses);
    }

    private static int Matches(List<IReadOnlyList<string>> grid, List<List<string>> cells)
    {
        var n = 0;
        for (var r = 0; r < Math.Min(grid.Count, cells.Count); r++)
            for (var c = 0; c < Math.Min(grid[r].Count, cells[r].Count); c++)
                if (Normalise(grid[r][c]) == cells[r][c]) n++;
        return n;
    }

    /// <summary>Header rows then body rows; a cell spanning columns is repeated so later cells keep their column.</summary>
    private static List<List<string>> Cells(Table table, string text) =>
        [.. (table.HeaderRows ?? []).Concat(table.BodyRows ?? []).Select(row =>
            (row.Cells ?? []).SelectMany(cell => Enumerable.Repeat(Normalise(Text(cell.Layout, text)), Math.Max(1, cell.ColSpan))).ToList())];

    internal static string Text(Layout? layout, string text) =>
        string.Join(' ', (layout?.TextAnchor?.TextSegments ?? [])
            .Select(s => text[(int)Math.Clamp(s.StartIndex, 0, text.Length)..(int)Math.Clamp(s.EndIndex, 0, text.Length)]));

    internal static string Normalise(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
