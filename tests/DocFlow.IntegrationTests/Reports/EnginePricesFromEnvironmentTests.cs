using System.Collections;
using DocFlow.Cli.Batch;
using DocFlow.Reports;

namespace DocFlow.IntegrationTests.Reports;

/// <summary>`docflow process` reads the report's price table from the server's environment variables.</summary>
public sealed class EnginePricesFromEnvironmentTests
{
    [Fact]
    public void Read_TakesPricesPerEngineAndTheCurrency_CaseInsensitive()
    {
        var prices = EnginePricesFromEnvironment.Read(new Hashtable
        {
            ["DOCFLOW__Engines__PricePerPage__local"] = "0.0002",
            ["docflow__engines__priceperpage__google-eu"] = " 0.0015 ",
            ["DOCFLOW__Engines__Currency"] = "EUR",
            ["PATH"] = "/usr/bin",
        });

        Assert.Equal(0.0006m, prices.CostOf("local", 3));
        Assert.Equal(0.0015m, prices.CostOf("GOOGLE-EU", 1));
        Assert.Equal("EUR", prices.Currency);
    }

    [Fact]
    public void Read_WithoutVariables_IsNone() =>
        Assert.Same(EnginePrices.None, EnginePricesFromEnvironment.Read(new Hashtable { ["HOME"] = "/root" }));

    [Fact]
    public void Read_ABadPrice_NamesTheVariable()
    {
        var e = Assert.Throws<FormatException>(() =>
            EnginePricesFromEnvironment.Read(new Hashtable { ["DOCFLOW__Engines__PricePerPage__local"] = "cheap" }));
        Assert.Contains("DOCFLOW__Engines__PricePerPage__local", e.Message);
    }
}
