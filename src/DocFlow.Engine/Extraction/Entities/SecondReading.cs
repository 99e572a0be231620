using DocFlow.Documents;
using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>
/// A till receipt's second OCR reading (<see cref="PageLayout.SecondReading"/>: the page read as one uniform block) as a
/// document of its own, for the receipt rules to run on. Its entities are written there and adopted by the real
/// document without a text anchor: their text is not in the real document's text, their boxes are on its pages.
/// </summary>
internal sealed class SecondReading
{
    private SecondReading(Document document, IReadOnlyList<PageView> view)
    {
        Document = document;
        View = view;
        Cues = DocumentCues.For(document);
        Writer = new EntityWriter(document, view);
    }

    public Document Document { get; }

    public IReadOnlyList<PageView> View { get; }

    public DocumentCues Cues { get; }

    public EntityWriter Writer { get; }

    /// <summary>The second reading of <paramref name="pages"/>, or null when no page was read twice.</summary>
    public static SecondReading? Of(Document document, IReadOnlyList<PageLayout> pages)
    {
        if (!pages.Any(p => p.SecondReading is not null)) return null;
        var layouts = pages.Select(p => p.SecondReading is { } blocks ? p with { Blocks = blocks, SecondReading = null } : p).ToList();
        var second = DocumentAssembler.Assemble(document.MimeType ?? "image/png", layouts);
        return new SecondReading(second, DocumentView.Pages(second, layouts));
    }

    /// <summary>
    /// Of the first reading's pick and the second's, the one the rules are surer of (the first when equal in value or in
    /// confidence): the second reading only stands in where the first found nothing or something the rules trust less.
    /// </summary>
    public static (T Value, float Confidence, bool Second)? Choose<T>((T Value, float Confidence)? first, (T Value, float Confidence)? second,
        Func<T, T, bool> same)
    {
        if (first is { } f && (second is not { } s0 || same(f.Value, s0.Value) || f.Confidence >= s0.Confidence)) return (f.Value, f.Confidence, false);
        return second is { } s ? (s.Value, s.Confidence, true) : null;
    }

    /// <summary>Moves the entities of <paramref name="types"/> written on the second reading into <paramref name="writer"/>'s document.</summary>
    public void MoveTo(EntityWriter writer, params string[] types)
    {
        foreach (var entity in Document.Entities?.Where(e => types.Contains(e.Type)).ToList() ?? [])
        {
            Document.Entities!.Remove(entity);
            writer.Adopt(entity);
        }
    }
}
