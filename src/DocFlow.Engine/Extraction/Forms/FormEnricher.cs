using DocFlow.Documents;
using DocFlow.Engine.Extraction.Tables;

namespace DocFlow.Engine.Extraction.Forms;

/// <summary>Adds <see cref="Page.FormFields"/>: label/value pairs and checkboxes. Runs after tables, whose cells it leaves alone.</summary>
public sealed class FormEnricher : IDocumentEnricher
{
    public void Enrich(Document document, IReadOnlyList<PageLayout> pages, CancellationToken cancellationToken)
    {
        if (document.Pages is null) return;
        foreach (var view in DocumentView.Pages(document, pages))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = document.Pages[view.PageIndex];
            var tableBoxes = (page.Tables ?? []).Select(t => BoxOf(t.Layout)).Where(b => b.Width > 0).ToList();
            var found = FormExtractor.Find(view, tableBoxes);
            if (found.Count == 0) continue;
            page.FormFields ??= [];
            foreach (var field in found.OrderBy(f => f.Name[0].Start))
                page.FormFields.Add(ToField(view, field));
        }
    }

    private static FormField ToField(PageView page, FoundField field)
    {
        var name = PageGeometry.LayoutOf(page, field.Name, field.Confidence);
        // The colon ends the label; it is not part of the name.
        var last = name.TextAnchor!.TextSegments![^1];
        if (field.Name[^1].Text.EndsWith(':'))
        {
            last.EndIndex--;
            if (last.EndIndex > last.StartIndex && field.Name[^1].Text == ":") last.EndIndex--;
            if (last.EndIndex <= last.StartIndex) name.TextAnchor.TextSegments.RemoveAt(name.TextAnchor.TextSegments.Count - 1);
        }
        var value = field.Value.Count > 0
            ? PageGeometry.LayoutOf(page, field.Value, field.Confidence)
            : PageGeometry.EmptyLayout(page, field.ValueBox ?? default, field.Confidence);
        if (field.Value.Count > 0 && field.ValueBox is { } box)
            value.BoundingPoly = DocumentAssembler.MakePoly(box, page.Width, page.Height);
        return new FormField
        {
            FieldName = name,
            FieldValue = value,
            ValueType = field.Checked switch { true => "filled_checkbox", false => "unfilled_checkbox", null => null },
        };
    }

    private static Box BoxOf(Layout? layout)
    {
        var v = layout?.BoundingPoly?.Vertices;
        if (v is not { Count: > 0 }) return default;
        return new Box(v.Min(p => p.X), v.Min(p => p.Y), v.Max(p => p.X), v.Max(p => p.Y));
    }
}
