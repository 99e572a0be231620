using DocFlow.Cli.Commands;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using DocFlow.Server.Dashboard;
using DocFlow.Server.Hosting;
using DocFlow.Server.Ingest;
using DocFlow.Server.Scaling;
using DocFlow.Storage;
using DocFlow.Workers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DocFlow.IntegrationTests.Cli;

/// <summary>Composition by role: `docflow worker` registers the core and the worker role, nothing of the API role.</summary>
public sealed class WorkerCompositionTests
{
    /// <summary>What the API role registers (services or hosted services); a worker host must have none of them.</summary>
    private static readonly Type[] ApiServices =
    [
        typeof(IngestService), typeof(QueueHandoff), typeof(DashboardService), typeof(ServerStartTime),
        typeof(IProblemDetailsService), typeof(IServer), typeof(EndpointDataSource),
        typeof(DocFlow.Server.Erasure.ErasureService), typeof(DocFlow.Server.Erasure.RetentionSweeper),
    ];

    private static readonly string[] ApiNamespaces = ["DocFlow.Server.Api", "DocFlow.Server.Dashboard", "DocFlow.Server.Ingest", "DocFlow.Server.Erasure"];

    /// <summary>The type a descriptor makes: its implementation type, its instance's type, or what its factory returns.</summary>
    private static Type? Implementation(ServiceDescriptor d) => d.IsKeyedService
        ? d.KeyedImplementationType ?? d.KeyedImplementationInstance?.GetType() ?? d.KeyedImplementationFactory?.GetType().GenericTypeArguments[^1]
        : d.ImplementationType ?? d.ImplementationInstance?.GetType() ?? d.ImplementationFactory?.GetType().GenericTypeArguments[^1];

    private static IEnumerable<Type> Types(IServiceCollection services) =>
        services.SelectMany(d => new[] { d.ServiceType, Implementation(d) }).OfType<Type>().Distinct();

    private static void AssertNoApiService(IServiceCollection services)
    {
        var types = Types(services).ToList();
        Assert.All(ApiServices, api => Assert.DoesNotContain(types, t => api.IsAssignableFrom(t)));
        Assert.DoesNotContain(types, t => ApiNamespaces.Contains(t.Namespace));
    }

    private static WorkerSettings Settings(string dir, string? redis = null, string? autoscale = null) => new()
    {
        Redis = redis, Database = Path.Combine(dir, "docflow.db"), Storage = Path.Combine(dir, "blobs"), Slots = 2, Autoscale = autoscale,
        MetricsPort = 0,
    };

    [Fact]
    public void DistributedWorker_RegistersTheWorkerRole_AndNoApiService()
    {
        var builder = WorkerCommand.CreateBuilder(Settings(Repo.NewTempDirectory("worker-composition"), redis: "127.0.0.1:1"));

        AssertNoApiService(builder.Services);
        var hosted = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).Select(Implementation).ToList();
        Assert.Contains(typeof(WorkerService), hosted);
        Assert.DoesNotContain(typeof(QueueHandoff), hosted);
        var types = Types(builder.Services).ToList();
        Assert.Contains(typeof(DocumentJobHandler), types);
        Assert.Contains(typeof(IJobProcessingStore), types);
        Assert.Contains(typeof(IWorkerRegistry), types);
        Assert.Contains(typeof(RedisJobQueue), types);
        // Every service the worker registered can be built from what it registered (no API service is missing).
        using var provider = builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task EmbeddedWorker_ResolvesItsHostedServices_WorkerSlotsAndNothingOfTheApi()
    {
        var dir = Repo.NewTempDirectory("worker-composition");
        var builder = WorkerCommand.CreateBuilder(Settings(dir));
        AssertNoApiService(builder.Services);

        using var host = builder.Build();
        var hosted = host.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();
        Assert.Contains(typeof(WorkerService), hosted);
        Assert.DoesNotContain(hosted, t => ApiNamespaces.Contains(t.Namespace));
        Assert.Null(host.Services.GetService<IngestService>());
        Assert.Null(host.Services.GetService<QueueHandoff>());
        Assert.Null(host.Services.GetService<DashboardService>());
        Assert.IsType<InProcessJobQueue>(host.Services.GetRequiredService<IJobQueue>());
        Assert.IsType<InProcessWorkerRegistry>(host.Services.GetRequiredService<IWorkerRegistry>());
        // One store instance behind its ports.
        Assert.Same(host.Services.GetRequiredService<IJobProcessingStore>(), host.Services.GetRequiredService<IJobMonitoringStore>());
        await host.StopAsync(); // never started: nothing to stop, but the host must not complain
    }

    [Fact]
    public void AutoscalingWorker_RegistersTheSupervisor_AndNoApiService()
    {
        var builder = WorkerCommand.CreateBuilder(Settings(Repo.NewTempDirectory("worker-composition"), redis: "127.0.0.1:1", autoscale: "1:3"));

        AssertNoApiService(builder.Services);
        var hosted = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).Select(Implementation).ToList();
        Assert.Contains(typeof(AutoscaleSupervisor), hosted);
        Assert.DoesNotContain(typeof(WorkerService), hosted);
        Assert.Contains(typeof(DocumentJobHandler), Types(builder.Services));
    }

    [Fact]
    public async Task Server_HasTheApiRole_AndEmbeddedSlotsOnlyWhenAsked()
    {
        await using var apiOnly = DocFlowServer.Build(new Dictionary<string, string?> { ["DataDirectory"] = Repo.NewTempDirectory("server-composition"), ["Workers"] = "0" });
        Assert.NotNull(apiOnly.Services.GetService<IngestService>());
        Assert.NotNull(apiOnly.Services.GetService<DashboardService>());
        Assert.DoesNotContain(apiOnly.Services.GetServices<IHostedService>(), s => s is WorkerService);
        // Erasure and the retention sweeper are the API role's (the sweeper runs where the DELETE routes are).
        Assert.NotNull(apiOnly.Services.GetService<DocFlow.Server.Erasure.ErasureService>());
        Assert.Contains(apiOnly.Services.GetServices<IHostedService>(), s => s is DocFlow.Server.Erasure.RetentionSweeper);

        await using var embedded = DocFlowServer.Build(new Dictionary<string, string?> { ["DataDirectory"] = Repo.NewTempDirectory("server-composition"), ["Workers"] = "1" });
        Assert.Contains(embedded.Services.GetServices<IHostedService>(), s => s is WorkerService);
        Assert.Contains(embedded.Services.GetServices<IHostedService>(), s => s is QueueHandoff);
    }

    [Fact]
    public void EmbeddedComposition_IsIngestAndWorkers_WithoutHttp()
    {
        var builder = Host.CreateApplicationBuilder();
        DocFlowServer.Configure(builder.Configuration, new Dictionary<string, string?> { ["DataDirectory"] = Repo.NewTempDirectory("embedded-composition") });
        builder.AddDocFlowEmbedded(slots: 2);
        using var host = builder.Build();

        Assert.NotNull(host.Services.GetService<IngestService>());
        var hosted = host.Services.GetServices<IHostedService>().ToList();
        Assert.Contains(hosted, s => s is QueueHandoff);
        Assert.Contains(hosted, s => s is WorkerService);
        Assert.Null(host.Services.GetService<DashboardService>());
        Assert.Null(host.Services.GetService<IServer>());
    }
}
