using System.Text.RegularExpressions;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>A postal address: its span of the text (possibly several lines) and its lines joined by ", ".</summary>
internal sealed record AddressMatch(int PageIndex, int FirstLine, int LastLine, int Start, int End, string Normalized);

/// <summary>
/// Finds postal addresses from their anchor, the postcode: UK (LS12 6HP), US (CA 94111), five-digit
/// (DE/FR/IT/ES), Dutch (3511 ED), four-digit (AT/CH/BE/DK), Portuguese and Polish codes, each with a city. The
/// address then reaches back over comma-separated parts of the same line that look like a street, unit or
/// city, or to the line above when that line is a street ("1452 Alder Street" / "Springfield, OR 97477"),
/// and forward to a country name. A street with a house number is required, so "2026 Operations" is no address.
/// </summary>
internal static partial class AddressFinder
{
    private const string Countries =
        "Germany|Deutschland|United Kingdom|UK|U\\.K\\.|England|Scotland|Wales|Ireland|USA|U\\.S\\.A\\.|United States|US|" +
        "(?:the )?Netherlands|Nederland|Holland|France|Belgium|Belgique|België|Austria|Österreich|Switzerland|Schweiz|Suisse|" +
        "Italy|Italia|Spain|España|Portugal|Poland|Polska|Denmark|Danmark|Sweden|Sverige|Norway|Norge|Finland|Luxembourg|Canada|Australia";

    [GeneratedRegex(@"\b(?<pc>[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2})\b")]
    private static partial Regex UkPostcode();

    [GeneratedRegex(@"\b(?<city>[A-Z][A-Za-z.'-]*(?:[ ][A-Z][A-Za-z.'-]*){0,2}),?[ ](?<pc>(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)[ ]\d{5}(?:-\d{4})?)\b")]
    private static partial Regex UsPostcode();

    [GeneratedRegex(@"(?<![\w.,/-])(?<pc>(?:[A-Z]{1,2}-)?\d{5}|\d{4}[ ]?[A-Z]{2}|\d{4}-\d{3}|\d{2}-\d{3}|\d{4})[ ](?<city>\p{Lu}[\p{L}.'-]+(?:[ -](?:am|an der|sur|\p{Lu}[\p{L}.'-]+)){0,2})")]
    private static partial Regex ContinentalPostcode();

    [GeneratedRegex(@"^(?:\d+[a-zA-Z]?(?:-\d+)?,?[ ]+\p{Lu}[\p{L}'.-]*(?:[ ]+[\p{L}'.-]+){0,4}|(?:\p{L}[\p{L}'.-]*[ ]+){0,4}\p{L}[\p{L}'.-]*[ ]+\d+[a-zA-Z]?(?:[-/]\d+[a-zA-Z]?)?|(?:Unit|Suite|Flat|Apt\.?|Apartment|Building|Floor|Room|PO Box|P\.O\. Box|Postfach|BP|Apartado|Casella Postale)[ ]+\w+)$")]
    private static partial Regex StreetRegex();

    [GeneratedRegex(@"\b(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Way|Boulevard|Blvd|Place|Pl|Court|Ct|Terrace|Close|Square|Sq|Highway|Hwy|Parkway|Pkwy|Crescent|Estate|Park|Row|Walk|Strasse|Straße|Str|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Rue|Via|Viale|Piazza|Corso|Calle|Avenida|Rua|Plein|Straat|Laan|Gracht|Kade|Markt|Unit|Suite|Floor)\b|(?:strasse|straße|str\.|weg|allee|platz|gasse|ring|damm|plein|straat|laan|gracht|kade|markt)\b", RegexOptions.IgnoreCase)]
    private static partial Regex StreetWord();

    [GeneratedRegex("^(?:" + Countries + ")$", RegexOptions.IgnoreCase)]
    private static partial Regex CountryRegex();

    [GeneratedRegex(@"^,?[ ]*(?<country>" + Countries + @")\b")]
    private static partial Regex CountryAfter();

    [GeneratedRegex(@"\b(?:Ltd|GmbH|Inc|LLC|LLP|AG|plc|B\.V\.|N\.V\.|S\.A\.|SARL|S\.p\.A\.|S\.r\.l\.|Limited|Corp)\b\.?")]
    private static partial Regex LegalSuffix();

    public static List<AddressMatch> FindAll(IReadOnlyList<PageView> pages)
    {
        var found = new List<AddressMatch>();
        foreach (var page in pages)
        {
            for (var i = 0; i < page.Lines.Count; i++)
            {
                var line = page.Lines[i];
                foreach (var (pcStart, pcEnd, strong) in Postcodes(line.Text))
                {
                    if (found.Any(f => f.PageIndex == page.PageIndex && line.Start + pcStart < f.End && f.Start < line.Start + pcEnd)) continue;
                    var match = Build(page, i, pcStart, pcEnd, strong);
                    if (match is not null) { found.Add(match); break; }
                }
            }
        }
        return found;
    }

    private static IEnumerable<(int Start, int End, bool Strong)> Postcodes(string text)
    {
        var list = new List<(int, int, bool)>();
        foreach (Match m in UsPostcode().Matches(text)) list.Add((m.Index, m.Index + m.Length, true));
        foreach (Match m in UkPostcode().Matches(text))
            if (m.Groups["pc"].Value.Any(char.IsDigit) && m.Index > 0) list.Add((m.Index, m.Index + m.Length, true));
        foreach (Match m in ContinentalPostcode().Matches(text))
            list.Add((m.Index, m.Index + m.Length, m.Groups["pc"].Value.Length != 4));
        return list.OrderBy(p => p.Item1);
    }

