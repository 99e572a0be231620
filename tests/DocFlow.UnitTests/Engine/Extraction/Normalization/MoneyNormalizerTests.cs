using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.UnitTests.Engine.Extraction.Normalization;

public sealed class MoneyNormalizerTests
{
    [Theory]
    [InlineData("£3,622.86", "3622.86", "GBP")]
    [InlineData("€4.237,35", "4237.35", "EUR")]
    [InlineData("53.30 €", "53.30", "EUR")]
    [InlineData("EUR 1,736,350.59", "1736350.59", "EUR")]
    [InlineData("1 234,50 EUR", "1234.50", "EUR")]
    [InlineData("CHF 1'234.50", "1234.50", "CHF")]
    [InlineData("$34.68", "34.68", "USD")]
    [InlineData("(12.50)", "-12.50", null)]
    [InlineData("-7,20", "-7.20", null)]
    [InlineData("2.00-", "-2.00", null)]
    [InlineData("34 .68", "34.68", null)]
    [InlineData("1,234", "1234.00", null)]
    [InlineData("0.125", "0.125", null)]
    [InlineData("USD 2000", "2000.00", "USD")]
    [InlineData("¥1,200", "1200.00", "JPY")]
    public void TryParse_ReadsTheAmount(string printed, string text, string? currency)
    {
        Assert.True(MoneyNormalizer.TryParse(printed, out var money));
        Assert.Equal(text, money.Text);
        Assert.Equal(currency, money.Currency);
    }

    [Fact]
    public void ToMoney_SplitsUnitsAndNanos()
    {
        Assert.True(MoneyNormalizer.TryParse("-1,234.56", out var money));
        var m = money.ToMoney("EUR");
        Assert.Equal(("EUR", -1234L, -560_000_000), (m.CurrencyCode, m.Units, m.Nanos));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("€")]
    [InlineData("12.3.4")]
    public void TryParse_RejectsNonAmounts(string printed) => Assert.False(MoneyNormalizer.TryParse(printed, out _));

    [Fact]
    public void FindAll_SkipsDatesPercentagesAndBareIntegers()
    {
        var amounts = AmountFinder.FindAll("TAX 7.25% 2.34 on 04.05.2026 qty 12 Whiteboard 10 139.00 and EUR 5");
        Assert.Equal(["2.34", "139.00", "5.00"], amounts.Select(a => a.Money.Text));
    }

    [Fact]
    public void FindAll_TakesAnAmountAfterAStrayStroke_ButNotThePartsOfADateOrFraction()
    {
        // OCR reads a receipt's column rule or smudge as "/" before the amount ("CASH —/18.00"); "23/01/2018" and
        // "3/18.00" are a date and a fraction-like code, not amounts.
        Assert.Equal(["18.00"], AmountFinder.FindAll("CASH i —/18.00").Select(a => a.Money.Text));
        Assert.Equal(["18.00"], AmountFinder.FindAll("TOTAL / 18.00").Select(a => a.Money.Text));
        Assert.Empty(AmountFinder.FindAll("Date: 23/01/2018 ref 3/18.00"));
    }

    [Fact]
    public void NumericShadow_RepairsMisreadDigitsOnlyInNumbers()
    {
        Assert.Equal("T0TAL 10.50 Sold 2026 $12.00", OcrText.NumericShadow("T0TAL 1O.5O Sold 2O26 $12.00"));
        Assert.Equal("TOTAI", OcrText.Canonical("T0TA1"));
    }
}
