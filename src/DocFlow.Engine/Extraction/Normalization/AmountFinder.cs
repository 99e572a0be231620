using System.Text.RegularExpressions;

namespace DocFlow.Engine.Extraction.Normalization;

/// <summary>An amount found in text: where, its value, and the printed currency (null when none was printed).</summary>
internal sealed record AmountMatch(int Start, int End, ParsedMoney Money, bool HasDecimals)
{
    public bool HasCurrency => Money.Currency is not null;
}

/// <summary>Finds printed money amounts: with a currency symbol or code, or with two decimals.</summary>
internal static partial class AmountFinder
{
    [GeneratedRegex(
        @"(?<![\w.,:%-])(?<![\w.,]/)(?<open>\()?(?<pre>" + Currencies.Pattern + @"[ ]?)?(?<neg>[-−][ ]?)?" +
        @"(?<num>\d{1,3}(?:(?<ts>[,.'’ ])\d{3})(?:\k<ts>\d{3})*(?:[.,]\d{1,2})?|\d+(?:[ ]?\.[ ]?|[ ]?,)\d{2}|\d+)" +
        @"(?![\d%])(?![.,]\d)(?<post>[ ]?" + Currencies.Pattern + @"(?![A-Za-z]))?(?<trail>-(?![\d\w]))?(?<close>\))?")]
    private static partial Regex AmountRegex();

    public static List<AmountMatch> FindAll(string text)
    {
        var found = new List<AmountMatch>();
        var pos = 0;
        while (pos < text.Length)
        {
            var m = AmountRegex().Match(text, pos);
            if (!m.Success) break;
            var num = m.Groups["num"].Value;
            var hasCurrency = m.Groups["pre"].Success || m.Groups["post"].Success;
            var hasDecimals = DecimalsRegex().IsMatch(num);
            var spaced = m.Groups["ts"].Success && m.Groups["ts"].Value == " ";
            // A space groups thousands only in the decimal-comma convention ("1 234,50 €") and next to a currency;
            // "10 139.00" is a quantity and a price.
            if ((!hasCurrency && !hasDecimals) || (spaced && (!hasCurrency || num.Contains('.'))) || !CodeBounded(text, m))
            {
                pos = m.Index + 1;
                continue;
            }
            var start = m.Index;
            var end = m.Index + m.Length;
            if (m.Groups["open"].Success != m.Groups["close"].Success)
            {
                if (m.Groups["open"].Success) start++;
                else end--;
            }
            while (end > start && text[end - 1] == ' ') end--;
            var printed = text[start..end];
            if (MoneyNormalizer.TryParse(printed, out var money))
                found.Add(new AmountMatch(start, end, money, hasDecimals));
            pos = Math.Max(end, m.Index + 1);
        }
        return found;
    }

    private static bool CodeBounded(string text, Match m)
    {
        // A code printed before the amount must stand alone ("EUR 5", not "DEUR5").
        var pre = m.Groups["pre"];
        return !pre.Success || pre.Index == 0 || !char.IsLetter(text[pre.Index - 1]);
    }

    [GeneratedRegex(@"[.,][ ]?\d{1,2}$")]
    private static partial Regex DecimalsRegex();
}
