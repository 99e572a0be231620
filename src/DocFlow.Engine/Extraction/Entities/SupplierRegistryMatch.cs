using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>
/// Finds a known supplier's name or address among a receipt's header lines when the line models' own reading did not
/// resolve: one line or two adjacent lines for the name, a run of up to six lines under the name for the address.
/// </summary>
internal static class SupplierRegistryMatch
{
    /// <summary>How many lines from the top a name is looked for in.</summary>
    private const int NameLines = 10;

    /// <summary>Stricter than a reading's own resolution: a line chosen only because it resembles a known name.</summary>
    private const double NameLineError = 0.15;

    public sealed record NameHit(int Start, int End, string Name, double Error);

    public sealed record AddressHit(int Start, int End, string Address, double Error);

    public static NameHit? NameLine(PageView page, SupplierRegistry registry, OcrLexicon? lexicon)
    {
        NameHit? best = null;
        var lines = page.Lines;
        for (var i = 0; i < lines.Count && i < NameLines; i++)
        {
            for (var span = 1; span <= 2 && i + span <= lines.Count; span++)
            {
                var last = lines[i + span - 1];
                var head = string.Join(' ', lines.Skip(i).Take(span - 1).Select(l => l.Text));
                // The whole line, or its first words: a registration number or a branch code often follows the name.
                foreach (var end in WordEnds(last))
                {
                    var text = (head.Length > 0 ? head + " " : "") + last.Text[..(end - last.Start)];
                    if (lexicon is not null) text = lexicon.Correct(text);
                    if (registry.ResolveName(text) is { } hit && hit.Error <= NameLineError && (best is null || hit.Error < best.Error))
                        best = new NameHit(lines[i].Start, end, hit.Name, hit.Error);
                }
            }
        }
        return best;
    }

    /// <summary>Where each word of a line ends (text offsets), the whole line last.</summary>
    private static IEnumerable<int> WordEnds(LineView line)
    {
        foreach (var word in line.Words.SkipLast(1)) if (word.End > line.Start && word.End < line.End) yield return word.End;
        yield return line.End;
    }

    public static AddressHit? AddressLines(PageView page, SupplierRegistry registry, string? supplier, int nameLine)
    {
        AddressHit? best = null;
        var lines = page.Lines;
        for (var i = nameLine + 1; i < lines.Count && i <= nameLine + 5; i++)
        {
            var text = "";
            for (var span = 1; span <= 6 && i + span <= lines.Count; span++)
            {
                text = span == 1 ? lines[i].Text : text + " " + lines[i + span - 1].Text;
                if (registry.ResolveAddress(text, supplier) is { } hit && (best is null || hit.Error < best.Error))
                    best = new AddressHit(lines[i].Start, lines[i + span - 1].End, hit.Address, hit.Error);
            }
        }
        return best;
    }
}
