using DocFlow.Reports;
using DocFlow.UnitTests.Reports.Support;

namespace DocFlow.UnitTests.Reports;

public sealed class BatchAggregateTests
{
    [Fact]
    public void Percentile_UsesNearestRank()
    {
        var twenty = Enumerable.Range(1, 20).Select(i => (long)i * 10).ToList();
        Assert.Equal(190, BatchAggregate.Percentile(twenty, 0.95)); // rank ceil(19) = 19th value
        var hundred = Enumerable.Range(1, 100).Select(i => (long)i).ToList();
        Assert.Equal(95, BatchAggregate.Percentile(hundred, 0.95));
        Assert.Equal(7, BatchAggregate.Percentile([7], 0.95));
        Assert.Equal(0, BatchAggregate.Percentile([], 0.95));
    }

    [Fact]
    public void Latency_MeanAndP95_CountOnlyDocumentsProcessedInThisRun()
    {
        var rows = Enumerable.Range(1, 19).Select(i => Some.Row($"d{i}", ms: 100)).Append(Some.Row("slow", ms: 2000))
            .Append(Some.Row("old", status: "skipped", ms: 99_999))
            .Append(Some.Row("bad", status: "failed", ms: 300, errorCode: "corrupt")).ToList();

        var latency = BatchAggregate.Compute(rows).Latency;

        Assert.Equal(21, latency.Count);
        Assert.Equal(Math.Round((19 * 100 + 2000 + 300) / 21.0, 1), latency.MeanMs);
        Assert.Equal(300, latency.P95Ms); // sorted: 19 x 100, 300, 2000; rank ceil(0.95 * 21) = 20
        Assert.Equal(2000, latency.MaxMs);
    }

    [Fact]
    public void OcrShare_IsOcrPagesOverPages_OfDocumentsWithAResult()
    {
        var rows = new[]
        {
            Some.Row("scan.pdf", pages: 3, ocrPages: 3),
            Some.Row("text.pdf", pages: 4, ocrPages: 0),
            Some.Row("mixed.pdf", status: "skipped", pages: 1, ocrPages: 1),
            Some.Row("broken.pdf", status: "failed", pages: 0, errorCode: "corrupt"),
        };

        var a = BatchAggregate.Compute(rows);

        Assert.Equal(8, a.Pages);
        Assert.Equal(4, a.OcrPages);
        Assert.Equal(0.5, a.OcrShare);
    }

    [Fact]
    public void Engines_CountDocumentsPagesAndCostPerEngine_OfDocumentsWithAResult()
    {
        var prices = new EnginePrices(new Dictionary<string, decimal> { ["EU"] = 0.0015m }, "EUR");
        var rows = new[]
        {
            new ResultRow { File = "a.pdf", Status = "succeeded", Pages = 20, Engine = "eu", Cost = prices.CostOf("eu", 20) },
            new ResultRow { File = "b.pdf", Status = "succeeded", Pages = 10, Engine = "eu", Cost = prices.CostOf("eu", 10) },
            new ResultRow { File = "c.jpg", Status = "succeeded", Pages = 1, Engine = "local", Cost = prices.CostOf("local", 1) },
            new ResultRow { File = "d.jpg", Status = "skipped", Pages = 1 },
            new ResultRow { File = "e.pdf", Status = "failed", Pages = 0, ErrorCode = "corrupt" },
        };

        var agg = BatchAggregate.Compute(rows, prices);

        Assert.True(agg.Priced);
        Assert.Equal("EUR", agg.Currency);
        Assert.Collection(agg.Engines, // most documents first, then by name
            e => Assert.Equal(("eu", 2, 30, (decimal?)0.045m, (decimal?)0.0225m), (e.Engine, e.Documents, e.Pages, e.Cost, e.CostPerDocument)),
            e => Assert.Equal(("local", 2, 2, (decimal?)null, (decimal?)null), (e.Engine, e.Documents, e.Pages, e.Cost, e.CostPerDocument)));
    }

