using System.Collections;
using System.Globalization;
using DocFlow.Reports;

namespace DocFlow.Cli.Batch;

/// <summary>The report's price table for <c>docflow process</c>, from the same environment variables the server reads
/// <c>Engines:PricePerPage</c> and <c>Engines:Currency</c> from: <c>DOCFLOW__Engines__PricePerPage__local=0.0002</c>,
/// <c>DOCFLOW__Engines__Currency=EUR</c> (names case-insensitive).</summary>
public static class EnginePricesFromEnvironment
{
    private const string PricePrefix = "DOCFLOW__Engines__PricePerPage__";
    private const string CurrencyName = "DOCFLOW__Engines__Currency";

    /// <summary>The table, or <see cref="EnginePrices.None"/> when no price is set.</summary>
    /// <exception cref="FormatException">A price is not a non-negative number; the message names the variable.</exception>
    public static EnginePrices Read(IDictionary variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var prices = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        string? currency = null;
        foreach (DictionaryEntry e in variables)
        {
            var name = e.Key as string ?? "";
            var value = (e.Value as string ?? "").Trim();
            if (name.Equals(CurrencyName, StringComparison.OrdinalIgnoreCase)) currency = value;
            else if (name.StartsWith(PricePrefix, StringComparison.OrdinalIgnoreCase) && name.Length > PricePrefix.Length)
                prices[name[PricePrefix.Length..]] = decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var price) && price >= 0
                    ? price
                    : throw new FormatException($"{name}: '{value}' is not a price per page (a non-negative number such as 0.0015).");
        }
        return prices.Count == 0 && currency is null ? EnginePrices.None : new EnginePrices(prices, currency ?? "USD");
    }
}
