using DocFlow.Blobs;
using DocFlow.Data;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Server.Hosting;
using DocFlow.Server.Ingest;
using DocFlow.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DocFlow.Cli.Batch;

/// <summary>
/// The platform as `docflow process` hosts it: the same ingest, in-process queue, document job handler and job store
/// as `docflow serve`, with the store (SQLite) and the originals (a blob folder) kept in the output folder's
/// <c>.docflow/</c>. The store is what makes a second run resume: the ingest answers a file whose content and options
/// were processed before from the stored result, as the server deduplicates a re-sent upload.
/// </summary>
public sealed class EmbeddedPlatform : IAsyncDisposable
{
    /// <summary>The folder inside the output folder that holds the store and the originals.</summary>
    public const string StateDirectoryName = ".docflow";

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

    /// <summary>Opens (and migrates) the store under <paramref name="outputDirectory"/> and composes the parts around <paramref name="engine"/>.</summary>
    /// <param name="deduplicate">Answer content processed before (same options) from its stored result; false is <c>--force</c>.</param>
    public static async Task<EmbeddedPlatform> OpenAsync(
        string outputDirectory, IDocumentEngine engine, EngineOptions engineOptions, bool deduplicate, RetryOptions retry,
        ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var state = Path.Combine(Path.GetFullPath(outputDirectory), StateDirectoryName);
        Directory.CreateDirectory(state);
        var blobDirectory = Path.Combine(state, "blobs");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = Path.Combine(state, "docflow.db"),
        }).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(loggerFactory ?? NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(TimeProvider.System);
        services.AddDocFlowData();
        services.AddSingleton<IBlobStore>(new FileSystemBlobStore(blobDirectory));
        services.AddSingleton(sp => new InProcessJobQueue(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<InProcessJobQueue>());
        services.AddSingleton<IDeadLetterStore>(sp => sp.GetRequiredService<InProcessJobQueue>());
        services.AddSingleton(engine);
        services.AddSingleton(engineOptions);
        services.AddSingleton(retry);
        // Pages are already spread over the engine's slots in this process: no page-range jobs.
        services.AddSingleton(Options.Create(new SplitOptions { PageThreshold = 0 }));
        services.AddSingleton(Options.Create(new PlatformOptions { Deduplicate = deduplicate, MaxQueueDepth = int.MaxValue }));
        // The hand-off is used for its enqueue only: it is not started, so it re-offers nothing an earlier,
        // interrupted run left queued (that run's files are ingested again by this one when they are given again).
        services.AddSingleton<QueueHandoff>();
        services.AddSingleton<IngestService>();
        services.AddSingleton<BatchCompletion>();
        services.AddSingleton<DocumentJobHandler>();

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
