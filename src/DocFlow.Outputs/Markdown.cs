using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DocFlow.Documents;

namespace DocFlow.Outputs;

/// <summary>What a Markdown element is.</summary>
public enum MarkdownKind { PageBreak, Heading, Paragraph, ListItem, Table, FormField, PageHeader, PageFooter }

/// <summary>One element of the Markdown, in reading order, with where it is: its page (1-based) and its box in page units.</summary>
public sealed record MarkdownElement(MarkdownKind Kind, string Markdown, int PageNumber, Box Box, int HeadingLevel = 0);

/// <summary>
/// Markdown for LLM pipelines from a Document: the pages' reading order (blocks and paragraphs as the layout gives them),
/// headings by type size (a short paragraph whose lines are clearly taller than the document's body text), paragraphs,
/// list items (bullets and numbers), tables as GitHub tables, form fields as <c>**Key:** value</c>, and each page
/// introduced by <c>&lt;!-- page N --&gt;</c>.
/// </summary>
/// <remarks>Weight (bold) is not in the Document (neither Tesseract nor the text layer report it there), so headings are
/// found by size alone.</remarks>
public static partial class Markdown
{
    /// <summary>Line height (relative to the body's median) from which a short paragraph is a heading, and the levels.</summary>
    internal const float HeadingRatio = 1.2f, Level1Ratio = 1.9f, Level2Ratio = 1.5f;

    public static string Write(Document document) => Render(Elements(document));

    public static string Render(IEnumerable<MarkdownElement> elements)
    {
        var sb = new StringBuilder();
        MarkdownKind? previous = null;
        foreach (var e in elements)
        {
            // List items and form fields run on in one block; everything else is separated by a blank line.
            if (previous is not null)
                sb.Append(previous == e.Kind && e.Kind is MarkdownKind.ListItem or MarkdownKind.FormField ? "\n" : "\n\n");
            sb.Append(e.Markdown);
            previous = e.Kind;
        }
        if (sb.Length > 0) sb.Append('\n');
        return sb.ToString();
    }

