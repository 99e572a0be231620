using System.Globalization;
using System.Text;

namespace DocFlow.Engine.Extraction.Normalization;

/// <summary>
/// Same-length rewrites of OCR text, so a match in the rewrite has the same offsets in the original:
/// a numeric shadow (O→0, l/I/|→1, S→5 inside number-like tokens) for finding values, and a
/// canonical label form (upper case, no diacritics, digits read as the letters they resemble) for labels.
/// </summary>
internal static class OcrText
{
    /// <summary>The text with letter-for-digit confusions repaired inside tokens that are mostly digits.</summary>
    public static string NumericShadow(string text)
    {
        var chars = text.ToCharArray();
        var i = 0;
        while (i < chars.Length)
        {
            if (char.IsWhiteSpace(chars[i])) { i++; continue; }
            var start = i;
            while (i < chars.Length && !char.IsWhiteSpace(chars[i])) i++;
            RepairToken(chars, start, i);
        }
        return new string(chars);
    }

    private static void RepairToken(char[] chars, int start, int end)
    {
        int digits = 0, confusable = 0, letters = 0;
        for (var k = start; k < end; k++)
        {
            var c = chars[k];
            if (char.IsDigit(c)) digits++;
            else if (DigitFor(c) is not null) confusable++;
            else if (char.IsLetter(c)) letters++;
        }
        // Only tokens that are clearly numbers with a few misread characters: "1O.5O", "2O26", "l2.99".
        if (digits < 2 || confusable == 0 || letters > 0 || confusable > digits) return;
        for (var k = start; k < end; k++)
        {
            // A leading S is more often a misread '$' than a 5: leave it.
            if (DigitFor(chars[k]) is { } d && !(k == start && chars[k] == 'S'))
                chars[k] = d;
        }
    }

    private static char? DigitFor(char c) => c switch
    {
        'O' or 'o' => '0',
        'l' or 'I' or '|' => '1',
        'S' => '5',
        _ => null,
    };

    /// <summary>Label form of a string of the same length: upper case, diacritics removed, 0→O, 1→I, 5→S, |→I.</summary>
    public static string Canonical(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var b = Base(c);
            sb.Append(b switch
            {
                '0' => 'O',
                '1' or '|' or '!' => 'I',
                '5' => 'S',
                _ => char.ToUpperInvariant(b),
            });
        }
        return sb.ToString();
    }

    /// <summary>The letter without its diacritic (é→e, ß stays ß).</summary>
    public static char Base(char c)
    {
        if (c < 128) return c;
        var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
        foreach (var d in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(d) != UnicodeCategory.NonSpacingMark) return d;
        return c;
    }

    /// <summary>
    /// A name or address with the glyphs no shop prints in one read as the letters OCR takes them for: '$' before a
    /// letter or digit is S ("LOT $319"), '!' or '|' beside a letter is I ("FARMAS!"). None of the 484 labelled receipts'
    /// names and addresses has a '$', '!' or '|'.
    /// </summary>
    public static string LetterGlyphs(string text)
    {
        if (text.IndexOfAny(['$', '!', '|']) < 0) return text;
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var next = i + 1 < text.Length ? text[i + 1] : ' ';
            var previous = i > 0 ? text[i - 1] : ' ';
            if (chars[i] == '$' && char.IsLetterOrDigit(next)) chars[i] = 'S';
            else if (chars[i] is '!' or '|' && (char.IsLetter(previous) || char.IsLetter(next))) chars[i] = 'I';
        }
        return new string(chars);
    }

    /// <summary>Collapses runs of whitespace to one space and trims.</summary>
    public static string Squash(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
