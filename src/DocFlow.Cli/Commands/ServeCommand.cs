using System.ComponentModel;
using System.Globalization;
using DocFlow.Server.Api;
using DocFlow.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

public sealed class ServeSettings : PlatformSettings
{
    [CommandOption("--urls <URLS>")]
    [Description("Listen addresses. Default: http://127.0.0.1:8080.")]
    public string? Urls { get; init; }

    [CommandOption("--workers <N>")]
    [Description("Worker slots in this process; 0 runs the API alone. Default: cores without --redis, else 0.")]
    public int? Workers { get; init; }

    public override IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        foreach (var kv in base.ToConfiguration()) yield return kv;
        if (Workers is { } w) yield return new("Workers", w.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>docflow serve: the HTTP API, with embedded workers by default.</summary>
public sealed class ServeCommand : AsyncCommand<ServeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        var app = PlatformHost.BuildServer(settings, []);
        await app.RunAsync(cancellationToken);
        return 0;
    }
}

internal static class PlatformHost
{
    public static WebApplication BuildServer(ServeSettings settings, string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        Configure(builder.Configuration, settings);
        if (builder.Configuration["urls"] is null)
            builder.WebHost.UseUrls(settings.Urls ?? "http://127.0.0.1:8080");
        else if (settings.Urls is not null)
            builder.WebHost.UseUrls(settings.Urls);
        builder.AddDocFlowPlatform();
        builder.AddDocFlowApi();
        var platform = builder.Configuration.Get<PlatformOptions>() ?? new PlatformOptions();
        builder.AddDocFlowWorkers(platform.EffectiveWorkers);
        var app = builder.Build();
        app.MapDocFlowApi();
        return app;
    }

    /// <summary>appsettings.json and DOCFLOW__* environment variables, then the flags given (which win).</summary>
    public static void Configure(IConfigurationManager configuration, PlatformSettings settings)
    {
        // Quiet defaults (one line per request and per SQL command is too much); appsettings.json can change them.
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        });
        configuration.AddJsonFile("appsettings.json", optional: true);
        configuration.AddEnvironmentVariables("DOCFLOW__");
        configuration.AddInMemoryCollection(settings.ToConfiguration());
    }
}
