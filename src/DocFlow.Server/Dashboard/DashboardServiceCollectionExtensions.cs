using DocFlow.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace DocFlow.Server.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>The dashboard's services (part of the API role): its options (cost model) and the overview, read from
    /// the queue, the worker registry and the store's monitoring port. The registry itself is core (workers heartbeat in it).</summary>
    public static IHostApplicationBuilder AddDocFlowDashboard(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(new ServerStartTime(TimeProvider.System.GetUtcNow()));
        services.TryAddSingleton<DashboardService>();
        services.TryAddSingleton<PageImageGate>();
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
