using System.Globalization;
using System.Text.RegularExpressions;
using DocFlow.Documents;

namespace DocFlow.Engine.Extraction.Normalization;

/// <summary>A parsed amount: value, ISO currency (null when the document does not say) and plain-decimal text.</summary>
internal sealed record ParsedMoney(decimal Value, string? Currency)
{
    /// <summary>Plain decimal with at least two decimals: "1234.50", "-12.00".</summary>
    public string Text => Value.ToString(Value == decimal.Round(Value, 2) ? "0.00" : "0.00########", CultureInfo.InvariantCulture);

    public Money ToMoney(string? fallbackCurrency)
    {
        var units = decimal.Truncate(Value);
        var nanos = (int)decimal.Round((Value - units) * 1_000_000_000m);
        return new Money { CurrencyCode = Currency ?? fallbackCurrency, Units = (long)units, Nanos = nanos };
    }
}

/// <summary>
/// Reads printed amounts: currency symbols or ISO codes before or after, thousands separators
/// (',' '.' ' ' '\'' '’'), decimal comma or point, a minus sign before or after, or parentheses.
/// </summary>
internal static partial class MoneyNormalizer
{
    public static bool TryParse(string printed, out ParsedMoney money)
    {
        money = new ParsedMoney(0, null);
        var s = printed.Trim();
        if (s.Length == 0) return false;
        var negative = false;
        if (s.StartsWith('(') && s.EndsWith(')')) { negative = true; s = s[1..^1].Trim(); }

        string? currency = null;
        var cur = CurrencyRegex().Match(s);
        if (cur.Success)
        {
            currency = Currencies.CodeOf(cur.Value);
            s = s.Remove(cur.Index, cur.Length).Trim();
        }
        if (s.StartsWith('(') && s.EndsWith(')')) { negative = true; s = s[1..^1].Trim(); }
        if (s.Length > 0 && s[0] is '-' or '−' or '–') { negative = true; s = s[1..].Trim(); }
        if (s.Length > 0 && s[^1] is '-' or '−') { negative = true; s = s[..^1].Trim(); }
        if (s.Length == 0 || !char.IsDigit(s[0]) || !char.IsDigit(s[^1])) return false;

        // Digits and separators only; spaces around a separator are OCR noise ("34 .68").
        var compact = SpaceAroundSeparator().Replace(s, "$1");
        string integer, fraction = "";
        var lastDot = compact.LastIndexOf('.');
        var lastComma = compact.LastIndexOf(',');
        var last = Math.Max(lastDot, lastComma);
        if (last >= 0)
        {
            var after = compact.Length - last - 1;
            var sep = compact[last];
            var sameSepCount = compact.Count(c => c == sep);
            var otherSep = sep == '.' ? ',' : '.';
            var isDecimal = compact.Contains(otherSep) && compact.IndexOf(otherSep) < last
                ? true
                : sameSepCount == 1 && (after != 3 || compact[..last].TrimStart('-') == "0");
            if (isDecimal)
            {
                integer = compact[..last];
                fraction = compact[(last + 1)..];
            }
            else integer = compact;
        }
        else integer = compact;

        // Thousands groups are three digits each: "1,234,567", not "12.3.4".
        var groups = integer.Split([',', '.', ' ', '\'', '’', '\u00A0', '\u202F']);
        if (groups.Length > 1 && (groups[0].Length is 0 or > 3 || groups.Skip(1).Any(g => g.Length != 3))) return false;
        var digits = new string([.. integer.Where(char.IsDigit)]);
        if (integer.Any(c => !char.IsDigit(c) && c is not (',' or '.' or ' ' or '\'' or '’' or '\u00A0' or '\u202F'))) return false;
        if (!fraction.All(char.IsDigit) || digits.Length == 0 || digits.Length > 15) return false;
        var value = decimal.Parse(digits + (fraction.Length > 0 ? "." + fraction : ""), CultureInfo.InvariantCulture);
        money = new ParsedMoney(negative ? -value : value, currency);
        return true;
    }

    /// <summary>The ISO code of a printed symbol or code ("€" → "EUR"), or null.</summary>
    public static string? CurrencyCode(string printed) => Currencies.CodeOf(printed);

    [GeneratedRegex(Currencies.Pattern)]
    private static partial Regex CurrencyRegex();

    [GeneratedRegex(@"\s*([.,])\s*")]
    private static partial Regex SpaceAroundSeparator();
}
