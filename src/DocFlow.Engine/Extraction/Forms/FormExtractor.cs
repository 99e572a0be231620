using DocFlow.Documents;
using DocFlow.Engine.Extraction.Tables;

namespace DocFlow.Engine.Extraction.Forms;

/// <summary>The rules of <see cref="FormExtractor"/>.</summary>
[Flags]
public enum FormRules
{
    None = 0,
    Checkboxes = 1,
    /// <summary>"Label: value" on a row.</summary>
    Colon = 2,
    /// <summary>A label with its value in a drawn box.</summary>
    Boxed = 4,
    /// <summary>A label above its value.</summary>
    Above = 8,
    All = Checkboxes | Colon | Boxed | Above,
}

/// <summary>A key-value pair found on a page. A checkbox has <see cref="Checked"/> set; its value is the box.</summary>
internal sealed record FoundField(IReadOnlyList<WordView> Name, IReadOnlyList<WordView> Value, Box? ValueBox, bool? Checked, float Confidence)
{
    /// <summary>The rule that found the field (none: the learned extractor).</summary>
    public FormRules Rule { get; init; }
}

/// <summary>
/// Finds form fields on one page by geometry: checkboxes (glyphs, bracket marks, drawn squares, what OCR
/// makes of boxes) with the label beside them; "Label: value" on a row (several per row, split at wide
/// gaps); a label whose value is in a drawn box to its right or below it; a label above its value
/// (smaller text above larger, or the same indentation as such pairs elsewhere on the page).
/// </summary>
internal static class FormExtractor
{
    private const int MaxLabelWords = 6;
    private const int MaxLabelChars = 50;

    private static readonly string FilledGlyphs = "☑☒■✓✔✗✘▣◼☓";
    private static readonly string EmptyGlyphs = "☐□◻▢◯○";
    /// <summary>What Tesseract makes of an empty square box at the start of a line.</summary>
    private static readonly HashSet<string> OcrEmptyBoxes = ["[]", "[ ]", "L]", "LJ", "[J", "|]", "[_]", "O", "o", "0", "D", "()", "Oo", "U", "П", "[1", "[|"];
    private static readonly HashSet<string> MarkedBoxes = ["[x]", "[X]", "(x)", "(X)", "[v]", "[V]", "[✓]", "[✔]", "X", "x", "[X", "X]", "Ed", "El", "&", "R", "K", "M"];

    /// <summary>The fields of a page, among the words outside <paramref name="tableBoxes"/> and not <paramref name="taken"/> (text offsets of words already in fields).</summary>
    public static List<FoundField> Find(PageView page, IReadOnlyList<Box> tableBoxes, IReadOnlySet<int>? taken = null, FormRules rules = FormRules.All)
    {
        var fields = new List<FoundField>();
        var words = page.Lines.SelectMany(l => l.Words).ToList();
        if (words.Count == 0) return fields;
        var median = PageGeometry.Median(words.Select(w => w.Box.Height));
        bool InTable(WordView w) => tableBoxes.Any(b => Inside(w.Box, b, 1f)) || (taken is not null && taken.Contains(w.Start));
        var rows = PageGeometry.Rows(page, w => !InTable(w));
        var used = new HashSet<int>();
        var rects = Rectangles(page.Rulings, tableBoxes, 4 * median);
        var squares = rects.Where(r => IsCheckboxSize(r, median)).ToList();
        var boxes = rects.Where(r => !IsCheckboxSize(r, median) && r.Height <= 4 * median && r.Width > 2 * median).ToList();

        if (rules.HasFlag(FormRules.Checkboxes)) Checkboxes(page, rows, squares, median, used, fields);
        if (rules.HasFlag(FormRules.Colon)) ColonFields(page, rows, boxes, median, used, fields);
        if (rules.HasFlag(FormRules.Boxed)) BoxedValues(page, rows, boxes, median, used, fields);
        if (rules.HasFlag(FormRules.Above)) LabelsAbove(page, rows, median, used, fields);
        return fields;
    }

    // ---------------------------------------------------------------- checkboxes

