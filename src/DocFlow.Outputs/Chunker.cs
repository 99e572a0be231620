using DocFlow.Documents;

namespace DocFlow.Outputs;

/// <summary>How the Markdown is cut into chunks. Sizes are in words (whitespace-separated), the unit an LLM's tokens roughly follow.</summary>
public sealed record ChunkingOptions
{
    /// <summary>At most this many words per chunk, the headings it sits under and the overlap included.</summary>
    public int ChunkSize { get; init; } = 500;

    /// <summary>Words of the previous chunk repeated at the start of the next when a section is longer than one chunk.</summary>
    public int Overlap { get; init; } = 50;

    /// <summary>Whether each chunk starts with the headings above it (as Document AI's includeAncestorHeadings).</summary>
    public bool IncludeAncestorHeadings { get; init; } = true;

    public void Validate()
    {
        if (ChunkSize < 20) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "The chunk size must be at least 20 words.");
        if (Overlap < 0 || Overlap >= ChunkSize / 2)
            throw new ArgumentOutOfRangeException(nameof(Overlap), Overlap, "The overlap must be at least 0 and less than half the chunk size.");
    }
}

/// <summary>
/// Cuts a document's Markdown into chunks as Document AI's layout parser does (<see cref="ChunkedDocument"/>): a new chunk
/// at every heading; a section longer than <see cref="ChunkingOptions.ChunkSize"/> is split between elements (paragraphs,
/// list items, table rows, at worst words) with <see cref="ChunkingOptions.Overlap"/> words carried over. Each chunk has
/// its page span and, per page, the box around its content.
/// </summary>
public static class Chunker
{
    public static ChunkedDocument Chunk(Document document, ChunkingOptions? options = null)
    {
        options ??= new ChunkingOptions();
        options.Validate();
        var elements = Markdown.Elements(document);
        var chunks = new List<Chunk>();
        var headings = new List<MarkdownElement>();   // the current heading path, outermost first
        var current = new List<(string Text, MarkdownElement Source)>();
        var carried = "";
        var headers = new List<MarkdownElement>();
        var footers = new List<MarkdownElement>();

        string Prefix() => options.IncludeAncestorHeadings && headings.Count > 0 ? string.Join("\n\n", headings.Select(h => h.Markdown)) : "";
        int Budget() => options.ChunkSize - Words(Prefix());

        void Emit(bool keepOverlap)
        {
            if (current.Count == 0) return;
            var body = string.Join("\n\n", current.Select(c => c.Text));
            var parts = new[] { Prefix(), carried, body }.Where(p => p.Length > 0);
            var content = string.Join("\n\n", parts);
            var pages = current.Select(c => c.Source).Where(s => s.Kind != MarkdownKind.PageBreak).ToList();
            if (pages.Count == 0) pages = [.. current.Select(c => c.Source)];
            var refs = pages.GroupBy(p => p.PageNumber).OrderBy(g => g.Key).Select(g =>
            {
                var page = document.Pages?.FirstOrDefault(p => p.PageNumber == g.Key);
                var box = Box.Union(g.Select(e => e.Box).Where(b => b.Width > 0));
                return new PageRef
                {
                    Page = g.Key - 1,
                    BoundingPoly = DocumentAssembler.MakePoly(box, page?.Dimension?.Width ?? 0, page?.Dimension?.Height ?? 0),
                };
            }).ToList();
            chunks.Add(new Chunk
            {
                ChunkId = $"c{chunks.Count + 1}",
                Content = content,
                PageSpan = new ChunkPageSpan { PageStart = pages.Min(p => p.PageNumber), PageEnd = pages.Max(p => p.PageNumber) },
                PageRefs = refs,
                PageHeaders = Running(headers, pages, static (t, s) => new ChunkPageHeader { Text = t, PageSpan = s }),
                PageFooters = Running(footers, pages, static (t, s) => new ChunkPageFooter { Text = t, PageSpan = s }),
            });
            // The overlap is the end of the last paragraph or list item; table rows cut mid-row would only confuse.
            var last = current[^1];
            carried = keepOverlap && options.Overlap > 0 && last.Source.Kind is MarkdownKind.Paragraph or MarkdownKind.ListItem
                ? LastWords(last.Text, Math.Min(options.Overlap, Math.Max(0, Budget() / 2))) : "";
            current.Clear();
        }

        int Used() => Words(Prefix()) + Words(carried) + current.Sum(c => Words(c.Text));

        foreach (var e in elements)
        {
            if (e.Kind == MarkdownKind.PageBreak) continue;
            if (e.Kind is MarkdownKind.PageHeader or MarkdownKind.PageFooter)
            {
                (e.Kind == MarkdownKind.PageHeader ? headers : footers).Add(e);
                continue;
            }
            if (e.Kind == MarkdownKind.Heading)
            {
                Emit(keepOverlap: false);
                carried = "";
                while (headings.Count > 0 && headings[^1].HeadingLevel >= e.HeadingLevel) headings.RemoveAt(headings.Count - 1);
                headings.Add(e);
                continue;
            }
            foreach (var piece in Pieces(e, Math.Max(1, Budget() - options.Overlap)))
            {
                if (current.Count > 0 && Used() + Words(piece) > options.ChunkSize) Emit(keepOverlap: true);
                if (current.Count == 0 && Words(Prefix()) + Words(carried) + Words(piece) > options.ChunkSize) carried = "";
                current.Add((piece, e));
            }
        }
        Emit(keepOverlap: false);
        // A heading with nothing under it still makes a chunk, so no text is lost.
        if (chunks.Count == 0 && headings.Count > 0)
            chunks.Add(new Chunk { ChunkId = "c1", Content = Prefix(), PageSpan = new ChunkPageSpan { PageStart = headings[0].PageNumber, PageEnd = headings[^1].PageNumber } });
        return new ChunkedDocument { Chunks = chunks };
    }

