using DocFlow.Cli.Batch;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Samples;

namespace DocFlow.IntegrationTests.Cli;

/// <summary>
/// The committed sample corpus plus every kind of bad input, processed once as one batch through the
/// embedded pipeline with the real engine; the tests read what it wrote.
/// </summary>
public sealed class SampleBatchFixture : IAsyncLifetime
{
    public string InputDirectory { get; } = Repo.NewTempDirectory("batch-in");
    public string OutputDirectory { get; } = Repo.NewTempDirectory("batch-out");
    public BatchSummary Summary { get; private set; } = null!;
    public IReadOnlyList<GroundTruth> Truths { get; private set; } = [];

    /// <summary>Bad inputs by file name, with the error code each must get.</summary>
    public static readonly IReadOnlyDictionary<string, string> BadInputs = new Dictionary<string, string>
    {
        ["bad/empty.pdf"] = "unsupported_type",
        ["bad/truncated.pdf"] = "corrupt",
        ["bad/encrypted.pdf"] = "encrypted",
        ["bad/notes.pdf"] = "unsupported_type",
        ["bad/huge-60mp.png"] = "too_many_pixels",
        ["bad/too-many-pages.pdf"] = "too_many_pages",
    };

    public async Task InitializeAsync()
    {
        foreach (var file in Directory.EnumerateFiles(Repo.Samples))
            File.Copy(file, Path.Combine(InputDirectory, Path.GetFileName(file)));
        Truths = [.. Directory.EnumerateFiles(Repo.Samples, "*.truth.json").Order().Select(GroundTruth.Load)];
        var bad = Path.Combine(InputDirectory, "bad");
        Directory.CreateDirectory(bad);
        File.WriteAllBytes(Path.Combine(bad, "empty.pdf"), DocFlow.Samples.BadInputs.EmptyFile());
        File.WriteAllBytes(Path.Combine(bad, "truncated.pdf"), DocFlow.Samples.BadInputs.TruncatedPdf());
        File.WriteAllBytes(Path.Combine(bad, "encrypted.pdf"), DocFlow.Samples.BadInputs.EncryptedPdf());
        File.WriteAllBytes(Path.Combine(bad, "notes.pdf"), DocFlow.Samples.BadInputs.TextNamedPdf());
        File.WriteAllBytes(Path.Combine(bad, "huge-60mp.png"), DocFlow.Samples.BadInputs.PngClaimingPixels(10_000, 6_000));
        File.WriteAllBytes(Path.Combine(bad, "too-many-pages.pdf"), DocFlow.Samples.BadInputs.PdfWithPages(501));

        var options = new EngineOptions { Slots = Environment.ProcessorCount };
        using var engine = new LocalDocumentEngine(options);
        var runner = new BatchRunner(engine, LocalDocumentEngine.OptionsKey(options));
        var inputs = InputCollector.Collect([InputDirectory], out _);
        Summary = await runner.RunAsync(inputs, OutputDirectory, force: false, progress: null, CancellationToken.None);
    }

    public Document ReadDocument(string file) =>
        DocumentJson.Deserialize(File.ReadAllText(Path.Combine(OutputDirectory, file + ".json")));

    public Task DisposeAsync()
    {
        Directory.Delete(InputDirectory, recursive: true);
        Directory.Delete(OutputDirectory, recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class SampleBatchCollection : ICollectionFixture<SampleBatchFixture>
{
    public const string Name = "sample batch";
}
