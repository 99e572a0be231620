using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Engine;
using DocFlow.Engine.Extraction;
using DocFlow.IntegrationTests.Cli;
using DocFlow.IntegrationTests.Support;
using DocFlow.Samples;
using DocFlow.Samples.Evaluation;
using System.Diagnostics;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Extraction;

/// <summary>Entities, key invoice fields and document types of the committed samples, as the real engine produces them.</summary>
[Collection(SampleBatchCollection.Name)]
public sealed class EntityAccuracyTests(SampleBatchFixture fixture, ITestOutputHelper output)
{
    private static readonly HashSet<string> KeyFields =
    [
        "supplier_name", "supplier_address", "invoice_id", "invoice_date", "receipt_date", "due_date",
        "total_amount", "net_amount", "total_tax_amount", "currency", "receiver_name",
    ];

    [Fact]
    public void Samples_EntitiesAndDocumentTypes_AreAtLeast95PercentCorrect()
    {
        int correct = 0, total = 0;
        var misses = new List<string>();
        foreach (var truth in fixture.Truths)
        {
            var document = fixture.ReadDocument(truth.File);
            var score = EntityScore.Score(truth, document);
            output.WriteLine($"{truth.File,-28} {score.Correct,3}/{score.Total,-3} type={document.Entities?.FirstOrDefault(e => e.Type == "document_type")?.MentionText}");
            correct += score.Correct;
            total += score.Total;
            misses.AddRange(score.Misses);
        }
        foreach (var miss in misses) output.WriteLine("MISS " + miss);
        var accuracy = (double)correct / total;
        output.WriteLine($"entity + document type accuracy: {correct}/{total} = {accuracy:P1}");
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy:P1} below 95%:\n" + string.Join("\n", misses));
    }

    [Fact]
    public void Samples_KeyInvoiceFields_AreAtLeast95PercentCorrect()
    {
        int correct = 0, total = 0;
        var misses = new List<string>();
        foreach (var truth in fixture.Truths)
        {
            var keyTruth = truth with { Entities = [.. truth.Entities.Where(e => KeyFields.Contains(e.Type))] };
            if (keyTruth.Entities.Count == 0) continue;
            var score = EntityScore.Score(keyTruth, fixture.ReadDocument(truth.File));
            correct += score.Correct - (score.Misses.Any(m => m.Contains("document_type", StringComparison.Ordinal)) ? 0 : 1);
            total += score.Total - 1;
            misses.AddRange(score.Misses.Where(m => !m.Contains(": document_type", StringComparison.Ordinal)));
        }
        foreach (var miss in misses) output.WriteLine("MISS " + miss);
        var accuracy = (double)correct / total;
        output.WriteLine($"key invoice-field accuracy: {correct}/{total} = {accuracy:P1}");
        Assert.True(accuracy >= 0.95, $"key-field accuracy {accuracy:P1} below 95%:\n" + string.Join("\n", misses));
    }

    [Fact]
    public async Task Enrichment_TimeShareOfAnOcrDocument_IsReported()
    {
        // Timing is printed, not asserted: wall time belongs in benchmarks.
        var options = new EngineOptions { Slots = 1 };
        using var engine = new LocalDocumentEngine(options);
        foreach (var name in new[] { "invoice-scan.png", "receipt-shop.jpg", "fax-3pages.tif", "report-multipage.pdf" })
        {
            var content = await File.ReadAllBytesAsync(Path.Combine(Repo.Samples, name));
            var result = await engine.ProcessAsync(new DocumentInput(name, content), CancellationToken.None);
            var share = result.Stats.EnrichmentTime / result.Stats.Elapsed;
            output.WriteLine($"{name,-24} pages={result.Stats.Pages} total={result.Stats.Elapsed.TotalMilliseconds,8:F0} ms enrichment={result.Stats.EnrichmentTime.TotalMilliseconds,6:F1} ms ({share:P1})");
        }
        // Warm figure: the enrichers alone on an already assembled document.
        var json = DocumentJson.Serialize(fixture.ReadDocument("report-multipage.pdf"));
        var pipeline = EnrichmentPipeline.CreateDefault();
        var copies = Enumerable.Range(0, 20).Select(_ => DocumentJson.Deserialize(json)).ToList();
        foreach (var copy in copies) copy.Entities = null;
        var watch = Stopwatch.StartNew();
        foreach (var copy in copies) pipeline.Run(copy, [], CancellationToken.None);
        output.WriteLine($"warm enrichment of report-multipage (4 pages): {watch.Elapsed.TotalMilliseconds / 20:F2} ms per document");
    }
}
