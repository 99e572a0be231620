using DocFlow.Data;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Server.Hosting;
using DocFlow.Server.Ingest;
using DocFlow.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.Cli.Batch;

/// <summary>
/// The platform as `docflow process` hosts it, composed by the same roles as `docflow serve`
/// (<see cref="PlatformServiceCollectionExtensions.AddDocFlowCore"/>, <c>AddDocFlowIngest</c>, <c>AddDocFlowJobHandler</c>):
/// the same ingest, in-process queue, document job handler and job store, with the store (SQLite) and the originals (a blob folder) kept in the output folder's
/// <c>.docflow/</c>. The store is what makes a second run resume: the ingest answers a file whose content and options
/// were processed before from the stored result, as the server deduplicates a re-sent upload.
/// </summary>
public sealed class EmbeddedPlatform : IAsyncDisposable
{
    /// <summary>The folder inside the output folder that holds the store and the originals.</summary>
    public const string StateDirectoryName = ".docflow";

    /// <summary>The store's file inside <see cref="StateDirectoryName"/>.</summary>
    private const string StoreFileName = "docflow.db";

    private readonly ServiceProvider _services;
    private readonly string _blobDirectory;

    private EmbeddedPlatform(ServiceProvider services, string blobDirectory)
    {
        _services = services;
        _blobDirectory = blobDirectory;
    }

    public IServiceProvider Services => _services;
    public IJobMonitoringStore Store => _services.GetRequiredService<IJobMonitoringStore>();
    public IJobQueue Queue => _services.GetRequiredService<IJobQueue>();
    public IngestService Ingest => _services.GetRequiredService<IngestService>();
    public DocumentJobHandler Documents => _services.GetRequiredService<DocumentJobHandler>();

    /// <summary>Whether <paramref name="outputDirectory"/> holds a run's store already (a second run resumes from it).</summary>
    public static bool Exists(string outputDirectory) =>
        File.Exists(Path.Combine(Path.GetFullPath(outputDirectory), StateDirectoryName, StoreFileName));

    /// <summary>Opens (and migrates) the store under <paramref name="outputDirectory"/> and composes the parts around <paramref name="engine"/>.</summary>
    /// <param name="deduplicate">Answer content processed before (same options) from its stored result; false is <c>--force</c>.</param>
    public static async Task<EmbeddedPlatform> OpenAsync(
        string outputDirectory, IDocumentEngine engine, EngineOptions engineOptions, bool deduplicate, RetryOptions retry,
        ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var state = Path.Combine(Path.GetFullPath(outputDirectory), StateDirectoryName);
        Directory.CreateDirectory(state);
        var blobDirectory = Path.Combine(state, "blobs");
        // The same composition by role as `docflow serve` (core + ingest + the job handler), configured for one run: the
        // store and the blobs in OUT/.docflow, the in-process queue, no page-range jobs (the engine already spreads a
        // document's pages over its slots), deduplication as resume. The host is never started: its hosted services
        // (the queue hand-off's recovery of an earlier server's jobs, the metrics listener) have nothing to do here; the
        // run drives the worker loop itself (BatchRunner) and migrates the store below.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataDirectory"] = state,
            ["Storage"] = blobDirectory,
            ["Database:ConnectionString"] = Path.Combine(state, StoreFileName),
            ["Deduplicate"] = deduplicate ? "true" : "false",
            ["MaxQueueDepth"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Split:PageThreshold"] = "0",
        });
        var services = builder.Services;
        services.AddSingleton(loggerFactory ?? NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        // This run's engine and settings (the command line's), before the roles' defaults.
        services.AddSingleton(engine);
        services.AddSingleton(engineOptions);
        services.AddSingleton(retry);
        builder.AddDocFlowCore();
        builder.AddDocFlowIngest();
        builder.AddDocFlowJobHandler();

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false });
        try
        {
            await provider.GetRequiredService<DocFlowDatabase>().MigrateAsync(cancellationToken).ConfigureAwait(false);
            return new EmbeddedPlatform(provider, blobDirectory);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Removes the originals' copies: once every job of a run is terminal they are needed no more (resume keys on the store).</summary>
    public void DropOriginals()
    {
        try
        {
            if (Directory.Exists(_blobDirectory)) Directory.Delete(_blobDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a copy left behind costs disk space, nothing else
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
