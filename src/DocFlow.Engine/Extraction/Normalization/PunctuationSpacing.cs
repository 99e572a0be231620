namespace DocFlow.Engine.Extraction.Normalization;

/// <summary>
/// A known spelling (a supplier registry's name or address) with the spacing around punctuation that the receipt in
/// hand prints, as its OCR read it: "SS21/39,47400" stays glued when the reading glues it, though the registry's
/// spelling (the one most labels of that shop give) has "SS21/39, 47400". Shops' receipts differ in such spaces, and
/// OCR keeps the printed spacing around commas and stops: where it splits after one the print has a space, where a
/// word runs on past one the print has none.
/// </summary>
internal static class PunctuationSpacing
{
    /// <summary>Beyond this many cells the alignment is not worth it: the known text is returned as it is.</summary>
    private const int MaxCells = 250_000;

    /// <summary>
    /// The known text, its characters unchanged, with the space (or no space) beside each comma, stop, colon,
    /// semicolon or ampersand taken from the reading where both characters either side align with adjacent
    /// characters of the reading; elsewhere its own spacing.
    /// </summary>
    /// <param name="settled">Given the index of a gap (after the known text's n-th character that is not a space),
    /// whether the known spacing there is settled and stays whatever the reading has; null: none is.</param>
    public static string SpacedLike(string known, string reading, Func<int, bool>? settled = null)
    {
        var k = new List<int>();
        for (var i = 0; i < known.Length; i++) if (!char.IsWhiteSpace(known[i])) k.Add(i);
        var r = new List<(char C, bool SpaceAfter)>();
        for (var i = 0; i < reading.Length; i++)
        {
            if (char.IsWhiteSpace(reading[i])) continue;
            r.Add((char.ToUpperInvariant(reading[i]), i + 1 < reading.Length && char.IsWhiteSpace(reading[i + 1])));
        }
        int n = k.Count, m = r.Count;
        if (n < 2 || m == 0 || (long)(n + 1) * (m + 1) > MaxCells) return known;
        var d = new int[n + 1, m + 1];
        for (var i = 0; i <= n; i++) d[i, 0] = i;
        for (var j = 0; j <= m; j++) d[0, j] = j;
        for (var i = 1; i <= n; i++)
        {
            var c = char.ToUpperInvariant(known[k[i - 1]]);
            for (var j = 1; j <= m; j++)
                d[i, j] = Math.Min(d[i - 1, j - 1] + (c == r[j - 1].C ? 0 : 1), Math.Min(d[i - 1, j], d[i, j - 1]) + 1);
        }
        // Which reading character each known character is aligned with (a match or a substitution), -1: none.
        var at = new int[n];
        Array.Fill(at, -1);
        for (int i = n, j = m; i > 0 && j > 0;)
        {
            var cost = char.ToUpperInvariant(known[k[i - 1]]) == r[j - 1].C ? 0 : 1;
            if (d[i, j] == d[i - 1, j - 1] + cost) { at[i - 1] = j - 1; i--; j--; }
            else if (d[i, j] == d[i - 1, j] + 1) i--;
            else j--;
        }
        var result = new System.Text.StringBuilder(known.Length + 4);
        result.Append(known[..(k[0] + 1)]);
        for (var t = 0; t + 1 < n; t++)
        {
            int p = k[t], q = k[t + 1];
            var space = q > p + 1;
            // The punctuation itself read as printed, and its neighbour read next to it.
            var mark = Spaced(known[p]) ? t : Spaced(known[q]) ? t + 1 : -1;
            if (mark >= 0 && settled?.Invoke(t) != true && at[t] >= 0 && at[t + 1] == at[t] + 1 && r[at[mark]].C == known[k[mark]]) space = r[at[t]].SpaceAfter;
            if (space) result.Append(' ');
            result.Append(known[q]);
        }
        result.Append(known[(k[^1] + 1)..]);
        return result.ToString();
    }

    /// <summary>The marks whose neighbouring space follows the reading.</summary>
    internal static bool Spaced(char c) => c is ',' or '.' or ':' or ';' or '&';
}
