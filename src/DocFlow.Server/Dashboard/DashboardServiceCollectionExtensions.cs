using DocFlow.Redis;
using DocFlow.Server.Api;
using DocFlow.Server.Hosting;
using DocFlow.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DocFlow.Server.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>The worker registry (in-process, or Redis beside the Redis queue), the cost model and the overview.</summary>
    public static IHostApplicationBuilder AddDocFlowDashboard(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WorkerRegistryOptions>().BindConfiguration(WorkerRegistryOptions.SectionName)
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero && o.StaleAfterIntervals >= 1 && o.ForgetAfter > o.StaleAfter,
                "Workers:Registry needs HeartbeatInterval > 0, StaleAfterIntervals >= 1 and ForgetAfter longer than the stale time.")
            .ValidateOnStart();
        var platform = builder.Configuration.Get<PlatformOptions>() ?? new PlatformOptions();
        if (platform.Distributed)
        {
            services.TryAddSingleton<IWorkerRegistry>(sp => new RedisWorkerRegistry(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<IOptions<RedisQueueOptions>>().Value.KeyPrefix,
                sp.GetRequiredService<IOptions<WorkerRegistryOptions>>().Value,
                sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.TryAddSingleton<IWorkerRegistry>(sp => new InProcessWorkerRegistry(
                sp.GetRequiredService<IOptions<WorkerRegistryOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        }
        services.TryAddSingleton(new ServerStartTime(TimeProvider.System.GetUtcNow()));
        services.TryAddSingleton<DashboardService>();
        return builder;
    }

    /// <summary>The dashboard's static files at <c>/</c> (copied beside the assembly) and its API.</summary>
    public static WebApplication MapDocFlowDashboard(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(root))
        {
            var files = new PhysicalFileProvider(root);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }
        app.MapDashboardApi();
        return app;
    }
}
