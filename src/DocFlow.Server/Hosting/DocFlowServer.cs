using DocFlow.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace DocFlow.Server.Hosting;

/// <summary>Builds the `docflow serve` application: the API plus, unless told otherwise, embedded workers.</summary>
public static class DocFlowServer
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>The default address when a certificate is configured (<c>--cert</c>, <c>Kestrel:Certificates:Default:Path</c>).</summary>
    public const string DefaultHttpsUrls = "https://127.0.0.1:8443";

    /// <param name="settings">Configuration from flags; wins over appsettings.json and DOCFLOW__* variables.</param>
    /// <param name="urls">Listen addresses; null uses the configured `urls` or <see cref="DefaultUrls"/>.</param>
    public static WebApplication Build(IEnumerable<KeyValuePair<string, string?>> settings, string? urls = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = HostArgs });
        Configure(builder.Configuration, settings);
        if (urls is not null || builder.Configuration["urls"] is null)
            builder.WebHost.UseUrls(urls ?? DefaultUrlsFor(builder.Configuration));
        // Core + API role + worker role (embedded slots; none by default with a broker, where `docflow worker` runs them).
        builder.AddDocFlowCore();
        builder.AddDocFlowApi();
        var platform = builder.Configuration.Get<PlatformOptions>() ?? new PlatformOptions();
        builder.AddDocFlowWorkers(platform.EffectiveWorkers);
        // A separate, unauthenticated /metrics listener only when a port is configured (Kubernetes: Prometheus scrapes
        // it on the pod network, fenced by a NetworkPolicy; the API's own /metrics needs an operator key).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["Observability:MetricsPort"]))
            Observability.ObservabilityExtensions.AddDocFlowMetricsServer(builder);
        var app = builder.Build();
        app.MapDocFlowApi();
        return app;
    }

    /// <summary>
    /// Arguments for every host DocFlow builds (<see cref="WebApplication.CreateBuilder(WebApplicationOptions)"/>,
    /// <c>Host.CreateApplicationBuilder</c>): the default builders watch appsettings.json for changes, and their file
    /// watcher covers the whole content root (the working directory) recursively: `docflow serve` started from `/` held
    /// 7,145 inotify watches (the usual per-user limit is 8,192, shared with every other program of the user) and
    /// processed every file event anywhere below it. DocFlow reads its configuration once at start (a change takes a
    /// restart, as options bound at start always did), so nothing is watched.
    /// </summary>
    public static string[] HostArgs => ["--hostBuilder:reloadConfigOnChange=false"];

    /// <summary>HTTPS on 8443 when a default certificate is configured (Kestrel serves every https address with it), else HTTP on 8080.</summary>
    public static string DefaultUrlsFor(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration?["Kestrel:Certificates:Default:Path"]) ? DefaultUrls : DefaultHttpsUrls;

    /// <summary>Quiet logging defaults, appsettings.json, DOCFLOW__* environment variables, then the flags given.</summary>
    public static void Configure(IConfigurationManager configuration, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        // One line per request and per SQL command is too much by default; appsettings.json can change it.
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        });
        configuration.AddJsonFile("appsettings.json", optional: true);
        configuration.AddEnvironmentVariables("DOCFLOW__");
        configuration.AddInMemoryCollection(settings);
    }
}