    [Fact]
    public void Engines_WithoutAPriceTable_AreUnpricedAndAllLocal()
    {
        var agg = BatchAggregate.Compute([Some.Row("a.pdf", pages: 2), Some.Row("b.pdf", pages: 3)]);

        Assert.False(agg.Priced);
        var only = Assert.Single(agg.Engines);
        Assert.Equal(("local", 2, 5, (decimal?)null), (only.Engine, only.Documents, only.Pages, only.Cost));
    }

    [Fact]
    public void EnginePrices_CostIsPagesTimesThePrice_NullWithoutAPrice()
    {
        var prices = new EnginePrices(new Dictionary<string, decimal> { ["local"] = 0.0002m }, " ");
        Assert.Equal(0.0006m, prices.CostOf("LOCAL", 3));
        Assert.Null(prices.CostOf("eu", 3));
        Assert.Equal("USD", prices.Currency);
        Assert.Null(EnginePrices.None.CostOf("local", 1));
    }

    [Fact]
    public void OcrShare_WithNoPages_IsZero() =>
        Assert.Equal(0, BatchAggregate.Compute([Some.Row("x", status: "failed", pages: 0, errorCode: "corrupt")]).OcrShare);

    [Fact]
    public void Totals_AreSummedPerSupplierAndCurrency_NeverAcrossCurrencies()
    {
        var rows = new[]
        {
            Some.Row("a", fields: Some.Fields("Acme GmbH", 100.10m, "EUR")),
            Some.Row("b", fields: Some.Fields("Acme GmbH", 200.20m, "eur")),
            Some.Row("c", fields: Some.Fields("Acme GmbH", 50m, "USD")),
            Some.Row("d", fields: Some.Fields("Zeta Ltd", 999.99m, "GBP")),
            Some.Row("e", fields: Some.Fields("Zeta Ltd", 1m, "GBP"), status: "skipped"),
            Some.Row("f", fields: new KeyFields { Supplier = "No Total Inc" }),
            Some.Row("g", fields: new KeyFields { TotalAmount = 5m }),
        };

        var totals = BatchAggregate.Compute(rows).Totals;

        Assert.Equal(4, totals.Count);
        var eur = Assert.Single(totals, t => t.Currency == "EUR");
        Assert.Equal(("Acme GmbH", 2, 300.30m), (eur.Supplier, eur.Documents, eur.Total));
        Assert.Equal(50m, Assert.Single(totals, t => t.Currency == "USD").Total);
        Assert.Equal(1000.99m, Assert.Single(totals, t => t.Currency == "GBP").Total);
        var unknown = Assert.Single(totals, t => t.Currency == "");
        Assert.Equal((BatchAggregate.Unknown, 5m), (unknown.Supplier, unknown.Total));
        Assert.DoesNotContain(totals, t => t.Supplier == "No Total Inc");
    }

    [Fact]
    public void Counts_ByStatusAndType_AndErrorsGroupedByCodeWithFiles()
    {
        var rows = new[]
        {
            Some.Row("i1", type: "invoice"), Some.Row("i2", type: "invoice"), Some.Row("r1", type: "receipt"),
            Some.Row("u1", type: null),
            Some.Row("x1", status: "failed", errorCode: "corrupt"), Some.Row("x2", status: "failed", errorCode: "corrupt"),
            Some.Row("x3", status: "failed", errorCode: "unsupported_type"),
        };

        var a = BatchAggregate.Compute(rows);

        Assert.Equal(7, a.Documents);
        Assert.Equal(new Dictionary<string, int> { ["succeeded"] = 4, ["failed"] = 3 }, a.ByStatus);
        Assert.Equal(["invoice", "receipt", "unknown"], a.ByType.Keys);
        Assert.Equal(2, a.ByType["invoice"]);
        Assert.Equal(["corrupt", "unsupported_type"], a.Errors.Select(e => e.Code));
        Assert.Equal(["x1", "x2"], a.Errors[0].Files);
    }
}
