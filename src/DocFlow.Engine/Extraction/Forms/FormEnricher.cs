using DocFlow.Documents;
using DocFlow.Engine.Extraction.Forms.Learning;
using DocFlow.Engine.Extraction.Tables;

namespace DocFlow.Engine.Extraction.Forms;

/// <summary>
/// Adds <see cref="Page.FormFields"/>: label/value pairs and checkboxes. On text-layer pages the rules find them
/// (checkboxes, "Label: value", boxed values, labels above values), outside tables. On scanned pages the checkbox
/// rule runs, then the learned extractor (<see cref="LearnedForms"/>, trained on OCR'd scans of real forms) adds
/// the pairs it finds among the words left, table cells included (a row of column headers with values below is a
/// set of key-value pairs too); without shipped models, scans get the rules too.
/// </summary>
public sealed class FormEnricher(FormModels? models) : IDocumentEnricher
{
    /// <summary>The rules and the models shipped in the engine.</summary>
    public FormEnricher() : this(FormModels.Embedded) { }

    /// <summary>Which rules run beside the models on scanned pages (the dev-set tooling tries others).</summary>
    public FormRuleSet Rules { get; init; } = FormRuleSet.After;

    /// <summary>
    /// With <see cref="FormRuleSet.After"/>: the rules that run on the words the models left. Not boxed values: on scans
    /// the drawn lines are every form's ruling, and on FUNSD (cv-forms) that rule added pairs and no matches.
    /// </summary>
    public FormRules RulesAfterModels { get; init; } = FormRules.Colon | FormRules.Above;

    /// <summary>
    /// After the models, labels above values make pairs only where the rule finds at least this many on the page (a
    /// form laid out that way); one or two among the learned pairs are mostly a line of text over another: on FUNSD
    /// (cv-forms) the rule made 65 pairs on 40 pages after the models, one of them right, and 43 of the 65 on pages
    /// where it made one or two.
    /// </summary>
    public int MinLabelsAbove { get; init; } = 3;

    /// <summary>
    /// Whether a scanned label's last character read as ',' or ';' (or '.' after a word of four or more letters, not
    /// an abbreviation) is taken for the colon OCR misread, and ends the name like a colon.
    /// </summary>
    public bool MisreadColons { get; init; } = true;

    /// <summary>How the learned extractor decodes its links (the dev-set tooling compares choices).</summary>
    public FormDecoding Decoding { get; init; } = FormDecoding.Default;

    public void Enrich(Document document, IReadOnlyList<PageLayout> pages, CancellationToken cancellationToken)
    {
        if (document.Pages is null) return;
        foreach (var view in DocumentView.Pages(document, pages))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = document.Pages[view.PageIndex];
            var tableBoxes = (page.Tables ?? []).Select(t => BoxOf(t.Layout)).Where(b => b.Width > 0).ToList();
            var learned = models is not null && view.Source == PageSource.Ocr;
            List<FoundField> found;
            if (!learned) found = FormExtractor.Find(view, tableBoxes);
            else if (Rules == FormRuleSet.After)
            {
                // The checkboxes first; then the models; then the other rules among the words left.
                found = [.. FormExtractor.Find(view, tableBoxes).Where(f => f.Checked is not null)];
                found.AddRange(Learned(view, models!, found));
                var taken = found.SelectMany(f => f.Name.Concat(f.Value)).SelectMany(w => Enumerable.Range(w.Start, w.End - w.Start)).ToHashSet();
                var after = FormExtractor.Find(view, tableBoxes, taken, RulesAfterModels & ~FormRules.Checkboxes).Where(f => f.Checked is null).ToList();
                if (after.Count(f => f.Rule == FormRules.Above) < MinLabelsAbove) after.RemoveAll(f => f.Rule == FormRules.Above);
                found.AddRange(after);
            }
            else
            {
                found = Rules switch
                {
                    FormRuleSet.All => FormExtractor.Find(view, tableBoxes),
                    FormRuleSet.Checkboxes => [.. FormExtractor.Find(view, tableBoxes).Where(f => f.Checked is not null)],
                    _ => [],
                };
                found.AddRange(Learned(view, models!, found));
            }
            // On a scan, a key with nothing after it and no drawn box for a value is mostly a value OCR missed.
            if (view.Source == PageSource.Ocr) found.RemoveAll(f => f.Value.Count == 0 && f.Checked is null && f.ValueBox is null);
            if (found.Count == 0) continue;
            page.FormFields ??= [];
            foreach (var field in found.OrderBy(f => f.Name[0].Start))
                page.FormFields.Add(ToField(view, field, MisreadColons && view.Source == PageSource.Ocr));
        }
    }

    /// <summary>The learned pairs whose words no rule has taken.</summary>
    private IEnumerable<FoundField> Learned(PageView view, FormModels models, List<FoundField> found)
    {
        var used = found.SelectMany(f => f.Name.Concat(f.Value)).SelectMany(w => Enumerable.Range(w.Start, w.End - w.Start)).ToHashSet();
        foreach (var pair in LearnedForms.Find(view, models, decoding: Decoding))
        {
            if (pair.Question.Words.Concat(pair.Answer.Words).Any(w => used.Contains(w.Start))) continue;
            yield return new FoundField([.. pair.Question.Words.OrderBy(w => w.Start)], [.. pair.Answer.Words.OrderBy(w => w.Start)], null, null, pair.Confidence);
        }
    }

    /// <summary>Whether a scanned label's last word ends with what OCR often makes of a colon: ',' or ';', or '.'
    /// after four or more letters (an abbreviation such as "No." or "Tel." keeps its point).</summary>
    public static bool EndsWithMisreadColon(string word) =>
        word.Length >= 2 && (word[^1] is ',' or ';' || word[^1] == '.' && word.Length >= 5 && word[..^1].All(char.IsLetter));

    private static FormField ToField(PageView page, FoundField field, bool misreadColons)
    {
        var name = PageGeometry.LayoutOf(page, field.Name, field.Confidence);
        // The colon ends the label; it is not part of the name.
        var last = name.TextAnchor!.TextSegments![^1];
        if (field.Name[^1].Text.EndsWith(':') || misreadColons && field.Checked is null && EndsWithMisreadColon(field.Name[^1].Text))
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

/// <summary>Which rules run beside the learned extractor.</summary>
public enum FormRuleSet
{
    /// <summary>Checkboxes, then the models, then the other rules on the words left.</summary>
    After,
    /// <summary>All rules, then the models on the words left.</summary>
    All,
    Checkboxes,
    None,
}
