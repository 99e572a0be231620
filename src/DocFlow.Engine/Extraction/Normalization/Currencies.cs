namespace DocFlow.Engine.Extraction.Normalization;

/// <summary>ISO 4217 codes from the symbols and codes printed on documents.</summary>
internal static class Currencies
{
    /// <summary>Codes recognised when printed as text next to an amount.</summary>
    public static readonly string[] Codes =
    [
        "EUR", "USD", "GBP", "CHF", "JPY", "CNY", "RMB", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
        "HUF", "RON", "BGN", "HRK", "TRY", "INR", "BRL", "MXN", "ZAR", "SGD", "HKD", "KRW", "RUB", "ILS", "AED", "MYR",
    ];

    /// <summary>Regex alternation of symbols and codes, longest first.</summary>
    public const string Pattern =
        @"(?:US\$|CA\$|C\$|AU\$|A\$|NZ\$|HK\$|S\$|R\$|€|£|\$|¥|₹|₩|₽|₺|zł|Fr\.|CHF|EUR|USD|GBP|JPY|CNY|RMB|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|HRK|TRY|INR|BRL|MXN|ZAR|SGD|HKD|KRW|RUB|ILS|AED|MYR|RM(?=[ ]?[\d(-]))";

    /// <summary>The ISO code for a printed symbol or code, or null.</summary>
    public static string? CodeOf(string symbol) => symbol.Trim() switch
    {
        "€" => "EUR",
        "£" => "GBP",
        "$" or "US$" => "USD",
        "CA$" or "C$" => "CAD",
        "AU$" or "A$" => "AUD",
        "NZ$" => "NZD",
        "HK$" => "HKD",
        "S$" => "SGD",
        "R$" => "BRL",
        "¥" => "JPY",
        "₹" => "INR",
        "₩" => "KRW",
        "₽" => "RUB",
        "₺" => "TRY",
        "zł" => "PLN",
        "Fr." => "CHF",
        "RMB" => "CNY",
        "RM" => "MYR",
        var s when Codes.Contains(s.ToUpperInvariant()) => s.ToUpperInvariant(),
        _ => null,
    };
}
