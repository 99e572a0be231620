using System.Text;
using DocFlow.Documents;
using DocFlow.Queueing;

namespace DocFlow.Engines.Cloud;

/// <summary>Merges the Documents of a PDF's page ranges (one online request each) into one Document; its shifts also serve
/// <see cref="DocumentSplitter"/>, which undoes a packed request.</summary>
/// <remarks>Texts are concatenated in page order and every text anchor is shifted by the text before it; entity page
/// references (0-based indices into <c>pages</c>) are shifted by the pages before them. Page numbers stay those of
/// the original (Google keeps them under a page selector); a part numbered from 1 is mapped back onto its range.</remarks>
internal static class DocumentMerger
{
    public static Document Merge(IReadOnlyList<(PageRange Range, Document Document)> parts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(parts.Count);
        var text = new StringBuilder();
        var pages = new List<Page>();
        List<Entity>? entities = null;
        foreach (var (range, document) in parts.OrderBy(p => p.Range.First))
        {
            long shift = text.Length;
            var pageShift = pages.Count;
            text.Append(document.Text);
            var own = document.Pages ?? [];
            var renumber = range.First > 1 && own.Any(p => !range.Contains(p.PageNumber));
            foreach (var page in own.OrderBy(p => p.PageNumber))
            {
                if (renumber) page.PageNumber += range.First - 1;
                if (shift > 0) ShiftPage(page, shift);
                pages.Add(page);
            }
            foreach (var entity in document.Entities ?? [])
            {
                ShiftEntity(entity, shift, pageShift);
                (entities ??= []).Add(entity);
            }
        }
        return new Document
        {
            Text = text.ToString(),
            MimeType = parts[0].Document.MimeType,
            Pages = pages,
            Entities = entities,
        };
    }

    internal static void ShiftPage(Page page, long shift)
    {
        Shift(page.Layout, shift);
        foreach (var b in page.Blocks ?? []) Shift(b.Layout, shift);
        foreach (var p in page.Paragraphs ?? []) Shift(p.Layout, shift);
        foreach (var l in page.Lines ?? []) Shift(l.Layout, shift);
        foreach (var t in page.Tokens ?? []) Shift(t.Layout, shift);
        foreach (var table in page.Tables ?? [])
        {
            Shift(table.Layout, shift);
            foreach (var row in (table.HeaderRows ?? []).Concat(table.BodyRows ?? []))
            foreach (var cell in row.Cells ?? [])
                Shift(cell.Layout, shift);
        }
        foreach (var field in page.FormFields ?? [])
        {
            Shift(field.FieldName, shift);
            Shift(field.FieldValue, shift);
        }
    }

    internal static void ShiftEntity(Entity entity, long shift, int pageShift)
    {
        Shift(entity.TextAnchor, shift);
        foreach (var r in entity.PageAnchor?.PageRefs ?? []) r.Page += pageShift;
        foreach (var property in entity.Properties ?? []) ShiftEntity(property, shift, pageShift);
    }

    private static void Shift(Layout? layout, long shift) => Shift(layout?.TextAnchor, shift);

    private static void Shift(TextAnchor? anchor, long shift)
    {
        foreach (var s in anchor?.TextSegments ?? [])
        {
            s.StartIndex += shift;
            s.EndIndex += shift;
        }
    }
}
