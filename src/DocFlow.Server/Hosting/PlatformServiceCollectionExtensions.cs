using DocFlow.Blobs;
using DocFlow.Blobs.S3;
using DocFlow.Data;
using DocFlow.Engine;
using DocFlow.Engines.Cloud;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using DocFlow.Reports;
using DocFlow.Sandbox;
using DocFlow.Security.Encryption;
using DocFlow.Server.Ingest;
using DocFlow.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Hosting;

/// <summary>
/// Composition by role. Every host starts from <see cref="AddDocFlowCore"/> (options, time, blobs, store, queue,
/// worker registry: each adapter registers itself), then adds the roles it plays:
/// <list type="table">
/// <item><term><see cref="AddDocFlowIngest"/></term><description>accepting documents: ingest and the queue hand-off with
/// its start-up recovery.</description></item>
/// <item><term><see cref="Api.ApiEndpoints.AddDocFlowApi"/></term><description>the HTTP API role: ingest, the dashboard's
/// services, problem details, OpenAPI, upload rate limit (endpoints: <see cref="Api.ApiEndpoints.MapDocFlowApi"/>).</description></item>
/// <item><term><see cref="AddDocFlowWorkers"/></term><description>the worker role: engine, job handler, worker slots that
/// heartbeat in the registry.</description></item>
/// <item><term><see cref="AddDocFlowEmbedded"/></term><description>core, ingest and workers in one process, without
/// HTTP (what <c>docflow process</c> builds on; <c>docflow serve</c> adds the API).</description></item>
/// </list>
/// <c>docflow serve</c> = core + API + workers (0 slots with a broker); <c>docflow worker</c> = core + workers (or the
/// autoscaler), nothing of the API.
/// </summary>
public static class PlatformServiceCollectionExtensions
{
    /// <summary>
    /// The common core every role needs, chosen from configuration: options (validated at start), time, telemetry,
    /// blob store (a folder, or S3 with <c>--storage s3://bucket/prefix</c>), job store (SQLite in the data folder,
    /// migrated at start, or PostgreSQL), queue and worker registry (in-process, or Redis with <c>--redis</c>).
    /// </summary>
    public static IHostApplicationBuilder AddDocFlowCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PlatformOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EngineOptions>().BindConfiguration(EngineOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // The reports' cost per document (results.csv/json, report.pdf, the batch aggregate) uses the metrics' price table,
        // Engines:PricePerPage and Engines:Currency, in every role (the API makes results.csv; workers make report.pdf).
        services.TryAddSingleton(sp =>
        {
            var engines = sp.GetRequiredService<IConfiguration>().GetSection(EnginesOptions.SectionName).Get<EnginesOptions>() ?? new EnginesOptions();
            return new EnginePrices(engines.PricePerPage, engines.Currency);
        });
        services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SplitOptions>().BindConfiguration(SplitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WorkerRegistryOptions>().BindConfiguration(WorkerRegistryOptions.SectionName)
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero && o.StaleAfterIntervals >= 1 && o.ForgetAfter > o.StaleAfter,
                "Workers:Registry needs HeartbeatInterval > 0, StaleAfterIntervals >= 1 and ForgetAfter longer than the stale time.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<EngineOptions>>().Value);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RetryOptions>>().Value);
        var platform = builder.Configuration.Get<PlatformOptions>() ?? new PlatformOptions();
        services.TryAddSingleton(TimeProvider.System);
        Observability.ObservabilityExtensions.AddDocFlowObservability(builder);

        // Encryption at rest: on when a key is configured (Encryption:Keys:<id>, Encryption:KeyFiles), in every role.
        builder.AddDocFlowEncryption();

        // Blobs: a folder by default, S3 when --storage s3://bucket/prefix.
        var storage = platform.Storage ?? Path.Combine(platform.DataDirectory, "blobs");
        if (storage.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var (bucket, prefix) = S3BlobStoreOptions.ParseUri(storage);
            services.AddDocFlowS3Blobs(new S3BlobStoreOptions
            {
                Bucket = bucket, Prefix = prefix, ServiceUrl = platform.S3ServiceUrl, AccessKey = platform.S3AccessKey,
                SecretKey = platform.S3SecretKey, Region = platform.S3Region,
                ServerSideEncryption = builder.Configuration["S3:ServerSideEncryption"],
                KmsKeyId = builder.Configuration["S3:KmsKeyId"],
            });
        }
        else
        {
            services.TryAddSingleton(sp => new FileSystemBlobStore(storage, sp.GetRequiredService<AtRestEncryption>()));
            services.TryAddSingleton<IBlobStore>(sp => sp.GetRequiredService<FileSystemBlobStore>());
        }

        // Leftovers of killed processes (temp files, half-written blobs) go at start-up, in every role.
        services.AddHostedService<TempFileSweeper>();

        // Store: SQLite next to the blobs by default (migrated at start-up), PostgreSQL when configured.
        services.AddDocFlowData(db =>
        {
            var configured = builder.Configuration["Database:ConnectionString"];
            if (string.IsNullOrWhiteSpace(configured))
            {
                Directory.CreateDirectory(platform.DataDirectory);
                db.ConnectionString = Path.Combine(platform.DataDirectory, "docflow.db");
            }
            if (DatabaseOptions.Detect(db.ConnectionString) == DatabaseProvider.Sqlite
                && builder.Configuration["Database:MigrateOnStartup"] is null)
                db.MigrateOnStartup = true;
        });

        // Queue and worker registry: in-process by default; Redis Streams and a Redis registry when --redis is set.
        if (platform.Distributed)
        {
            services.AddDocFlowRedis(platform.Redis!);
        }
        else
        {
            services.TryAddSingleton(sp => new InProcessJobQueue(sp.GetRequiredService<TimeProvider>()));
            services.TryAddSingleton<IJobQueue>(sp => sp.GetRequiredService<InProcessJobQueue>());
            services.TryAddSingleton<IDeadLetterStore>(sp => sp.GetRequiredService<InProcessJobQueue>());
            services.TryAddSingleton<IQueueErasure>(sp => sp.GetRequiredService<InProcessJobQueue>());
            services.TryAddSingleton<IWorkerRegistry>(sp => new InProcessWorkerRegistry(
                sp.GetRequiredService<IOptions<WorkerRegistryOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        }
        return builder;
    }

    /// <summary>
    /// Encryption at rest from the <c>Encryption</c> section (<see cref="EncryptionOptions"/>): one
    /// <see cref="AtRestEncryption"/> for the blob store and the EF store. Keys are loaded and checked at start
    /// (bad base64, wrong length, unknown active id, <c>Required</c> without a key: the host does not start).
    /// </summary>
    public static IHostApplicationBuilder AddDocFlowEncryption(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<EncryptionOptions>().BindConfiguration(EncryptionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EncryptionOptions>, EncryptionOptionsValidator>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EncryptionOptions>>().Value;
            return new AtRestEncryption(KeyRing.Load(options), sp.GetService<ILogger<AtRestEncryption>>(), allowPlaintextReads: options.AllowPlaintextReads);
        });
        return builder;
    }

    internal sealed class EncryptionOptionsValidator : IValidateOptions<EncryptionOptions>
    {
        public static string? Check(EncryptionOptions options)
        {
            try
            {
                KeyRing.Load(options);
                return null;
            }
            catch (EncryptionConfigurationException e)
            {
                return e.Message;
            }
        }

        public ValidateOptionsResult Validate(string? name, EncryptionOptions options) =>
            Check(options) is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
    }

    /// <summary>
    /// The ingest role: <see cref="IngestService"/> (blob, sniff, record, enqueue, dedup, backpressure) and the
    /// <see cref="QueueHandoff"/> that enqueues for it and, at start-up, re-offers what the store still has waiting.
    /// Hosts that accept documents take it (the API, <c>docflow process</c>); workers never do.
    /// </summary>
    public static IHostApplicationBuilder AddDocFlowIngest(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var platform = builder.Configuration.Get<PlatformOptions>() ?? new PlatformOptions();
        // The in-process queue starts empty: every job the store still has waiting or in flight must be offered again.
        // Redis keeps its own entries, so only jobs queued long ago (a process that died holding them) are re-offered.
        services.TryAddSingleton(sp => new QueueHandoff(
            sp.GetRequiredService<IJobQueue>(), sp.GetRequiredService<Storage.IJobIntakeStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QueueHandoff>>())
        {
            RecoverAfter = platform.Distributed ? TimeSpan.FromMinutes(10) : TimeSpan.Zero,
            RecoverInFlight = !platform.Distributed,
            MaxDeliveries = sp.GetRequiredService<RetryOptions>().MaxDeliveries,
            Completion = sp.GetService<BatchCompletion>(),
            Attempts = sp.GetRequiredService<Storage.IJobProcessingStore>(),
            Telemetry = sp.GetService<DocFlow.Diagnostics.DocFlowTelemetry>(),
            Database = platform.Distributed ? sp.GetRequiredService<Storage.IJobMonitoringStore>() : null,
        });
        services.AddHostedService(sp => sp.GetRequiredService<QueueHandoff>());
        Webhooks.WebhookServiceCollectionExtensions.AddDocFlowWebhookRecovery(builder, platform.Distributed);
        // Re-drives jobs a Redis failover lost, every Queue:ReconcileInterval (not only at start-up).
        var reconcileInterval = builder.Configuration.GetValue("Queue:ReconcileInterval", TimeSpan.FromMinutes(2));
        var reconcileMinAge = builder.Configuration.GetValue("Queue:ReconcileMinAge", TimeSpan.FromMinutes(2));
        services.AddHostedService(sp => new QueueReconciler(
            sp.GetRequiredService<IJobQueue>(), sp.GetRequiredService<Storage.IJobIntakeStore>(), sp.GetRequiredService<QueueHandoff>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<QueueReconciler>>(), sp.GetService<DocFlow.Diagnostics.DocFlowTelemetry>())
        {
            Interval = reconcileInterval,
            MinAge = reconcileMinAge,
        });
        if (platform.Distributed)
        {
            // A Redis that comes up empty (the standby region's after a failover, a flushed one) gets the store's open jobs.
            services.TryAddSingleton(sp => new QueueRebuild(
                sp.GetRequiredService<Redis.RedisQueueGeneration>(), sp.GetRequiredService<QueueHandoff>(),
                sp.GetRequiredService<Storage.IJobIntakeStore>(), sp.GetRequiredService<Storage.IJobMonitoringStore>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<QueueRebuild>>())
            {
                MaxDeliveries = sp.GetRequiredService<RetryOptions>().MaxDeliveries,
                Completion = sp.GetService<BatchCompletion>(),
                Attempts = sp.GetRequiredService<Storage.IJobProcessingStore>(),
            });
            services.AddHostedService(sp => sp.GetRequiredService<QueueRebuild>());
        }
        services.TryAddSingleton<BatchCompletion>();
        services.TryAddSingleton<IngestService>();
        return builder;
    }

    /// <summary>The worker role: hosts <paramref name="slots"/> worker slots in this process (documents at once) on
    /// the given routes, with the engine and the job handler; they heartbeat in the worker registry. None when
    /// <paramref name="slots"/> is 0.</summary>
    public static IHostApplicationBuilder AddDocFlowWorkers(this IHostApplicationBuilder builder, int slots, IReadOnlyCollection<JobRoute>? routes = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (slots <= 0) return builder;
        var services = builder.Services;
        builder.AddDocFlowJobHandler();
        services.AddOptions<WorkerOptions>().Configure(o =>
        {
            o.Slots = slots;
            if (routes is not null) o.Routes = [.. routes];
        });
        services.AddHostedService<WorkerService>();
        return builder;
    }

    /// <summary>What processes a job, whoever runs the slots (<see cref="WorkerService"/> or the autoscaler): the local
    /// engine, <see cref="DocumentJobHandler"/> on the image and pdf routes and <see cref="StoredReportJobHandler"/> on
    /// the report route, behind one <see cref="JobRouter"/>; <see cref="BatchCompletion"/> puts a batch's report job on
    /// the queue when its last document ends.</summary>
    public static IHostApplicationBuilder AddDocFlowJobHandler(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<LocalDocumentEngine>(sp => new LocalDocumentEngine(sp.GetRequiredService<EngineOptions>()));
        // Engine:Sandbox:Enabled (default on): the engine runs in `docflow engine-host` child processes and this process
        // never loads PdfPig, Tesseract or leptonica; off, in this process as before.
        services.TryAddSingleton<IEngineCrashLedger, InProcessEngineCrashLedger>();
        services.TryAddSingleton(sp => new SandboxedDocumentEngine(sp.GetRequiredService<IOptions<SandboxOptions>>().Value,
            sp.GetRequiredService<EngineOptions>(), sp.GetRequiredService<IEngineCrashLedger>(), sp.GetService<ILogger<SandboxedDocumentEngine>>()));
        services.TryAddSingleton<IDocumentEngine>(sp => sp.GetRequiredService<IOptions<SandboxOptions>>().Value.Enabled
            ? sp.GetRequiredService<SandboxedDocumentEngine>()
            : sp.GetRequiredService<LocalDocumentEngine>());
        // Engines:Routes may send a route to a cloud engine (docs/engines.md); the local (sandboxed) engine stays the fallback.
        builder.AddDocFlowCloudEngines();
        services.TryAddSingleton<BatchCompletion>();
        services.TryAddSingleton<DocumentJobHandler>();
        services.TryAddSingleton<StoredReportJobHandler>();
        Webhooks.WebhookServiceCollectionExtensions.AddDocFlowWebhooks(builder);
        services.TryAddSingleton(sp => new JobRouter(sp.GetRequiredService<DocumentJobHandler>(), sp.GetRequiredService<StoredReportJobHandler>(),
            sp.GetRequiredService<Webhooks.WebhookDeliveryHandler>()));
        return builder;
    }

    /// <summary>The embedded composition: core, ingest and <paramref name="slots"/> worker slots in one process, on
    /// the adapters configuration names (in-process queue and SQLite by default). No HTTP: <c>docflow serve</c> adds
    /// <see cref="Api.ApiEndpoints.AddDocFlowApi"/>, <c>docflow process</c> submits through <see cref="IngestService"/>.</summary>
    public static IHostApplicationBuilder AddDocFlowEmbedded(this IHostApplicationBuilder builder, int slots, IReadOnlyCollection<JobRoute>? routes = null)
    {
        builder.AddDocFlowCore();
        builder.AddDocFlowIngest();
        builder.AddDocFlowWorkers(slots, routes);
        return builder;
    }
}