    public static IReadOnlyList<MarkdownElement> Elements(Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var pages = document.Pages ?? [];
        var trees = pages.Select(p => (Page: p, Blocks: DocumentTree.Build(document, p))).ToList();
        var body = BodyLineHeight(trees.SelectMany(t => t.Blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines)
            .Select(l => (Height: RelativeHeight(l.Box, t.Page), Chars: l.Text.Length))));
        var result = new List<MarkdownElement>();
        foreach (var (page, blocks) in trees)
        {
            result.Add(new MarkdownElement(MarkdownKind.PageBreak, $"<!-- page {page.PageNumber} -->", page.PageNumber, default));
            var tables = (page.Tables ?? []).Select(t => (Box: DocumentTree.BoxOf(t.Layout, page), Table: t)).Where(t => t.Box.Width > 0).ToList();
            var fields = (page.FormFields ?? []).Select(f => Field(document, page, f)).Where(f => f is not null).Select(f => f!).ToList();
            var emittedTables = new HashSet<int>();
            var emittedFields = new HashSet<int>();
            foreach (var paragraph in blocks.SelectMany(b => b.Paragraphs))
            {
                var run = new List<TreeLine>();
                foreach (var line in paragraph.Lines)
                {
                    var table = tables.FindIndex(t => Contains(t.Box, line.Box));
                    var fieldHits = fields.Select((f, i) => (f, i)).Where(x => Overlaps(x.f, line)).Select(x => x.i).ToList();
                    if (table < 0 && fieldHits.Count == 0)
                    {
                        run.Add(line);
                        continue;
                    }
                    Flush(run, page, body, result);
                    if (table >= 0)
                    {
                        if (emittedTables.Add(table))
                            result.Add(new MarkdownElement(MarkdownKind.Table, TableMarkdown(document, tables[table].Table), page.PageNumber, tables[table].Box));
                        // Fields read inside the table (a column header as key, a cell as value) are the table's already.
                        foreach (var i in fieldHits) emittedFields.Add(i);
                        continue;
                    }
                    foreach (var i in fieldHits.Where(emittedFields.Add))
                        result.Add(new MarkdownElement(MarkdownKind.FormField, fields[i].Markdown, page.PageNumber, fields[i].Box));
                }
                Flush(run, page, body, result);
            }
            // Tables and fields no line pointed at (e.g. found from rulings alone) still belong to the page.
            for (var i = 0; i < tables.Count; i++)
                if (emittedTables.Add(i))
                    result.Add(new MarkdownElement(MarkdownKind.Table, TableMarkdown(document, tables[i].Table), page.PageNumber, tables[i].Box));
            for (var i = 0; i < fields.Count; i++)
                if (emittedFields.Add(i))
                    result.Add(new MarkdownElement(MarkdownKind.FormField, fields[i].Markdown, page.PageNumber, fields[i].Box));
        }
        return MarkRunningHeadersAndFooters(result, pages);
    }

    /// <summary>Share of the page height at the top and bottom where running headers and footers are looked for.</summary>
    internal const float MarginBand = 0.1f;

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    /// <summary>
    /// Paragraphs in the top or bottom band of the page whose text (digits aside: "Page 2 of 4") comes back on at least two
    /// pages are running headers and footers: kept in the Markdown, but chunks carry them as pageHeaders/pageFooters.
    /// </summary>
    private static List<MarkdownElement> MarkRunningHeadersAndFooters(List<MarkdownElement> elements, List<Page> pages)
    {
        if (pages.Count < 2) return elements;
        var heights = pages.ToDictionary(p => p.PageNumber, p => p.Dimension?.Height ?? 0f);
        MarkdownKind? Band(MarkdownElement e) =>
            e.Kind != MarkdownKind.Paragraph || !heights.TryGetValue(e.PageNumber, out var h) || h <= 0 ? null
            : e.Box.Bottom <= h * MarginBand ? MarkdownKind.PageHeader
            : e.Box.Top >= h * (1 - MarginBand) ? MarkdownKind.PageFooter : null;
        var repeated = elements.Where(e => Band(e) is not null)
            .GroupBy(e => (Band(e), Digits().Replace(e.Markdown, "#")))
            .Where(g => g.Select(e => e.PageNumber).Distinct().Count() >= 2)
            .SelectMany(g => g).ToHashSet();
        return [.. elements.Select(e => repeated.Contains(e) ? e with { Kind = Band(e)!.Value } : e)];
    }

    private sealed record FieldInfo(string Markdown, Box Box, (long Start, long End) Name, (long Start, long End) Value);

    private static FieldInfo? Field(Document document, Page page, FormField field)
    {
        var name = Clean(DocumentAssembler.TextOf(document, field.FieldName?.TextAnchor)).TrimEnd(':', ' ');
        var value = Clean(DocumentAssembler.TextOf(document, field.FieldValue?.TextAnchor));
        if (field.ValueType == "filled_checkbox") value = "[x]";
        else if (field.ValueType == "unfilled_checkbox") value = "[ ]";
        if (name.Length == 0) return null;
        var box = Box.Union(new[] { DocumentTree.BoxOf(field.FieldName, page), DocumentTree.BoxOf(field.FieldValue, page) }.Where(b => b.Width > 0));
        return new FieldInfo($"**{Inline(name, atBlockStart: false)}:** {Inline(value, atBlockStart: false)}".TrimEnd(), box,
            DocumentTree.RangeOf(field.FieldName), DocumentTree.RangeOf(field.FieldValue));
    }

    private static bool Overlaps(FieldInfo field, TreeLine line)
    {
        static bool Hit((long Start, long End) a, long start, long end) => a.End > a.Start && a.Start < end && start < a.End;
        return Hit(field.Name, line.Start, line.End) || Hit(field.Value, line.Start, line.End);
    }

    /// <summary>Whether most of <paramref name="inner"/> lies in <paramref name="outer"/> (its centre inside).</summary>
    private static bool Contains(Box outer, Box inner)
    {
        var cx = (inner.Left + inner.Right) / 2;
        return cx >= outer.Left && cx <= outer.Right && inner.CenterY >= outer.Top && inner.CenterY <= outer.Bottom;
    }

    private static float RelativeHeight(Box box, Page page) =>
        page.Dimension is { Height: > 0 } d ? box.Height / d.Height : 0f;

    /// <summary>The median line height weighted by characters: the size of the body text.</summary>
    private static float BodyLineHeight(IEnumerable<(float Height, int Chars)> lines)
    {
        var sorted = lines.Where(l => l.Height > 0 && l.Chars > 0).OrderBy(l => l.Height).ToList();
        var total = sorted.Sum(l => l.Chars);
        var seen = 0;
        foreach (var l in sorted)
        {
            seen += l.Chars;
            if (seen * 2 >= total) return l.Height;
        }
        return 0f;
    }

    [GeneratedRegex(@"^\s*(?:[•●▪◦‣∙·*\-–—]|o(?=\s))\s+(?<rest>.*)$")]
    private static partial Regex Bullet();

    [GeneratedRegex(@"^\s*(?<n>\d{1,3}[.)]|\(?[a-z]\)|\(?[ivx]{1,4}\))\s+(?<rest>.*)$")]
    private static partial Regex Numbered();

    /// <summary>Turns a run of lines (one paragraph, or part of one) into a heading, list items or a paragraph.</summary>
    private static void Flush(List<TreeLine> run, Page page, float body, List<MarkdownElement> result)
    {
        if (run.Count == 0) return;
        var lines = run.ToList();
        run.Clear();
        var box = Box.Union(lines.Select(l => l.Box));
        var text = string.Join(' ', lines.Select(l => l.Text)).Trim();
        if (text.Length == 0) return;

        var height = lines.Average(l => RelativeHeight(l.Box, page));
        var ratio = body > 0 ? height / body : 1f;
        if (lines.Count <= 2 && text.Length <= 120 && ratio >= HeadingRatio && text.Any(char.IsLetter) && !Bullet().IsMatch(text))
        {
            var level = ratio >= Level1Ratio ? 1 : ratio >= Level2Ratio ? 2 : 3;
            result.Add(new MarkdownElement(MarkdownKind.Heading, $"{new string('#', level)} {Inline(text, atBlockStart: false)}", page.PageNumber, box, level));
            return;
        }

        // List items: a line starting with a bullet or number opens an item; lines after it continue it.
        if (lines.Any(l => Bullet().IsMatch(l.Text) || Numbered().IsMatch(l.Text)))
        {
            var paragraph = new List<TreeLine>();
            List<TreeLine>? item = null;
            string? marker = null;
            void EndItem()
            {
                if (item is null) return;
                var body = string.Join(' ', item.Select(l => l.Text));
                var m = Bullet().Match(body);
                var n = Numbered().Match(body);
                var content = m.Success ? m.Groups["rest"].Value : n.Success ? n.Groups["rest"].Value : body;
                result.Add(new MarkdownElement(MarkdownKind.ListItem, $"{marker} {Inline(JoinHyphens(content), atBlockStart: false)}", page.PageNumber, Box.Union(item.Select(l => l.Box))));
                item = null;
            }
            foreach (var line in lines)
            {
                var bullet = Bullet().Match(line.Text);
                var number = Numbered().Match(line.Text);
                if (bullet.Success || number.Success)
                {
                    EndItem();
                    if (paragraph.Count > 0)
                    {
                        result.Add(new MarkdownElement(MarkdownKind.Paragraph, Inline(JoinHyphens(string.Join(' ', paragraph.Select(l => l.Text)))),
                            page.PageNumber, Box.Union(paragraph.Select(l => l.Box))));
                        paragraph.Clear();
                    }
                    marker = bullet.Success ? "-" : NumberMarker(number.Groups["n"].Value);
                    item = [line];
                }
                else if (item is not null) item.Add(line);
                else paragraph.Add(line);
            }
            EndItem();
            if (paragraph.Count > 0)
                result.Add(new MarkdownElement(MarkdownKind.Paragraph, Inline(JoinHyphens(string.Join(' ', paragraph.Select(l => l.Text)))),
                    page.PageNumber, Box.Union(paragraph.Select(l => l.Box))));
            return;
        }
        result.Add(new MarkdownElement(MarkdownKind.Paragraph, Inline(JoinHyphens(text)), page.PageNumber, box));
    }

    /// <summary>"3." or "3)" stay as they are (Markdown ordered lists); letters and roman numerals become bullets keeping their label.</summary>
    private static string NumberMarker(string label)
    {
        var trimmed = label.Trim('(', ')', '.');
        return int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? $"{n}." : $"- {label}";
    }

    [GeneratedRegex(@"(\p{Ll})- (\p{Ll})")]
    private static partial Regex LineHyphen();

    /// <summary>Words hyphenated across lines ("docu- ment") are joined again.</summary>
    private static string JoinHyphens(string text) => LineHyphen().Replace(text, "$1$2");

    private static string TableMarkdown(Document document, Table table)
    {
        var rows = (table.HeaderRows ?? []).Concat(table.BodyRows ?? [])
            .Select(r => (r.Cells ?? []).SelectMany(c => Enumerable.Repeat(Cell(document, c), 1)
                .Concat(Enumerable.Repeat("", Math.Max(0, c.ColSpan - 1)))).ToList())
            .Where(r => r.Count > 0).ToList();
        if (rows.Count == 0) return "";
        var columns = rows.Max(r => r.Count);
        foreach (var r in rows)
            while (r.Count < columns) r.Add("");
        var sb = new StringBuilder();
        // GitHub tables need a header row: the table's own, else its first row.
        sb.Append("| ").Append(string.Join(" | ", rows[0])).Append(" |\n");
        sb.Append('|').Append(string.Concat(Enumerable.Repeat(" --- |", columns)));
        foreach (var r in rows.Skip(1))
            sb.Append("\n| ").Append(string.Join(" | ", r)).Append(" |");
        return sb.ToString();
    }

    private static string Cell(Document document, TableCell cell) =>
        Inline(Clean(DocumentAssembler.TextOf(document, cell.Layout?.TextAnchor)), atBlockStart: false).Replace("|", "\\|", StringComparison.Ordinal);

    private static string Clean(string s) => string.Join(' ', s.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex(@"^\d+[.)]\s")]
    private static partial Regex OrderedStart();

    [GeneratedRegex(@"^(#{1,6}\s|>|[-+*]\s|\d+[.)]\s|={3,}|-{3,})")]
    private static partial Regex BlockStart();

    /// <summary>Text made safe inline: Markdown's emphasis and code characters escaped, no line breaks, nothing that would
    /// start a block of another kind.</summary>
    internal static string Inline(string text, bool atBlockStart = true)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in Clean(text))
        {
            if (c is '\\' or '*' or '_' or '`' or '<' or '[' or ']') sb.Append('\\');
            sb.Append(c);
        }
        var s = sb.ToString();
        if (!atBlockStart || !BlockStart().IsMatch(s)) return s;
        // "2. Volumes" would become a list item: escape the dot ("2\. Volumes"); other block marks get a backslash before them.
        return OrderedStart().Match(s) is { Success: true } m ? s.Insert(m.Length - 2, "\\") : "\\" + s;
    }
}
