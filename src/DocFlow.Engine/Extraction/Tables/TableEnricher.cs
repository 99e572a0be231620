using DocFlow.Documents;

namespace DocFlow.Engine.Extraction.Tables;

/// <summary>Adds <see cref="Page.Tables"/>: ruled and whitespace-aligned tables, with header rows and cell spans.</summary>
public sealed class TableEnricher : IDocumentEnricher
{
    public void Enrich(Document document, IReadOnlyList<PageLayout> pages, CancellationToken cancellationToken)
    {
        if (document.Pages is null) return;
        var views = DocumentView.Pages(document, pages);
        // Running text in a proportional font, page by page: what makes a fixed-pitch block a verbatim display.
        var pitch = views.Select(TableExtractor.FixedPitch).ToList();
        var prose = views.Select((view, i) => TableExtractor.ProseLines(view, pitch[i])).ToList();
        var total = prose.Sum();
        for (var i = 0; i < views.Count; i++)
        {
            var view = views[i];
            cancellationToken.ThrowIfCancellationRequested();
            var found = TableExtractor.Find(view, pitch[i], total - prose[i]);
            if (found.Count == 0) continue;
            var page = document.Pages[view.PageIndex];
            page.Tables ??= [];
            foreach (var table in found.OrderBy(t => t.Box.Top))
                page.Tables.Add(ToTable(view, table));
        }
    }

    private static Table ToTable(PageView page, FoundTable table)
    {
        var rows = table.Rows.Select(r => new TableRow
        {
            Cells = [.. r.Select(c => new TableCell
            {
                Layout = c.Words.Count > 0 ? PageGeometry.LayoutOf(page, c.Words) : PageGeometry.EmptyLayout(page, c.Box, 1f),
                RowSpan = c.RowSpan,
                ColSpan = c.ColSpan,
            })],
        }).ToList();
        var words = table.Rows.SelectMany(r => r.SelectMany(c => c.Words)).OrderBy(w => w.Start).ToList();
        var confidence = words.Count > 0 ? words.Average(w => w.Confidence) : 0f;
        var layout = words.Count > 0
            ? DocumentView.LayoutOf(page, words[0].Start, words[^1].End, table.Box, confidence)
            : PageGeometry.EmptyLayout(page, table.Box, confidence);
        return new Table
        {
            Layout = layout,
            HeaderRows = [.. rows.Take(table.HeaderRowCount)],
            BodyRows = [.. rows.Skip(table.HeaderRowCount)],
        };
    }
}