    private static AddressMatch? Build(PageView page, int lineIndex, int pcStart, int pcEnd, bool strong)
    {
        var line = page.Lines[lineIndex];
        var text = line.Text;
        // Backwards over the comma-separated parts before the postcode.
        var prefix = text[..pcStart].TrimEnd(' ', ',');
        var startInLine = pcStart;
        var hasStreet = false;
        if (prefix.Length > 0)
        {
            var colon = prefix.LastIndexOf(':');
            var parts = prefix.Split(',');
            var offset = prefix.Length;
            var taken = new List<(int Start, string Part)>();
            for (var p = parts.Length - 1; p >= 0; p--)
            {
                var part = parts[p];
                offset -= part.Length;
                var partStart = offset;
                offset -= 1; // the comma
                var trimmed = part.Trim();
                if (colon >= partStart) { var after = prefix[(colon + 1)..(partStart + part.Length)].Trim(); if (after.Length > 0 && LooksLikeAddressPart(after, taken.Count == 0)) taken.Add((colon + 1, after)); break; }
                if (trimmed.Length == 0 || LegalSuffix().IsMatch(trimmed) || trimmed.Split(' ').Length > 6 || !LooksLikeAddressPart(trimmed, taken.Count == 0)) break;
                taken.Add((partStart, trimmed));
            }
            // The address begins with a street (or unit) part, not a bare place name.
            while (taken.Count > 0 && !IsStreet(taken[^1].Part)) taken.RemoveAt(taken.Count - 1);
            if (taken.Count > 0)
            {
                hasStreet = true;
                startInLine = taken[^1].Start;
                while (startInLine < text.Length && text[startInLine] == ' ') startInLine++;
            }
            else if (!string.IsNullOrWhiteSpace(prefix) && !IsPlaceName(prefix)) return null;
            else if (!string.IsNullOrWhiteSpace(prefix)) startInLine = text.Length - text.TrimStart().Length;
        }

        var first = lineIndex;
        if (!hasStreet && lineIndex > 0)
        {
            var above = page.Lines[lineIndex - 1];
            var aboveText = above.Text;
            var colon = aboveText.IndexOf(':');
            var candidate = colon >= 0 ? aboveText[(colon + 1)..].Trim() : aboveText.Trim();
            var near = line.Box.Top - above.Box.Bottom < 2.0f * Math.Max(1, line.Box.Height);
            if (near && candidate.Length > 0 && candidate.Split(',').All(p => p.Trim().Length > 0) && IsStreet(candidate.Split(',')[0].Trim()))
            {
                first = lineIndex - 1;
                hasStreet = true;
            }
        }
        if (!hasStreet) return null;
        if (!strong && first == lineIndex && !StreetWord().IsMatch(text[startInLine..pcStart]) && first == lineIndex) return null;

        // Forward: a country after the city, on the same line or alone on the next.
        var endInLine = pcEnd;
        var country = CountryAfter().Match(text[pcEnd..]);
        if (country.Success) endInLine = pcEnd + country.Index + country.Length;
        var last = lineIndex;
        if (!country.Success && endInLine >= text.TrimEnd().Length && lineIndex + 1 < page.Lines.Count
            && CountryRegex().IsMatch(page.Lines[lineIndex + 1].Text.Trim()))
            last = lineIndex + 1;

        int start, end;
        if (first < lineIndex)
        {
            var above = page.Lines[first];
            var colon = above.Text.IndexOf(':');
            start = above.Start + (colon >= 0 ? colon + 1 : 0);
        }
        else start = line.Start + startInLine;
        end = last > lineIndex ? page.Lines[last].End : line.Start + endInLine;
        var docText = string.Concat(Enumerable.Range(first, last - first + 1).Select(k => page.Lines[k]).Select(l => l.Text + "\n"));
        var relStart = start - page.Lines[first].Start;
        var relEnd = relStart + (end - start);
        var mention = docText[relStart..Math.Min(relEnd, docText.Length)];
        var normalized = string.Join(", ", mention.Split('\n').Select(s => s.Trim().Trim(',').Trim()).Where(s => s.Length > 0));
        return new AddressMatch(page.PageIndex, first, last, start, end, normalized);
    }

    private static bool LooksLikeAddressPart(string part, bool nextToPostcode) =>
        part.Any(char.IsDigit) || StreetWord().IsMatch(part) || (nextToPostcode && IsPlaceName(part));

    private static bool IsPlaceName(string part)
    {
        var words = part.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length is >= 1 and <= 3 && words.All(w => char.IsUpper(w[0]) && !w.Any(char.IsDigit));
    }

    /// <summary>A street with a house number ("27 Willow Lane", "Am Kanal 19", "Unit 7").</summary>
    internal static bool IsStreet(string part)
    {
        var p = part.Trim();
        if (p.Length is < 4 or > 60 || p.Contains('@') || !StreetRegex().IsMatch(p)) return false;
        var words = p.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // A house number is short; "Page 1" or "Q1 2026" are not streets.
        return words.Any(w => w.Length <= 6 && char.IsDigit(w[0])) && words.Any(w => w.Length >= 3 && char.IsLetter(w[0]) && w.Skip(1).All(c => !char.IsDigit(c)))
            && (StreetWord().IsMatch(p) || words.Length <= 4);
    }
}