    private static bool? BoxState(string text)
    {
        if (text.Length == 1 && FilledGlyphs.Contains(text[0])) return true;
        if (text.Length == 1 && EmptyGlyphs.Contains(text[0])) return false;
        if (text is "[]" or "[ ]" or "()" or "( )") return false;
        if (text.Length == 3 && text[0] is '[' or '(' && text[2] is ']' or ')')
            return text[1] is 'x' or 'X' or 'v' or 'V' or '✓' or '✔' or '*' ? true : text[1] == ' ' ? false : null;
        return null;
    }

    private static void Checkboxes(PageView page, List<VisualRow> rows, List<Box> squares, float median, HashSet<int> used, List<FoundField> fields)
    {
        var found = new List<(Box BoxBox, Box LabelBox)>();
        foreach (var row in rows)
        {
            var ws = row.Words;
            var marks = new List<(int Index, int Count, bool Checked, Box Box, float Confidence)>();
            for (var i = 0; i < ws.Count; i++)
            {
                var t = ws[i].Text;
                var state = BoxState(t);
                var count = 1;
                if (state is null && t == "[" && i + 1 < ws.Count && ws[i + 1].Text == "]") { state = false; count = 2; }
                if (state is null && t is "[" or "(" && i + 2 < ws.Count && ws[i + 2].Text is "]" or ")" && ws[i + 1].Text is "x" or "X") { state = true; count = 3; }
                var confidence = 0.9f;
                if (state is null && page.Source == PageSource.Ocr && IsOcrBox(ws, i, row, median))
                {
                    state = !OcrEmptyBoxes.Contains(t);
                    confidence = 0.6f;
                }
                if (state is { } s) { marks.Add((i, count, s, Box.Union(ws.Skip(i).Take(count).Select(w => w.Box)), confidence)); i += count - 1; }
            }
            // Drawn squares on this row, with or without a mark inside.
            foreach (var sq in squares)
            {
                if (PageGeometry.OverlapY(sq, row.Box) < 0.5f * sq.Height) continue;
                var inside = ws.FindIndex(w => Inside(w.Box, sq, 1f));
                if (inside >= 0 && marks.Any(m => m.Index == inside)) continue;
                var index = inside >= 0 ? inside : ws.FindIndex(w => w.Box.Left >= sq.Right - 1);
                if (index < 0) index = ws.Count;
                marks.Add((index, inside >= 0 ? 1 : 0, inside >= 0, sq, 0.9f));
            }
            marks.Sort((a, b) => a.Box.Left.CompareTo(b.Box.Left));
            for (var m = 0; m < marks.Count; m++)
            {
                var (index, count, isChecked, box, confidence) = marks[m];
                var labelEnd = m + 1 < marks.Count ? marks[m + 1].Index : ws.Count;
                var label = TakeChunk(ws, index + count, labelEnd, row, right: true);
                if (label.Count == 0 && m == 0) label = TakeChunk(ws, 0, index, row, right: false);
                if (label.Count == 0 || label.Any(w => used.Contains(w.Start))) continue;
                var value = ws.Skip(index).Take(count).ToList();
                foreach (var w in label.Concat(value)) used.Add(w.Start);
                fields.Add(new FoundField(label, value, box, isChecked, confidence));
                found.Add((box, Box.Union(label.Select(w => w.Box))));
            }
        }

        // A box with a mark through it is often not read at all by OCR, while the empty ones beside it are:
        // a row whose text starts where the other checkbox labels start, with nothing in the box's place, is
        // such a checkbox.
        if (page.Source != PageSource.Ocr || found.Count == 0) return;
        var labelLeft = PageGeometry.Median(found.Select(f => f.LabelBox.Left));
        var boxLeft = PageGeometry.Median(found.Select(f => f.BoxBox.Left));
        var boxWidth = PageGeometry.Median(found.Select(f => f.BoxBox.Width));
        var checkboxRows = rows.Where(r => found.Any(f => PageGeometry.OverlapY(f.LabelBox, r.Box) > 0)).ToHashSet();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var first = row.Words[0];
            if (used.Contains(first.Start) || Math.Abs(first.Box.Left - labelLeft) > 0.5f * median) continue;
            // Right under a checkbox, it may be that checkbox's label wrapped onto a second line.
            if (r > 0 && checkboxRows.Contains(rows[r - 1]) && row.Box.Top - rows[r - 1].Box.Bottom < row.Height) continue;
            if (!char.IsLetter(first.Text[0])) continue;
            var label = TakeChunk(row.Words, 0, row.Words.Count, row, right: true);
            if (label.Any(w => used.Contains(w.Start))) continue;
            var box = new Box(boxLeft, row.Box.Top, boxLeft + boxWidth, row.Box.Bottom);
            foreach (var w in label) used.Add(w.Start);
            fields.Add(new FoundField(label, [], box, true, 0.4f));
        }
    }

    /// <summary>A short token at the start of a chunk, about as wide as it is tall, followed closely by a label.</summary>
    private static bool IsOcrBox(List<WordView> ws, int i, VisualRow row, float median)
    {
        var w = ws[i];
        if (!OcrEmptyBoxes.Contains(w.Text) && !MarkedBoxes.Contains(w.Text)) return false;
        if (i > 0 && w.Box.Left - ws[i - 1].Box.Right < PageGeometry.ChunkGap * row.Height) return false;
        if (i + 1 >= ws.Count || !char.IsLetter(ws[i + 1].Text[0])) return false;
        if (ws[i + 1].Box.Left - w.Box.Right > 2 * median) return false;
        var aspect = w.Box.Width / Math.Max(1f, w.Box.Height);
        return aspect is > 0.6f and < 1.6f && w.Box.Height >= 0.7f * median;
    }

    /// <summary>The words from <paramref name="from"/> up to a wide gap (going right) or back from <paramref name="to"/> (going left).</summary>
    private static List<WordView> TakeChunk(List<WordView> ws, int from, int to, VisualRow row, bool right)
    {
        var gap = PageGeometry.ChunkGap * Math.Max(1f, row.Height);
        var result = new List<WordView>();
        if (right)
        {
            for (var i = from; i < to; i++)
            {
                if (result.Count > 0 && ws[i].Box.Left - result[^1].Box.Right > gap) break;
                result.Add(ws[i]);
            }
        }
        else
        {
            for (var i = to - 1; i >= from; i--)
            {
                if (result.Count > 0 && result[0].Box.Left - ws[i].Box.Right > gap) break;
                result.Insert(0, ws[i]);
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- "Label: value"

    /// <summary>The index of the word that ends a label ("Name:", "no.:", or a lone ":") within the first words of a chunk.</summary>
    private static int LabelEnd(IReadOnlyList<WordView> chunk)
    {
        for (var i = 0; i < Math.Min(chunk.Count, MaxLabelWords); i++)
        {
            var t = chunk[i].Text;
            if (!t.EndsWith(':') || t.EndsWith("::", StringComparison.Ordinal)) continue;
            if (t == ":" && i == 0) return -1;
            var label = string.Join(' ', chunk.Take(i + 1).Select(w => w.Text));
            var firstLetter = label.FirstOrDefault(char.IsLetterOrDigit);
            if (label.Length > MaxLabelChars || firstLetter == default || !char.IsLetter(firstLetter)) return -1;
            return i;
        }
        return -1;
    }

    private static void ColonFields(PageView page, List<VisualRow> rows, List<Box> boxes, float median, HashSet<int> used, List<FoundField> fields)
    {
        for (var r = 0; r < rows.Count; r++)
        {
            var chunks = PageGeometry.Chunks(rows[r]).Where(c => c.Words.All(w => !used.Contains(w.Start))).ToList();
            for (var k = 0; k < chunks.Count; k++)
            {
                var end = LabelEnd(chunks[k].Words);
                if (end < 0) continue;
                var name = chunks[k].Words.Take(end + 1).ToList();
                var value = chunks[k].Words.Skip(end + 1).ToList();
                // The value runs on over the next chunks until the next label.
                while (k + 1 < chunks.Count && LabelEnd(chunks[k + 1].Words) < 0)
                    value.AddRange(chunks[++k].Words);
                // "Date: 1/2/2026 Ref: A-7" written with single spaces: the next label starts inside the value.
                while (NextLabelStart(value) is { } split)
                {
                    var head = TrimRules(value[..split.Start]);
                    foreach (var w in name.Concat(head)) used.Add(w.Start);
                    fields.Add(new FoundField(name, head, null, null, 0.8f));
                    name = value[split.Start..(split.Colon + 1)];
                    value = value[(split.Colon + 1)..];
                }
                Box? valueBox = null;
                var confidence = 0.9f;
                if (value.Count == 0)
                {
                    var nameBox = Box.Union(name.Select(w => w.Box));
                    if (BoxBeside(nameBox, boxes, median) is { } box)
                    {
                        valueBox = box;
                        value = [.. rows.SelectMany(x => x.Words).Where(w => !used.Contains(w.Start) && Inside(w.Box, box, 2f))];
                    }
                    else if (ValueBelow(rows, r, nameBox, median, used) is { } below)
                    {
                        value = [.. below.Words];
                        confidence = 0.8f;
                    }
                    else
                    {
                        confidence = 0.7f;
                    }
                }
                value = TrimRules(value);
                foreach (var w in name.Concat(value)) used.Add(w.Start);
                fields.Add(new FoundField(name, value, valueBox, null, confidence));
            }
        }
    }

    /// <summary>
    /// Where a second label starts inside a value: a later word ending in ':' after at least one value word,
    /// its label running back to the nearest capitalised word (at most three words).
    /// </summary>
    private static (int Start, int Colon)? NextLabelStart(List<WordView> value)
    {
        for (var c = 1; c < value.Count; c++)
        {
            var t = value[c].Text;
            if (!t.EndsWith(':') || t.Length < 2 || !char.IsLetter(t[0])) continue;
            for (var s = c; s >= Math.Max(1, c - 2); s--)
                if (char.IsUpper(value[s].Text[0])) return (s, c);
        }
        return null;
    }

    /// <summary>The row just below a label, starting under it (left-aligned, or within its width), when it is not a label itself.</summary>
    private static VisualRow? ValueBelow(List<VisualRow> rows, int r, Box label, float median, HashSet<int> used)
    {
        if (r + 1 >= rows.Count) return null;
        var next = rows[r + 1];
        var height = Math.Max(rows[r].Height, next.Height);
        if (next.Box.Top - label.Bottom > 1.5f * height) return null;
        var words = next.Words;
        if (words.Any(w => used.Contains(w.Start))) return null;
        if (words[0].Box.Left < label.Left - median || words[0].Box.Left > label.Right) return null;
        if (PageGeometry.Chunks(next).Any(c => LabelEnd(c.Words) >= 0)) return null;
        return next;
    }

    /// <summary>Drawn lines OCR reads as dashes or underscores at the end of a value.</summary>
    private static List<WordView> TrimRules(List<WordView> value)
    {
        while (value.Count > 0 && value[^1].Text.All(c => c is '_' or '—' or '–' or '-' or '|' or '=' or '~'))
            value = value[..^1];
        return value;
    }

    // ---------------------------------------------------------------- boxed values

    private static Box? BoxBeside(Box label, List<Box> boxes, float median) =>
        boxes.Where(b => PageGeometry.OverlapY(b, label) > 0.5f * label.Height && b.Left >= label.Right - 1 && b.Left - label.Right < 6 * median)
             .OrderBy(b => b.Left).Cast<Box?>().FirstOrDefault();

    private static void BoxedValues(PageView page, List<VisualRow> rows, List<Box> boxes, float median, HashSet<int> used, List<FoundField> fields)
    {
        var all = rows.SelectMany(r => r.Words).ToList();
        foreach (var box in boxes)
        {
            var value = all.Where(w => !used.Contains(w.Start) && Inside(w.Box, box, 2f)).OrderBy(w => w.Start).ToList();
            if (value.Any(w => used.Contains(w.Start))) continue;
            // The label: the text just left of the box on its row, else the text just above it.
            var left = rows.FirstOrDefault(r => PageGeometry.OverlapY(r.Box, box) > 0.3f * box.Height && r.Words.Any(w => w.Box.Right <= box.Left + 1));
            List<WordView> label = [];
            if (left is not null)
            {
                var before = left.Words.Where(w => w.Box.Right <= box.Left + 1).ToList();
                label = TakeChunk(before, 0, before.Count, left, right: false);
                if (label.Count > 0 && box.Left - label[^1].Box.Right > 6 * median) label = [];
            }
            if (label.Count == 0)
            {
                var above = rows.LastOrDefault(r => r.Box.Bottom <= box.Top + 1 && box.Top - r.Box.Bottom < 1.5f * Math.Max(median, r.Height));
                if (above is not null)
                    label = [.. above.Words.Where(w => w.Box.Left >= box.Left - median && w.Box.Right <= box.Right + median)];
            }
            if (label.Count == 0 || label.Count > MaxLabelWords || label.Any(w => used.Contains(w.Start))) continue;
            foreach (var w in label.Concat(value)) used.Add(w.Start);
            fields.Add(new FoundField(label, value, box, null, 0.85f));
        }
    }

    // ---------------------------------------------------------------- label above value

    /// <summary>
    /// The size of a row's type. OCR word boxes hug the ink, so their heights are scaled by which parts of
    /// the em box the letters fill (ascenders, descenders) to make "Brother" and "Relationship" in one font
    /// measure alike; text-layer boxes are already the font's height. The lower median resists a bloated box.
    /// </summary>
    private static float TypeSize(VisualRow row, bool ocr)
    {
        var words = row.Words.Where(w => w.Text.Any(char.IsLetterOrDigit)).ToList();
        if (words.Count == 0) words = row.Words;
        var sizes = words.Select(w =>
        {
            if (!ocr) return w.Box.Height;
            var up = w.Text.Any(c => char.IsUpper(c) || char.IsDigit(c) || "bdfhiklt/()[]{}|@$%&#?!".Contains(c));
            var down = w.Text.Any(c => "gjpqy,;()[]{}|@".Contains(c));
            var fraction = up && down ? 0.95f : up || down ? 0.74f : 0.52f;
            return w.Box.Height / fraction;
        }).Order().ToArray();
        return sizes[(sizes.Length - 1) / 2];
    }

    private static void LabelsAbove(PageView page, List<VisualRow> rows, float median, HashSet<int> used, List<FoundField> fields)
    {
        var ocr = page.Source == PageSource.Ocr;
        var pairs = new List<(VisualRow Label, VisualRow Value, bool Strong, bool StartsGroup)>();
        // Titles and headings are much larger than the page's body text; values are body text.
        var bodySize = PageGeometry.Median(rows.Select(r => TypeSize(r, ocr)));
        for (var r = 0; r + 1 < rows.Count; r++)
        {
            // A label starts a group: the row above it is further away than its value, or is already a field.
            var gapBelow = rows[r + 1].Box.Top - rows[r].Box.Bottom;
            var startsGroup = r == 0 || rows[r - 1].Words.Any(w => used.Contains(w.Start))
                || rows[r].Box.Top - rows[r - 1].Box.Bottom > 1.2f * gapBelow + 1;
            var labels = PageGeometry.Chunks(rows[r]);
            var values = PageGeometry.Chunks(rows[r + 1]);
            // Several labels on a row ("Surname   Given names   Date of birth") each take the value under them.
            for (var k = 0; k < labels.Count; k++)
            {
                var labelChunk = labels[k];
                var nextLeft = k + 1 < labels.Count ? labels[k + 1].Box.Left : float.MaxValue;
                var valueChunk = values.FirstOrDefault(v => v.Box.Left >= labelChunk.Box.Left - median && v.Box.Left <= labelChunk.Box.Right
                                                            && v.Box.Right <= nextLeft + median);
                if (valueChunk is null) continue;
                var label = new VisualRow([.. labelChunk.Words]);
                var value = new VisualRow([.. valueChunk.Words]);
                if (label.Words.Any(w => used.Contains(w.Start)) || value.Words.Any(w => used.Contains(w.Start))) continue;
                if (TypeSize(value, ocr) > 1.5f * bodySize) continue;
                var text = labelChunk.Text;
                if (label.Words.Count > MaxLabelWords - 1 || text.Length > MaxLabelChars || !char.IsLetter(text[0])) continue;
                if (text[^1] is '.' or ',' or ';') continue;
                var height = Math.Max(label.Height, value.Height);
                if (value.Box.Top - label.Box.Bottom > 1.5f * height) continue;
                if (LabelEnd(valueChunk.Words) >= 0) continue;
                var ratio = TypeSize(label, ocr) / Math.Max(1f, TypeSize(value, ocr));
                // A heading above text, or a small line above a title, is not a label and its value.
                if (ratio > 1.1f || ratio < 0.55f) continue;
                // Text-layer boxes come as whole points, so a one-point difference at 8 pt is not a size change.
                // On a scan, a line under the value is no evidence: forms rule lines under labels and values alike.
                pairs.Add((label, value, ratio < (ocr ? 0.9f : 0.85f) || (!ocr && Underlined(page.Rulings, value.Box)), startsGroup));
            }
        }

        // Pairs laid out like the clear ones (same indent of value under label, same label size) are pairs too.
        var strong = pairs.Where(p => p.Strong).ToList();
        float indent = 0, size = 0;
        if (strong.Count >= 2)
        {
            indent = PageGeometry.Median(strong.Select(p => p.Value.Words[0].Box.Left - p.Label.Box.Left));
            size = PageGeometry.Median(strong.Select(p => TypeSize(p.Label, ocr)));
        }
        foreach (var (label, value, isStrong, startsGroup) in pairs)
        {
            if (label.Words.Concat(value.Words).Any(w => used.Contains(w.Start))) continue;
            var accept = isStrong || (strong.Count >= 2 && startsGroup
                && Math.Abs(value.Words[0].Box.Left - label.Box.Left - indent) <= 0.5f * median
                && Math.Abs(TypeSize(label, ocr) - size) <= 0.25f * size);
            if (!accept) continue;
            var valueWords = TrimRules([.. value.Words]);
            foreach (var w in label.Words.Concat(valueWords)) used.Add(w.Start);
            fields.Add(new FoundField(label.Words, valueWords, null, null, isStrong ? 0.75f : 0.6f) { Rule = FormRules.Above });
        }
    }

    /// <summary>A drawn line just under the text (a fill-in line or the bottom of a box) across most of its width.</summary>
    private static bool Underlined(IReadOnlyList<Ruling> rulings, Box text) =>
        rulings.Any(r => r.IsHorizontal && r.Y1 >= text.Bottom - 1 && r.Y1 <= text.Bottom + text.Height
                         && Math.Min(Math.Max(r.X1, r.X2), text.Right) - Math.Max(Math.Min(r.X1, r.X2), text.Left) >= 0.8f * text.Width);

    // ---------------------------------------------------------------- rectangles from rulings

    private static bool Inside(Box inner, Box outer, float tolerance)
    {
        var cx = (inner.Left + inner.Right) / 2;
        var cy = inner.CenterY;
        return cx >= outer.Left - tolerance && cx <= outer.Right + tolerance && cy >= outer.Top - tolerance && cy <= outer.Bottom + tolerance;
    }

    private static bool IsCheckboxSize(Box b, float median) =>
        b.Width <= 2.0f * median && b.Height <= 2.0f * median && b.Width >= 0.4f * median && b.Height >= 0.4f * median
        && b.Width / Math.Max(0.1f, b.Height) is > 0.7f and < 1.4f;

    /// <summary>Closed rectangles: two horizontal rulings of the same extent joined at both ends by vertical ones.</summary>
    private static List<Box> Rectangles(IReadOnlyList<Ruling> rulings, IReadOnlyList<Box> tableBoxes, float maxHeight)
    {
        var result = new List<Box>();
        if (rulings.Count < 4) return result;
        const float tol = 2f;
        var h = rulings.Where(r => r.IsHorizontal).Select(r => (L: Math.Min(r.X1, r.X2), R: Math.Max(r.X1, r.X2), Y: r.Y1)).OrderBy(r => r.Y).ToList();
        var v = rulings.Where(r => !r.IsHorizontal).Select(r => (X: r.X1, T: Math.Min(r.Y1, r.Y2), B: Math.Max(r.Y1, r.Y2))).ToList();
        for (var i = 0; i < h.Count; i++)
            for (var j = i + 1; j < h.Count; j++)
            {
                var (top, bottom) = (h[i], h[j]);
                if (bottom.Y - top.Y > maxHeight) break; // sorted by y: only form-field-sized boxes matter
                if (bottom.Y - top.Y < 2 * tol) continue;
                if (Math.Abs(top.L - bottom.L) > tol || Math.Abs(top.R - bottom.R) > tol) continue;
                bool Side(float x) => v.Any(s => Math.Abs(s.X - x) <= tol && s.T <= top.Y + tol && s.B >= bottom.Y - tol);
                if (!Side(top.L) || !Side(top.R)) continue;
                var box = new Box(top.L, top.Y, top.R, bottom.Y);
                if (tableBoxes.Any(t => Inside(box, t, 1f))) continue;
                result.Add(box);
                break; // the nearest bottom closes this top
            }
        return result;
    }
}