    /// <summary>The running headers (or footers) of the pages a chunk covers.</summary>
    private static List<T>? Running<T>(List<MarkdownElement> running, List<MarkdownElement> chunk, Func<string, ChunkPageSpan, T> make)
    {
        int first = chunk.Min(e => e.PageNumber), last = chunk.Max(e => e.PageNumber);
        var list = running.Where(e => e.PageNumber >= first && e.PageNumber <= last)
            .Select(e => make(e.Markdown, new ChunkPageSpan { PageStart = e.PageNumber, PageEnd = e.PageNumber })).ToList();
        return list.Count > 0 ? list : null;
    }

    /// <summary>An element cut to at most <paramref name="max"/> words: tables by rows (each piece keeps the header), the rest by words.</summary>
    private static IEnumerable<string> Pieces(MarkdownElement e, int max)
    {
        if (Words(e.Markdown) <= max) return [e.Markdown];
        if (e.Kind == MarkdownKind.Table)
        {
            var rows = e.Markdown.Split('\n');
            var head = rows.Length >= 2 ? $"{rows[0]}\n{rows[1]}" : "";
            var pieces = new List<string>();
            var rest = new List<string>();
            foreach (var row in rows.Skip(2))
            {
                if (rest.Count > 0 && Words(head) + Words(string.Join(' ', rest)) + Words(row) > max)
                {
                    pieces.Add(head + "\n" + string.Join('\n', rest));
                    rest.Clear();
                }
                rest.Add(row);
            }
            if (rest.Count > 0) pieces.Add(head + "\n" + string.Join('\n', rest));
            if (pieces.All(p => Words(p) <= max)) return pieces;
        }
        var words = e.Markdown.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return words.Chunk(max).Select(c => string.Join(' ', c));
    }

    internal static int Words(string text) => text.Split((char[])[' ', '\n', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries).Length;

    private static string LastWords(string text, int n)
    {
        if (n <= 0) return "";
        var words = text.Split((char[])[' ', '\n', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words.Skip(Math.Max(0, words.Length - n)));
    }
}
