using DocFlow.Blobs;
using DocFlow.Blobs.S3;
using DocFlow.Data;
using DocFlow.Engine;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using DocFlow.Server.Ingest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DocFlow.Server.Hosting;

public static class PlatformServiceCollectionExtensions
{
    /// <summary>
    /// Registers the platform's parts from configuration: blob store (folder or S3), job store (SQLite or
    /// PostgreSQL), queue (in-process or Redis Streams), the engine, and the hosted workers when asked for.
    /// The same parts serve <c>docflow serve</c> and <c>docflow worker</c>; only the adapters differ.
    /// </summary>
    public static IHostApplicationBuilder AddDocFlowPlatform(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PlatformOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EngineOptions>().BindConfiguration(EngineOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SplitOptions>().BindConfiguration(SplitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var platform = builder.Configuration.Get<PlatformOptions>() ?? new PlatformOptions();
        services.TryAddSingleton(TimeProvider.System);
        Observability.ObservabilityExtensions.AddDocFlowObservability(builder);

        // Blobs: a folder by default, S3 when --storage s3://bucket/prefix.
        services.TryAddSingleton<IBlobStore>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<PlatformOptions>>().Value;
            var storage = o.Storage ?? Path.Combine(o.DataDirectory, "blobs");
            if (!storage.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) return new FileSystemBlobStore(storage);
            var (bucket, prefix) = S3BlobStoreOptions.ParseUri(storage);
            return new S3BlobStore(new S3BlobStoreOptions
            {
                Bucket = bucket, Prefix = prefix, ServiceUrl = o.S3ServiceUrl, AccessKey = o.S3AccessKey, SecretKey = o.S3SecretKey, Region = o.S3Region,
            });
        });

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

        // Queue: in-process by default; Redis Streams when --redis is set.
        if (platform.Distributed)
        {
            services.AddOptions<RedisQueueOptions>().BindConfiguration(RedisQueueOptions.SectionName);
            services.TryAddSingleton<IConnectionMultiplexer>(_ =>
            {
                var config = ConfigurationOptions.Parse(platform.Redis!);
                config.AbortOnConnectFail = false;
                return ConnectionMultiplexer.Connect(config);
            });
            services.TryAddSingleton(sp => new RedisJobQueue(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<IOptions<RedisQueueOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<RedisJobQueue>>()));
            services.TryAddSingleton<IJobQueue>(sp => sp.GetRequiredService<RedisJobQueue>());
            services.TryAddSingleton<IDeadLetterStore>(sp => sp.GetRequiredService<RedisJobQueue>());
        }
        else
        {
            services.TryAddSingleton(sp => new InProcessJobQueue(sp.GetRequiredService<TimeProvider>()));
            services.TryAddSingleton<IJobQueue>(sp => sp.GetRequiredService<InProcessJobQueue>());
            services.TryAddSingleton<IDeadLetterStore>(sp => sp.GetRequiredService<InProcessJobQueue>());
        }

        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<EngineOptions>>().Value);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RetryOptions>>().Value);
        // The in-process queue starts empty: every job the store still has waiting or in flight must be offered again.
        // Redis keeps its own entries, so only jobs queued long ago (a process that died holding them) are re-offered.
        services.TryAddSingleton(sp => new QueueHandoff(
            sp.GetRequiredService<IJobQueue>(), sp.GetRequiredService<Storage.IJobIntakeStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QueueHandoff>>())
        {
            RecoverAfter = platform.Distributed ? TimeSpan.FromMinutes(10) : TimeSpan.Zero,
            RecoverInFlight = !platform.Distributed,
        });
        services.AddHostedService(sp => sp.GetRequiredService<QueueHandoff>());
        services.TryAddSingleton<IngestService>();
        Dashboard.DashboardServiceCollectionExtensions.AddDocFlowDashboard(builder);
        return builder;
    }

    /// <summary>Hosts <paramref name="slots"/> worker slots in this process (documents at once) on the given routes.</summary>
    public static IHostApplicationBuilder AddDocFlowWorkers(this IHostApplicationBuilder builder, int slots, IReadOnlyCollection<JobRoute>? routes = null)
    {
        if (slots <= 0) return builder;
        var services = builder.Services;
        services.TryAddSingleton<LocalDocumentEngine>(sp => new LocalDocumentEngine(sp.GetRequiredService<EngineOptions>()));
        services.TryAddSingleton<IDocumentEngine>(sp => sp.GetRequiredService<LocalDocumentEngine>());
        services.TryAddSingleton<DocumentJobHandler>();
        services.AddOptions<WorkerOptions>().Configure(o =>
        {
            o.Slots = slots;
            if (routes is not null) o.Routes = [.. routes];
        });
        services.AddHostedService<WorkerService>();
        return builder;
    }
}
