using System.Diagnostics;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Outputs;
using DocFlow.Processing;

namespace DocFlow.IntegrationTests.Outputs;

/// <summary>Every bundled sample read once by the real engine, and its searchable PDF written; the tests check the files.</summary>
public sealed class OutputsFixture : IAsyncLifetime
{
    public static readonly string[] Samples =
    [
        "fax-3pages.tif", "form-filled.pdf", "form-scan.png", "invoice-digital.pdf", "invoice-scan.png", "letter-skewed.jpg",
        "memo-rotated.png", "mixed-pages.pdf", "receipt-digital.pdf", "receipt-shop.jpg", "report-multipage.pdf", "scanned-contract.pdf",
    ];

    public string Directory { get; } = Repo.NewTempDirectory("outputs");
    public Dictionary<string, Document> Documents { get; } = [];

    public string Input(string sample) => Path.Combine(Repo.Samples, sample);
    public string SearchablePdf(string sample) => Path.Combine(Directory, sample + ".searchable.pdf");

    public async Task InitializeAsync()
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = Environment.ProcessorCount });
        foreach (var sample in Samples)
        {
            var bytes = await File.ReadAllBytesAsync(Input(sample));
            var result = await engine.ProcessAsync(new DocumentInput(sample, bytes), CancellationToken.None);
            Documents[sample] = result.Document;
            await File.WriteAllBytesAsync(SearchablePdf(sample), DocFlow.Outputs.SearchablePdf.Write(result.Document, bytes, CancellationToken.None));
        }
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Runs a tool; its exit code, standard output and standard error.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}

[CollectionDefinition(Name)]
public sealed class OutputsCollection : ICollectionFixture<OutputsFixture>
{
    public const string Name = "outputs";
}
