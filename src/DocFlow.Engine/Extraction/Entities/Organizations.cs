using System.Text.RegularExpressions;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>
/// Organisation names: capitalised words ending in a legal form (Ltd, GmbH, Inc, LLC, S.A., B.V., AG, plc ...),
/// and short title-case or upper-case names whose first or last word names a kind of organisation
/// ("Riverside Community Sports Club", "GREEN LEAF MARKET", "Stadtwerke Elbtal").
/// </summary>
internal static partial class Organizations
{
    private const string Suffix =
        @"(?:GmbH(?:[ ]&[ ]Co\.?[ ]KG)?|Ltd\.?|Limited|Inc\.?|Incorporated|LLC|L\.L\.C\.|LLP|LP|PLLC|Corp\.?|Corporation|Co\.|" +
        @"plc|PLC|AG|KG|OHG|UG|e\.V\.|SE|S\.A\.S\.|S\.A\.|SA|SAS|SARL|S\.à[ ]r\.l\.|S\.r\.l\.|Srl|S\.p\.A\.|SpA|S\.L\.|B\.V\.|BV|N\.V\.|NV|" +
        @"Pty[ ]Ltd|Lda|Oy|AB|A/S|ApS|Sp\.[ ]z[ ]o\.o\.)";

    [GeneratedRegex(@"(?<![\w&-])(?:(?:\p{Lu}[\p{L}\d'’.-]*|&|and|und|et|of|de|van|von|the)[ ]){1,6}" + Suffix + @"(?![\w&])")]
    private static partial Regex SuffixRegex();

    private static readonly HashSet<string> Leading = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "und", "et", "of", "de", "van", "von", "the", "to", "from", "for", "by", "dear", "attn", "bill", "ship",
        "invoice", "customer", "client", "supplier", "vendor", "re", "an", "at", "with", "between", "payee", "account", "holder",
    };

    private static readonly HashSet<string> KindLast = new(StringComparer.OrdinalIgnoreCase)
    {
        "Club", "Studio", "Studios", "Association", "Society", "Foundation", "University", "College", "School", "Institute",
        "Hospital", "Clinic", "Bank", "Council", "Market", "Supermarket", "Logistics", "Services", "Solutions", "Group",
        "Company", "Partners", "Associates", "Agency", "Consulting", "Systems", "Technologies", "Industries", "Holdings",
        "Bakery", "Restaurant", "Cafe", "Café", "Hotel", "Pharmacy", "Store", "Stores", "Shop", "Trust", "Authority",
        "Ministry", "Sparkasse", "Volksbank", "Verein", "Stiftung", "Architects", "Laboratories", "Labs", "Motors", "Airlines",
        "Insurance", "Bistro", "Trattoria", "Pizzeria", "Brewery", "Gallery", "Museum", "Theatre", "Theater", "Academy",
    };

    private static readonly HashSet<string> KindFirst = new(StringComparer.OrdinalIgnoreCase)
    {
        "Bistro", "Restaurant", "Cafe", "Café", "Hotel", "Stadtwerke", "Bank", "Banco", "Banque", "University", "Universität",
        "Museum", "Ministry", "Trattoria", "Pizzeria", "Apotheke", "Pharmacie", "Farmacia", "Librairie", "Boulangerie", "Hospital",
    };

    public static List<(int Start, int End, float Confidence)> Find(IReadOnlyList<PageView> pages)
    {
        var found = new List<(int Start, int End, float Confidence)>();
        foreach (var line in pages.SelectMany(p => p.Lines))
        {
            foreach (Match m in SuffixRegex().Matches(line.Text))
            {
                var (s, e) = TrimLeading(line.Text, m.Index, m.Index + m.Length);
                if (e - s > 3 && line.Text[s..e].Count(c => c == ' ') >= 1) found.Add((line.Start + s, line.Start + e, 0.9f));
            }
            // Short names of a known kind: a whole line, or a segment of it between separators.
            var offset = 0;
            foreach (var segment in SegmentRegex().Split(line.Text))
            {
                var segStart = line.Text.IndexOf(segment, offset, StringComparison.Ordinal);
                offset = segStart + segment.Length;
                var trimmed = segment.Trim();
                if (trimmed.Length == 0) continue;
                var s = segStart + (segment.Length - segment.TrimStart().Length);
                var e = s + trimmed.Length;
                if (found.Any(f => line.Start + s < f.End && f.Start < line.Start + e)) continue;
                if (IsKindName(trimmed)) found.Add((line.Start + s, line.Start + e, 0.7f));
            }
        }
        return found;
    }

    /// <summary>The name with spaces squashed and a lone "S" or "8" between words read as the '&' OCR took it for.</summary>
    public static string Normalize(string name)
    {
        var words = name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i < words.Length - 1; i++)
            if (words[i] is "S" or "8" or "$" && char.IsUpper(words[i - 1][0]) && char.IsUpper(words[i + 1][0]) && words[i - 1].Any(char.IsLower)) words[i] = "&";
        return string.Join(' ', words);
    }

    private static bool IsKindName(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is < 2 or > 5) return false;
        if (!words.All(w => char.IsUpper(w[0]) && w.All(c => char.IsLetter(c) || c is '&' or '-' or '\'' or '’' or '.')) && !words.Any(w => w == "&")) return false;
        if (words.Any(w => w.Any(char.IsDigit)) || Leading.Contains(words[0])) return false;
        var last = words[^1].TrimEnd('.');
        return KindLast.Contains(last) || KindFirst.Contains(words[0]);
    }

    private static (int Start, int End) TrimLeading(string text, int start, int end)
    {
        while (true)
        {
            var space = text.IndexOf(' ', start);
            if (space < 0 || space >= end) break;
            var word = text[start..space].TrimEnd(':', ',');
            if (!Leading.Contains(word) && word != "&") break;
            start = space + 1;
        }
        return (start, end);
    }

    [GeneratedRegex(@"[:,;|()]|[ ][-–—][ ]")]
    private static partial Regex SegmentRegex();
}
