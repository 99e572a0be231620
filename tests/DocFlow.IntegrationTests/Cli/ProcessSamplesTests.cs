using System.Text.Json.Nodes;
using DocFlow.Cli.Batch;
using DocFlow.Documents;
using DocFlow.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Cli;

[Collection(SampleBatchCollection.Name)]
public sealed class ProcessSamplesTests(SampleBatchFixture batch, ITestOutputHelper output)
{
    private FileEntry Entry(string file) => batch.Summary.Files.Single(f => f.File == file);

    [Fact]
    public void EverySample_Succeeds()
    {
        foreach (var truth in batch.Truths)
        {
            var entry = Entry(truth.File);
            Assert.True(entry.Status == "succeeded", $"{truth.File}: {entry.Status} {entry.Error?.Code} {entry.Error?.Message}");
            Assert.Equal(truth.MimeType, entry.MimeType);
            Assert.Equal(truth.Pages.Count, entry.Pages);
            Assert.True(File.Exists(Path.Combine(batch.OutputDirectory, truth.File + ".json")));
        }
        Assert.Equal(12, batch.Truths.Count);
    }

    [Fact]
    public void ImagePages_HaveCharacterErrorRateAtMostThreePercent()
    {
        var failures = new List<string>();
        foreach (var truth in batch.Truths)
        {
            var document = batch.ReadDocument(truth.File);
            foreach (var page in truth.Pages.Where(p => p.Kind == "ocr"))
            {
                var recognised = DocumentAssembler.TextOf(document, document.Pages!.Single(p => p.PageNumber == page.PageNumber).Layout!.TextAnchor);
                var cer = TextMetrics.CharacterErrorRate(page.Text, recognised);
                output.WriteLine($"{truth.File} p{page.PageNumber}: CER {cer:P2}");
                if (cer > 0.03) failures.Add($"{truth.File} page {page.PageNumber}: CER {cer:P2}");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void TextLayerPages_AreExtractedExactly()
    {
        var pages = 0;
        foreach (var truth in batch.Truths)
        {
            var document = batch.ReadDocument(truth.File);
            foreach (var page in truth.Pages.Where(p => p.Kind == "text"))
            {
                var extracted = DocumentAssembler.TextOf(document, document.Pages!.Single(p => p.PageNumber == page.PageNumber).Layout!.TextAnchor);
                Assert.Equal(page.Text, extracted);
                pages++;
            }
        }
        Assert.True(pages >= 5, $"only {pages} text-layer pages in the corpus");
    }

    [Fact]
    public void ScannedPdfPages_AreOcrd_AndTextPagesAreNot()
    {
        foreach (var truth in batch.Truths.Where(t => t.MimeType == "application/pdf"))
        {
            var expected = truth.Pages.Where(p => p.Kind == "ocr").Select(p => p.PageNumber).ToList();
            Assert.Equal(expected, Entry(truth.File).OcrPages);
        }
        Assert.Contains(batch.Truths, t => t.MimeType == "application/pdf" && t.Pages.Any(p => p.Kind == "ocr") && t.Pages.Any(p => p.Kind == "text"));
    }

    [Fact]
    public void RotatedPage_IsTurnedUpright()
    {
        var rotated = batch.Truths.SelectMany(t => t.Pages.Where(p => p.Rotation != 0).Select(p => (t.File, Page: p))).ToList();
        Assert.NotEmpty(rotated);
        foreach (var (file, page) in rotated)
        {
            var applied = Entry(file).RotatedPages?.GetValueOrDefault(page.PageNumber);
            Assert.True(applied is not null and not 0, $"{file} page {page.PageNumber} was not rotated");
            // The file's content was turned clockwise by page.Rotation; the engine turns it back clockwise by the rest.
            Assert.Equal(0, (page.Rotation + applied!.Value) % 360);
        }
    }

    [Fact]
    public void EveryAnchor_PointsAtItsOwnCharacters()
    {
        foreach (var truth in batch.Truths)
        {
            var document = batch.ReadDocument(truth.File);
            var text = document.Text!;
            foreach (var page in document.Pages!)
            {
                foreach (var token in page.Tokens!)
                {
                    var s = DocumentAssembler.TextOf(document, token.Layout!.TextAnchor);
                    Assert.False(string.IsNullOrWhiteSpace(s));
                    Assert.Equal(s.Trim(), s);
                }
                foreach (var line in page.Lines!)
                    Assert.EndsWith("\n", DocumentAssembler.TextOf(document, line.Layout!.TextAnchor));
                var tokenText = string.Join(" ", page.Tokens.Select(t => DocumentAssembler.TextOf(document, t.Layout!.TextAnchor)));
                var pageText = DocumentAssembler.TextOf(document, page.Layout!.TextAnchor);
                Assert.Equal(TextMetrics.Normalise(pageText), TextMetrics.Normalise(tokenText));
                foreach (var v in page.Tokens.SelectMany(t => t.Layout!.BoundingPoly!.NormalizedVertices!))
                    Assert.InRange(v.X, 0f, 1f);
            }
            Assert.Equal(text.Length, (int)document.Pages.Sum(p => p.Layout!.TextAnchor?.TextSegments?.Sum(s => s.EndIndex - s.StartIndex) ?? 0));
        }
    }

    [Fact]
    public void BadInputs_GetTheirErrorCode_AndTheRestOfTheBatchCompletes()
    {
        foreach (var (file, code) in SampleBatchFixture.BadInputs)
        {
            var entry = Entry(file);
            Assert.True(entry.Status == "failed", $"{file} was {entry.Status}");
            Assert.Equal(code, entry.Error!.Code);
            Assert.False(string.IsNullOrWhiteSpace(entry.Error.Message));
            var errorFile = JsonNode.Parse(File.ReadAllText(Path.Combine(batch.OutputDirectory, file + ".error.json")))!;
            Assert.Equal(code, (string?)errorFile["error"]!["code"]);
            output.WriteLine($"{file}: {entry.MimeType} {code}: {entry.Error.Message}");
        }
        Assert.Equal("text/plain", Entry("bad/notes.pdf").MimeType);
        Assert.Equal(batch.Truths.Count, batch.Summary.Totals.Succeeded);
        Assert.Equal(SampleBatchFixture.BadInputs.Count, batch.Summary.Totals.Failed);
    }

    [Fact]
    public void Summary_IsWritten_WithOneEntryPerInput()
    {
        var summary = BatchSummary.TryLoad(Path.Combine(batch.OutputDirectory, "summary.json"));
        Assert.NotNull(summary);
        Assert.Equal(batch.Truths.Count + SampleBatchFixture.BadInputs.Count, summary.Files.Count);
        Assert.All(summary.Files.Where(f => f.Status == "succeeded"), f => Assert.True(f.Milliseconds > 0 && f.Pages > 0 && f.Sha256!.Length == 64));
    }
}
