using System.Text.RegularExpressions;

namespace DocFlow.IntegrationTests.Support;

public static partial class TextMetrics
{
    /// <summary>Whitespace folded to single spaces, trimmed: OCR line breaks are not character errors.</summary>
    public static string Normalise(string text) => Spaces().Replace(text, " ").Trim();

    /// <summary>Character error rate: edit distance over the length of the truth.</summary>
    public static double CharacterErrorRate(string truth, string recognised)
    {
        var a = Normalise(truth);
        var b = Normalise(recognised);
        return a.Length == 0 ? (b.Length == 0 ? 0 : 1) : (double)Levenshtein(a, b) / a.Length;
    }

    public static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
