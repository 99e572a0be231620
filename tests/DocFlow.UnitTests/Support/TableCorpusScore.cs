using DocFlow.Documents;
using DocFlow.Engine.Extraction.Tables;
using DocFlow.Engine.Pdf;

namespace DocFlow.UnitTests.Support;

/// <summary>How one corpus document came out.</summary>
public sealed record TableCaseResult(TableCase Case, int Found, int CellsCorrect, int CellsTotal, int ShapesCorrect, IReadOnlyList<string> Misses)
{
    public bool CountCorrect => Found == Case.Tables.Length;
}

/// <summary>
/// Scores the table extractor on <see cref="TableCorpus"/>: the PDF goes through the real text layer
/// (PdfPig, <see cref="PdfSource"/>) and <see cref="TableEnricher"/>. A cell's text is its anchor's
/// segments concatenated as a Document AI client reads them (no separator added), whitespace-normalised.
/// Each expected table is compared with the found table on the page that matches most of its cells.
/// </summary>
public static class TableCorpusScore
{
    public static Document Extract(byte[] pdf)
    {
        using var source = PdfSource.Open(pdf);
        var layouts = Enumerable.Range(1, source.PageCount)
            .Select(n => source.ReadPage(n).TextLayer ?? throw new InvalidOperationException($"page {n} has no text layer"))
            .ToList();
        var document = DocumentAssembler.Assemble("application/pdf", layouts);
        new TableEnricher().Enrich(document, layouts, CancellationToken.None);
        return document;
    }

    public static TableCaseResult Score(TableCase c)
    {
        var document = Extract(c.Build());
        var text = document.Text ?? string.Empty;
        var found = (document.Pages ?? []).SelectMany(p => p.Tables ?? []).Select(t => Grid(t, text)).ToList();
        var misses = new List<string>();
        if (found.Count != c.Tables.Length) misses.Add($"{c.Name}: {found.Count} tables, expected {c.Tables.Length}");
        int correct = 0, total = 0, shapes = 0;
        foreach (var expected in c.Tables)
        {
            total += expected.Grid.Sum(r => r.Length);
            var best = found.OrderByDescending(f => Matches(expected, f)).FirstOrDefault();
            if (best is null) { misses.Add($"{c.Name}: table {expected.Grid[0][0]}... not found"); continue; }
            var columns = best.Count == 0 ? 0 : best.Max(r => r.Count);
            if (best.Count == expected.Rows && columns == expected.Columns) shapes++;
            else misses.Add($"{c.Name}: {best.Count}x{columns}, expected {expected.Rows}x{expected.Columns}");
            for (var r = 0; r < expected.Rows; r++)
                for (var k = 0; k < expected.Grid[r].Length; k++)
                {
                    var got = r < best.Count && k < best[r].Count ? best[r][k] : null;
                    if (got == expected.Grid[r][k]) correct++;
                    else misses.Add($"{c.Name}: r{r} c{k} expected \"{expected.Grid[r][k]}\", got {(got is null ? "nothing" : $"\"{got}\"")}");
                }
        }
        return new TableCaseResult(c, found.Count, correct, total, shapes, misses);
    }

    /// <summary>Share of documents with the right table count, share of expected cells found with equal text, share of tables with the right shape.</summary>
    public static (double Count, double Cells, double Shapes, string Report) Summary(IReadOnlyList<TableCaseResult> results)
    {
        var lines = results.Select(r =>
            $"{r.Case.Name,-22} {r.Case.Mode,-22} tables {r.Found}/{r.Case.Tables.Length}  cells {r.CellsCorrect}/{r.CellsTotal}  shapes {r.ShapesCorrect}/{r.Case.Tables.Length}").ToList();
        var count = (double)results.Count(r => r.CountCorrect) / results.Count;
        var cellsTotal = results.Sum(r => r.CellsTotal);
        var cells = cellsTotal == 0 ? 1 : (double)results.Sum(r => r.CellsCorrect) / cellsTotal;
        var tables = results.Sum(r => r.Case.Tables.Length);
        var shapes = tables == 0 ? 1 : (double)results.Sum(r => r.ShapesCorrect) / tables;
        lines.Add($"table count correct: {results.Count(r => r.CountCorrect)}/{results.Count} = {count:P1}; " +
                  $"cell text accuracy: {results.Sum(r => r.CellsCorrect)}/{cellsTotal} = {cells:P1}; " +
                  $"table shape correct: {results.Sum(r => r.ShapesCorrect)}/{tables} = {shapes:P1}");
        return (count, cells, shapes, string.Join('\n', lines));
    }

    private static int Matches(ExpectedTable expected, List<List<string>> grid)
    {
        var n = 0;
        for (var r = 0; r < Math.Min(expected.Rows, grid.Count); r++)
            for (var k = 0; k < Math.Min(expected.Grid[r].Length, grid[r].Count); k++)
                if (expected.Grid[r][k] == grid[r][k]) n++;
        return n;
    }

    /// <summary>Header rows then body rows; a cell spanning columns is repeated in each column it covers.</summary>
    private static List<List<string>> Grid(Table table, string text) =>
        [.. (table.HeaderRows ?? []).Concat(table.BodyRows ?? []).Select(row =>
            (row.Cells ?? []).SelectMany(cell => Enumerable.Repeat(CellText(cell.Layout, text), Math.Max(1, cell.ColSpan))).ToList())];

    /// <summary>The anchor's segments concatenated, as a client of the Document JSON reads them.</summary>
    public static string CellText(Layout? layout, string text)
    {
        var raw = string.Concat((layout?.TextAnchor?.TextSegments ?? [])
            .Select(s => text[(int)Math.Clamp(s.StartIndex, 0, text.Length)..(int)Math.Clamp(s.EndIndex, 0, text.Length)]));
        return string.Join(' ', raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
