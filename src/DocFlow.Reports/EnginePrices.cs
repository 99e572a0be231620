namespace DocFlow.Reports;

/// <summary>The price table of the reports: price of one page per engine name ("local" included) and its currency.
/// The host fills it from <c>Engines:PricePerPage</c> and <c>Engines:Currency</c> (docs/engines.md), so the reports
/// need no reference to the engines.</summary>
public sealed class EnginePrices
{
    /// <summary>No price configured: rows have no cost.</summary>
    public static readonly EnginePrices None = new(new Dictionary<string, decimal>(), "USD");

    public EnginePrices(IReadOnlyDictionary<string, decimal> pricePerPage, string currency)
    {
        ArgumentNullException.ThrowIfNull(pricePerPage);
        PricePerPage = new Dictionary<string, decimal>(pricePerPage, StringComparer.OrdinalIgnoreCase);
        Currency = string.IsNullOrWhiteSpace(currency) ? "USD" : currency.Trim();
    }

    public IReadOnlyDictionary<string, decimal> PricePerPage { get; }
    public string Currency { get; }
    public bool Any => PricePerPage.Count > 0;

    /// <summary>Pages × the engine's price, or null when the engine has no price.</summary>
    public decimal? CostOf(string engine, int pages) =>
        PricePerPage.TryGetValue(engine, out var price) ? price * pages : null;
}
