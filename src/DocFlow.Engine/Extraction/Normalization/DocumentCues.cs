using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using DocFlow.Documents;

namespace DocFlow.Engine.Extraction.Normalization;

/// <summary>
/// What every entity extractor of one document shares: the numeric shadow of the text, the document-level
/// date order, the default currency, and every date and amount in it. Computed once per document.
/// </summary>
internal sealed partial class DocumentCues
{
    private static readonly ConditionalWeakTable<Document, DocumentCues> Cache = [];

    public string Text { get; }
    public string Shadow { get; }
    public DateOrder DateOrder { get; }
    public string? DefaultCurrency { get; }
    public IReadOnlyList<DateMatch> Dates { get; }
    public IReadOnlyList<AmountMatch> Amounts { get; }

    private DocumentCues(string text)
    {
        Text = text;
        Shadow = OcrText.NumericShadow(text);
        Amounts = AmountFinder.FindAll(Shadow);
        // Votes: every amount printed with a currency, and every ringgit unit printed on its own ("Total (RM)"),
        // so that one misread '$' or '£' does not outvote a receipt full of RM.
        // Amounts with decimals count first: "$1750" is more often a misread S than dollars.
        DefaultCurrency = Vote(Amounts.Where(a => a.HasCurrency && a.HasDecimals).Select(a => a.Money.Currency!)
                              .Concat(RinggitUnitRegex().Matches(text).Select(_ => "MYR")))
                          ?? Vote(Amounts.Where(a => a.HasCurrency).Select(a => a.Money.Currency!));
        DateOrder = DecideOrder(Shadow, DefaultCurrency);
        Dates = DateNormalizer.FindAll(Shadow, DateOrder);
    }

    private static string? Vote(IEnumerable<string> currencies) =>
        currencies.GroupBy(c => c).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();

    public static DocumentCues For(Document document)
    {
        var text = document.Text ?? string.Empty;
        if (Cache.TryGetValue(document, out var cues) && ReferenceEquals(cues.Text, text)) return cues;
        cues = new DocumentCues(text);
        Cache.AddOrUpdate(document, cues);
        return cues;
    }

    /// <summary>
    /// Day-first unless the document says otherwise: unambiguous numeric dates decide; failing that, US cues
    /// (dollar amounts, +1 or (NNN) NNN-NNNN phone numbers, "ST 12345" state postcodes) make it month-first.
    /// </summary>
    internal static DateOrder DecideOrder(string shadow, string? currency)
    {
        var (dayFirst, monthFirst) = DateNormalizer.Evidence(shadow);
        if (dayFirst != monthFirst) return dayFirst > monthFirst ? DateOrder.DayFirst : DateOrder.MonthFirst;
        var us = 0;
        if (currency == "USD") us += 2;
        if (currency is "EUR" or "GBP" or "CHF" or "MYR" or "SGD" or "AUD" or "NZD" or "INR") us -= 2;
        us += UsPhoneRegex().Count(shadow);
        us += UsStateRegex().Count(shadow);
        us -= EuropeanPhoneRegex().Count(shadow);
        us -= 2 * Math.Min(2, DayFirstLocaleRegex().Count(shadow));
        return us > 0 ? DateOrder.MonthFirst : DateOrder.DayFirst;
    }

    [GeneratedRegex(@"(?:\+1[ .-]?\d{3}|\(\d{3}\)[ ]?\d{3}-\d{4})")]
    private static partial Regex UsPhoneRegex();

    [GeneratedRegex(@"\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)[ ]\d{5}(?:-\d{4})?\b")]
    private static partial Regex UsStateRegex();

    /// <summary>Day-first locales that print dollars or nothing: Malaysia (SDN BHD, GST ID, +60, RM), Singapore, Australia, India.</summary>
    [GeneratedRegex(@"\b(?:SDN\.? ?BHD|BHD|BERHAD|MALAYSIA|SELANGOR|JOHOR|KUALA LUMPUR|JALAN|TAMAN|SINGAPORE|AUSTRALIA|ABN|PTY|GSTIN)\b|\+6[015][ ]?\d|\bRM[ ]?\d", RegexOptions.IgnoreCase)]
    private static partial Regex DayFirstLocaleRegex();

    [GeneratedRegex(@"\((?:RM|MYR)\)|(?<![\p{L}\d])(?:RM|MYR)(?![\p{L}\d])")]
    private static partial Regex RinggitUnitRegex();

    [GeneratedRegex(@"\+(?:3\d|4\d)[ ]?\d")]
    private static partial Regex EuropeanPhoneRegex();
}
