using DocFlow.Cli.Batch;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;

namespace DocFlow.IntegrationTests.Cli;

public sealed class ResumeTests : IDisposable
{
    private readonly string _in = Repo.NewTempDirectory("resume-in");
    private readonly string _out = Repo.NewTempDirectory("resume-out");

    private async Task<BatchSummary> RunAsync(bool force = false, string lang = "eng")
    {
        var options = new EngineOptions { Slots = 2, Languages = lang };
        using var engine = new LocalDocumentEngine(options);
        var runner = new BatchRunner(engine, LocalDocumentEngine.OptionsKey(options));
        return await runner.RunAsync(InputCollector.Collect([_in], out _), _out, force, null, CancellationToken.None);
    }

    private void CopyTextPdfs()
    {
        // Digital PDFs are fast: this test is about bookkeeping, not OCR.
        foreach (var truth in Directory.EnumerateFiles(Repo.Samples, "*.truth.json").Select(DocFlow.Samples.GroundTruth.Load)
                     .Where(t => t.MimeType == "application/pdf" && t.Pages.All(p => p.Kind == "text")).Take(2))
            File.Copy(Path.Combine(Repo.Samples, truth.File), Path.Combine(_in, truth.File));
        File.WriteAllText(Path.Combine(_in, "readme.txt"), "not a document");
    }

    [Fact]
    public async Task SecondRun_SkipsFilesAlreadyDone_ForSameContentAndOptions()
    {
        CopyTextPdfs();
        var first = await RunAsync();
        Assert.Equal(2, first.Totals.Succeeded);
        Assert.Equal(1, first.Totals.Failed);

        var second = await RunAsync();

        // The documents are answered from the run's store (.docflow/docflow.db) without an attempt; the file that is not
        // a document is refused at the door again, which costs no processing either.
        Assert.Equal(2, second.Totals.Skipped);
        Assert.Equal(0, second.Totals.Succeeded);
        Assert.Equal("unsupported_type", Assert.Single(second.Files, f => f.Status == "failed").Error?.Code);
        Assert.All(second.Files.Where(f => f.Status == "skipped"), f => Assert.Equal(0, f.Attempts));
        Assert.All(second.Files, f => Assert.True(File.Exists(Path.Combine(_out, f.Output))));
        Assert.True(File.Exists(Path.Combine(_out, EmbeddedPlatform.StateDirectoryName, "docflow.db")));
    }

    [Fact]
    public async Task DeletedOutput_IsWrittenAgain_FromTheStore()
    {
        CopyTextPdfs();
        var first = await RunAsync();
        var done = first.Files.First(f => f.Status == "succeeded");
        var path = Path.Combine(_out, done.Output);
        var original = File.ReadAllText(path);
        File.Delete(path);

        var second = await RunAsync();

        Assert.Equal("skipped", second.Files.Single(f => f.File == done.File).Status);
        Assert.Equal(original, File.ReadAllText(path));
    }

    [Fact]
    public async Task ChangedContent_OrForce_IsProcessedAgain()
    {
        CopyTextPdfs();
        await RunAsync();
        File.WriteAllText(Path.Combine(_in, "readme.txt"), "changed, still not a document");

        var changed = await RunAsync();
        Assert.Equal("failed", changed.Files.Single(f => f.File == "readme.txt").Status);
        Assert.Equal(2, changed.Totals.Skipped);

        var forced = await RunAsync(force: true);
        Assert.Equal(0, forced.Totals.Skipped);
        Assert.Equal(2, forced.Totals.Succeeded);
    }

    public void Dispose()
    {
        Directory.Delete(_in, true);
        Directory.Delete(_out, true);
    }
}
