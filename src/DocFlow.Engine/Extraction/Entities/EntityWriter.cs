using DocFlow.Documents;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>
/// Makes entities the same way for every extractor: anchor on the exact span of <see cref="Document.Text"/>
/// (content = mention), page refs with the box of the words the span covers, a document-unique id.
/// </summary>
internal sealed class EntityWriter
{
    private readonly Document _document;
    private readonly IReadOnlyList<PageView> _pages;
    private readonly WordView[][] _words;
    private int _nextId;

    public EntityWriter(Document document, IReadOnlyList<PageView> pages)
    {
        _document = document;
        _pages = pages;
        _words = [.. pages.Select(p => p.Lines.SelectMany(l => l.Words).OrderBy(w => w.Start).ToArray())];
        _document.Entities ??= [];
        _nextId = _document.Entities.Select(e => int.TryParse(e.Id, out var id) ? id : 0).DefaultIfEmpty(0).Max() + 1;
    }

    public IReadOnlyList<PageView> Pages => _pages;

    public string Text => _document.Text ?? string.Empty;

    /// <summary>Adds an entity for text[start..end); returns it, or null for an empty span.</summary>
    public Entity? Add(string type, int start, int end, float confidence, NormalizedValue? normalized = null)
    {
        var text = Text;
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        if (end <= start) return null;
        var mention = text[start..end];
        var refs = new List<PageRef>();
        float wordConfidence = 0;
        var wordCount = 0;
        for (var p = 0; p < _pages.Count; p++)
        {
            var page = _pages[p];
            var words = Overlapping(_words[p], start, end);
            if (words.Count == 0) continue;
            wordConfidence += words.Sum(w => w.Confidence);
            wordCount += words.Count;
            refs.Add(new PageRef
            {
                Page = page.PageIndex,
                BoundingPoly = DocumentAssembler.MakePoly(Box.Union(words.Select(w => w.Box)), page.Width, page.Height),
            });
        }
        // The extractor's certainty, discounted by how sure OCR was of the characters.
        var ocr = wordCount > 0 ? Math.Clamp(wordConfidence / wordCount, 0f, 1f) : 1f;
        var entity = new Entity
        {
            Type = type,
            MentionText = mention,
            Confidence = MathF.Round(Math.Clamp(confidence * (0.5f + 0.5f * ocr), 0f, 1f), 3),
            TextAnchor = new TextAnchor
            {
                TextSegments = [new TextSegment { StartIndex = start, EndIndex = end }],
                Content = mention,
            },
            PageAnchor = refs.Count > 0 ? new PageAnchor { PageRefs = refs } : null,
            Id = (_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture),
            NormalizedValue = normalized,
        };
        _document.Entities!.Add(entity);
        return entity;
    }

    /// <summary>The words of a page (sorted by start) that overlap [start, end), found by binary search.</summary>
    private static List<WordView> Overlapping(WordView[] words, int start, int end)
    {
        int lo = 0, hi = words.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (words[mid].End <= start) lo = mid + 1; else hi = mid;
        }
        var result = new List<WordView>();
        for (var i = lo; i < words.Length && words[i].Start < end; i++) result.Add(words[i]);
        return result;
    }

    /// <summary>
    /// Adds an entity read from another text of the same pages (a second OCR reading): its mention, boxes and value stay,
    /// its text anchor goes (the offsets are not into this document's text), and it gets an id of this document.
    /// </summary>
    public Entity Adopt(Entity entity)
    {
        entity.TextAnchor = null;
        entity.Id = (_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _document.Entities!.Add(entity);
        return entity;
    }

    /// <summary>Takes back an entity this writer added.</summary>
    public void Remove(Entity entity) => _document.Entities!.Remove(entity);

    /// <summary>Whether an entity of <paramref name="type"/> already covers text[start..end).</summary>
    public bool Has(string type, int start, int end) =>
        _document.Entities!.Any(e => e.Type == type && e.TextAnchor?.TextSegments is [var s, ..] && s.StartIndex < end && start < s.EndIndex);
}
