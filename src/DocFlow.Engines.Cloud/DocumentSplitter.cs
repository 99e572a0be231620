using DocFlow.Documents;

namespace DocFlow.Engines.Cloud;

/// <summary>Splits the Document of a packed request (several documents' pages in one PDF) back into one Document per
/// original: the inverse of <see cref="DocumentMerger"/>.</summary>
/// <remarks>Original i owns the pack's pages from its first page to the page before the next original's first page, and
/// the text from the start of its first page's text to the start of the next original's (the last one to the end), so
/// the originals' texts concatenated are the pack's text. Every text anchor is re-based on its original's text, page
/// numbers start at 1 again, entities and chunks go to the original that holds their page (an entity without a page
/// reference: the one that holds its text) and their page references are re-based. An entity with neither cannot be
/// placed and is dropped (a pack is meant for OCR-like processors, whose entities are anchored).</remarks>
internal static class DocumentSplitter
{
    /// <summary>One Document per original, in order.</summary>
    /// <param name="packed">The answer to the packed request.</param>
    /// <param name="originals">Pages and media type of each original, in the order their pages were packed.</param>
    /// <exception cref="FormatException">The answer does not have the pack's pages (then nothing can be attributed).</exception>
    public static IReadOnlyList<Document> Split(Document packed, IReadOnlyList<(int Pages, string MimeType)> originals)
    {
        ArgumentOutOfRangeException.ThrowIfZero(originals.Count);
        var expected = originals.Sum(o => o.Pages);
        var pages = (packed.Pages ?? []).OrderBy(p => p.PageNumber).ToList();
        if (pages.Count != expected)
            throw new FormatException($"the answer to a pack of {expected} pages has {pages.Count}");
        var text = packed.Text ?? "";

        // First pack page (0-based) and first text index of every original, and of the end.
        var firstPage = new int[originals.Count + 1];
        for (var i = 0; i < originals.Count; i++) firstPage[i + 1] = firstPage[i] + originals[i].Pages;
        var firstChar = new long[originals.Count + 1];
        firstChar[originals.Count] = text.Length;
        for (var i = originals.Count - 1; i >= 1; i--)
            firstChar[i] = Math.Min(firstChar[i + 1], StartOf(pages, firstPage[i], firstPage[i + 1]) ?? firstChar[i + 1]);
        for (var i = 1; i < originals.Count; i++) firstChar[i] = Math.Max(firstChar[i], firstChar[i - 1]);

        var parts = new Document[originals.Count];
        for (var i = 0; i < originals.Count; i++)
        {
            parts[i] = new Document
            {
                Text = text[(int)firstChar[i]..(int)firstChar[i + 1]],
                MimeType = originals[i].MimeType,
                Pages = [],
            };
            for (var k = firstPage[i]; k < firstPage[i + 1]; k++)
            {
                var page = pages[k];
                page.PageNumber = k - firstPage[i] + 1;
                if (firstChar[i] > 0) DocumentMerger.ShiftPage(page, -firstChar[i]);
                parts[i].Pages!.Add(page);
            }
        }

        int? OwnerOfPage(long packPage)
        {
            if (packPage < 0 || packPage >= expected) return null;
            var i = Array.BinarySearch(firstPage, 0, originals.Count, (int)packPage);
            return i >= 0 ? i : ~i - 1;
        }
        int? OwnerOfText(TextAnchor? anchor)
        {
            if (anchor?.TextSegments is not [var first, ..]) return null;
            for (var i = 0; i < originals.Count; i++)
                if (first.StartIndex >= firstChar[i] && first.StartIndex < firstChar[i + 1]) return i;
            return null;
        }

        foreach (var entity in packed.Entities ?? [])
        {
            var owner = entity.PageAnchor?.PageRefs is [var r, ..] ? OwnerOfPage(r.Page) : OwnerOfText(entity.TextAnchor);
            if (owner is not { } o) continue;
            DocumentMerger.ShiftEntity(entity, -firstChar[o], -firstPage[o]);
            (parts[o].Entities ??= []).Add(entity);
        }

        foreach (var chunk in packed.ChunkedDocument?.Chunks ?? [])
        {
            var owner = chunk.PageSpan is { } span ? OwnerOfPage(span.PageStart - 1)
                : chunk.PageRefs is [var r, ..] ? OwnerOfPage(r.Page) : null;
            if (owner is not { } o) continue;
            var shift = firstPage[o];
            var count = originals[o].Pages;
            Rebase(chunk.PageSpan, shift, count);
            foreach (var h in chunk.PageHeaders ?? []) Rebase(h.PageSpan, shift, count);
            foreach (var f in chunk.PageFooters ?? []) Rebase(f.PageSpan, shift, count);
            chunk.PageRefs?.RemoveAll(p => OwnerOfPage(p.Page) != o);
            foreach (var p in chunk.PageRefs ?? []) p.Page -= shift;
            (parts[o].ChunkedDocument ??= new ChunkedDocument { Chunks = [] }).Chunks!.Add(chunk);
        }
        return parts;
    }

    /// <summary>The smallest text index that a page in [from, to) of <paramref name="pages"/> points at, or null.</summary>
    private static long? StartOf(List<Page> pages, int from, int to)
    {
        for (var k = from; k < to; k++)
        {
            var page = pages[k];
            IEnumerable<Layout?> layouts = [page.Layout, .. (page.Blocks ?? []).Select(b => b.Layout), .. (page.Lines ?? []).Select(l => l.Layout),
                .. (page.Tokens ?? []).Select(t => t.Layout)];
            var start = layouts.SelectMany(l => l?.TextAnchor?.TextSegments ?? []).Select(s => (long?)s.StartIndex).Min();
            if (start is not null) return start;
        }
        return null;
    }

    private static void Rebase(ChunkPageSpan? span, int shift, int pages)
    {
        if (span is null) return;
        span.PageStart = Math.Clamp(span.PageStart - shift, 1, pages);
        span.PageEnd = Math.Clamp(span.PageEnd - shift, span.PageStart, pages);
    }
}
