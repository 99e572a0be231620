using System.Globalization;
using System.Text.RegularExpressions;
using DocFlow.Documents;

namespace DocFlow.Engine.Extraction.Normalization;

/// <summary>How to read an all-numeric date whose first two parts could both be a day or a month.</summary>
public enum DateOrder
{
    DayFirst,
    MonthFirst,
}

/// <summary>A date found in text: where (offsets into the searched string), the date, an optional time.</summary>
internal sealed record DateMatch(int Start, int End, int DateEnd, DateOnly Date, TimeOnly? Time, bool Ambiguous)
{
    /// <summary>"yyyy-MM-dd", or "yyyy-MM-ddTHH:mm" when a time follows the date.</summary>
    public string Text => Time is { } t
        ? Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T" + t.ToString(t.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture)
        : Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>"yyyy-MM-dd" without the time.</summary>
    public string DateText => Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public DateValue ToDateValue() => new() { Year = Date.Year, Month = Date.Month, Day = Date.Day };
}

/// <summary>
/// Finds and reads dates: ISO, numeric with '/', '.', '-' (day-first or month-first as decided for the
/// document; '.' is always day-first), month names and abbreviations in English, German, French, Spanish,
/// Italian, Dutch and Portuguese, ordinals, two-digit years, and an optional time of day after the date.
/// </summary>
internal static partial class DateNormalizer
{
    private static readonly Dictionary<string, int> Months = BuildMonths();

    private static Dictionary<string, int> BuildMonths()
    {
        string[][] names =
        [
            ["january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "gen", "januari", "janeiro"],
            ["february", "feb", "febr", "februar", "février", "fevrier", "févr", "fevr", "fév", "febrero", "febbraio", "februari", "fevereiro", "fev"],
            ["march", "mar", "märz", "maerz", "mär", "mars", "marzo", "maart", "mrt", "março", "marco"],
            ["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
            ["may", "mai", "mayo", "maggio", "mag", "mei", "maio"],
            ["june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"],
            ["july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"],
            ["august", "aug", "août", "aout", "agosto", "ago", "augustus"],
            ["september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro"],
            ["october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"],
            ["november", "nov", "novembre", "noviembre", "novembro"],
            ["december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro"],
        ];
        var map = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var m = 0; m < names.Length; m++)
            foreach (var n in names[m]) map[n] = m + 1;
        return map;
    }

    private const string Time = @"(?:,?[ ]+(?:at[ ]+|um[ ]+|à[ ]+)?(?<h>\d{1,2})[:h](?<mi>\d{2})(?::(?<s>\d{2}))?(?:[ ]?(?<ap>[AaPp])\.?[Mm]\.?)?(?![\d:]))?";

    [GeneratedRegex(@"(?<![\d.,/-])(?<y>(?:19|20)\d{2})(?<sep>[-/.])(?<m>\d{1,2})\k<sep>(?<d>\d{1,2})(?![\d])" + Time)]
    private static partial Regex IsoRegex();

    [GeneratedRegex(@"(?<![\d.,/])(?<!\d[:-])(?<a>\d{1,2})[ ]?(?<sep>[./-])[ ]?(?<b>\d{1,2})[ ]?\k<sep>[ ]?(?<y>\d{4}|\d{2})(?![\d]|[.,/-]\d)" + Time)]
    private static partial Regex NumericRegex();

    [GeneratedRegex(@"(?<![\w.])(?<d>\d{1,2})(?:st|nd|rd|th|er|º)?\.?[ -]?(?:of[ ]+|de[ ]+)?(?<mn>\p{L}{3,10})\.?,?[ -]?(?:de[ ]+)?(?<y>'?\d{4}|'\d{2}|\d{2}(?![\d:]))(?![\d])" + Time, RegexOptions.IgnoreCase)]
    private static partial Regex DayMonthRegex();

    [GeneratedRegex(@"(?<![\w])(?<mn>\p{L}{3,10})\.?[ ]+(?<d>\d{1,2})(?:st|nd|rd|th)?,?[ ]+(?<y>\d{4})(?![\d])" + Time, RegexOptions.IgnoreCase)]
    private static partial Regex MonthDayRegex();

    /// <summary>All dates in <paramref name="text"/> (best run on an OCR numeric shadow), left to right, without overlaps.</summary>
    public static List<DateMatch> FindAll(string text, DateOrder order)
    {
        var found = new List<DateMatch>();
        foreach (Match m in IsoRegex().Matches(text))
            Add(found, m, Make(int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture), Int(m, "m"), Int(m, "d")), false);
        foreach (Match m in NumericRegex().Matches(text))
        {
            int a = Int(m, "a"), b = Int(m, "b"), y = Year(m.Groups["y"].Value);
            var dots = m.Groups["sep"].Value == ".";
            var ambiguous = a <= 12 && b <= 12 && a != b && !dots;
            var monthFirst = !dots && (b > 12 || (a <= 12 && b <= 12 && order == DateOrder.MonthFirst));
            Add(found, m, monthFirst ? Make(y, a, b) : Make(y, b, a), ambiguous);
        }
        foreach (Match m in DayMonthRegex().Matches(text))
            if (Months.TryGetValue(m.Groups["mn"].Value, out var month))
                Add(found, m, Make(Year(m.Groups["y"].Value), month, Int(m, "d")), false);
        foreach (Match m in MonthDayRegex().Matches(text))
            if (Months.TryGetValue(m.Groups["mn"].Value, out var month))
                Add(found, m, Make(Year(m.Groups["y"].Value), month, Int(m, "d")), false);
        found.Sort((x, y) => x.Start.CompareTo(y.Start));
        return found;
    }

    /// <summary>
    /// Dates as OCR garbles them, for a receipt where <see cref="FindAll"/> found none: a separator lost between day and
    /// month ("1202/2018") or month and year ("12/022018"), and a four-digit year with one misread digit that only one
    /// reading puts in 1990-2039 ("12-02-2618" is 2018). Same offsets and time handling as <see cref="FindAll"/>.
    /// </summary>
    public static List<DateMatch> FindRepaired(string text, DateOrder order)
    {
        var found = new List<DateMatch>();
        foreach (var regex in new[] { LenientRegex(), JoinedDayMonthRegex(), JoinedMonthYearRegex() })
        {
            foreach (Match m in regex.Matches(text))
            {
                int a = Int(m, "a"), b = Int(m, "b");
                var y = m.Groups["y"].Value.Length == 4 ? RepairYear(Int(m, "y")) : Year(m.Groups["y"].Value);
                if (y is not { } year) continue;
                var monthFirst = b > 12 || (a <= 12 && b <= 12 && order == DateOrder.MonthFirst);
                Add(found, m, monthFirst ? Make(year, a, b) : Make(year, b, a), a <= 12 && b <= 12 && a != b);
            }
        }
        found.Sort((x, y) => x.Start.CompareTo(y.Start));
        return found;
    }

    /// <summary>The year, or the one year in 1990-2039 that changing a single digit makes of it; null when none or several.</summary>
    private static int? RepairYear(int year)
    {
        if (year is >= 1990 and <= 2039) return year;
        var digits = year.ToString("0000", CultureInfo.InvariantCulture);
        int? only = null;
        for (var i = 0; i < 4; i++)
            for (var d = '0'; d <= '9'; d++)
            {
                if (d == digits[i]) continue;
                var candidate = int.Parse(digits[..i] + d + digits[(i + 1)..], CultureInfo.InvariantCulture);
                if (candidate is < 1990 or > 2039) continue;
                if (only is not null) return null;
                only = candidate;
            }
        return only;
    }

    [GeneratedRegex(@"(?<![\d.,/])(?<a>\d{1,2})[ ]?(?<sep>[./-])[ ]?(?<b>\d{1,2})[ ]?[./-][ ]?(?<y>\d{4})(?![\d]|[.,/-]\d)" + Time)]
    private static partial Regex LenientRegex();

    [GeneratedRegex(@"(?<![\d.,/])(?<a>\d{2})(?<b>\d{2})[./-](?<y>\d{4})(?![\d]|[.,/-]\d)" + Time)]
    private static partial Regex JoinedDayMonthRegex();

    [GeneratedRegex(@"(?<![\d.,/])(?<a>\d{1,2})[./-](?<b>\d{2})(?<y>20\d{2})(?![\d]|[.,/-]\d)" + Time)]
    private static partial Regex JoinedMonthYearRegex();

    /// <summary>Reads one printed date ("15 JAN 2018", "03/04/21", "2026-06-28"), or null.</summary>
    public static DateMatch? Parse(string printed, DateOrder order = DateOrder.DayFirst)
    {
        var all = FindAll(printed.Trim(), order);
        return all.Count == 1 && all[0].Start == 0 && all[0].End == printed.Trim().Length ? all[0] : null;
    }

    /// <summary>Counts numeric dates that can only be day-first (first part over 12) or only month-first (second part over 12).</summary>
    public static (int DayFirst, int MonthFirst) Evidence(string text)
    {
        int dayFirst = 0, monthFirst = 0;
        foreach (Match m in NumericRegex().Matches(text))
        {
            if (m.Groups["sep"].Value == ".") { dayFirst++; continue; }
            int a = Int(m, "a"), b = Int(m, "b");
            // Only readable dates count: "05/88/2017" is a misread, not a month-first date.
            if (a is > 12 and <= 31 && b is >= 1 and <= 12) dayFirst++;
            else if (b is > 12 and <= 31 && a is >= 1 and <= 12) monthFirst++;
        }
        return (dayFirst, monthFirst);
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static int Year(string y)
    {
        var v = int.Parse(y.TrimStart('\''), CultureInfo.InvariantCulture);
        // Two-digit years: 00-69 are 2000-2069, 70-99 are 1970-1999 (the POSIX strptime pivot).
        return y.TrimStart('\'').Length == 2 ? (v < 70 ? 2000 + v : 1900 + v) : v;
    }

    private static DateOnly? Make(int year, int month, int day)
    {
        if (year is < 1900 or > 2099 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        return new DateOnly(year, month, day);
    }

    private static void Add(List<DateMatch> found, Match m, DateOnly? date, bool ambiguous)
    {
        if (date is not { } d) return;
        if (found.Any(f => f.Start < m.Index + m.Length && m.Index < f.End)) return;
        TimeOnly? time = null;
        if (m.Groups["h"].Success)
        {
            var h = Int(m, "h");
            var mi = Int(m, "mi");
            var s = m.Groups["s"].Success ? Int(m, "s") : 0;
            if (m.Groups["ap"].Success)
            {
                var pm = char.ToUpperInvariant(m.Groups["ap"].Value[0]) == 'P';
                if (h == 12) h = 0;
                if (pm) h += 12;
            }
            if (h < 24 && mi < 60 && s < 60) time = new TimeOnly(h, mi, s);
        }
        var dateEnd = TrimEnd(m, m.Index + m.Length);
        found.Add(new DateMatch(m.Index, time is null ? dateEnd : m.Index + m.Length, dateEnd, d, time, ambiguous));
    }

    private static int TrimEnd(Match m, int end)
    {
        // Without a time, the date ends at its year.
        var y = m.Groups["y"];
        return y.Success ? Math.Max(y.Index + y.Length, m.Groups["d"].Success ? m.Groups["d"].Index + m.Groups["d"].Length : 0) : end;
    }
}
