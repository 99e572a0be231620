using System.ComponentModel;
using DocFlow.Queueing;
using DocFlow.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

public sealed class WorkerSettings : PlatformSettings
{
    [CommandOption("--slots <N>")]
    [Description("Documents handled at once. Default: the number of cores.")]
    public int? Slots { get; init; }

    [CommandOption("--routes <ROUTES>")]
    [Description("Comma-separated routes to take: image, pdf, report. Default: all.")]
    public string? Routes { get; init; }

    [CommandOption("--grace <SECONDS>")]
    [Description("On SIGTERM: stop fetching, let jobs in flight finish for this long, then release them. Default: 30.")]
    [DefaultValue(30)]
    public int Grace { get; init; } = 30;

    public IReadOnlyCollection<JobRoute> ParseRoutes() => Routes is null
        ? JobRoutes.All
        : [.. Routes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => Enum.TryParse<JobRoute>(r, ignoreCase: true, out var route) ? route
                : throw new Batch.CommandFailedException($"Unknown route '{r}': use image, pdf or report."))];
}

/// <summary>docflow worker: takes jobs from the queue (Redis when distributed) and processes them.</summary>
public sealed class WorkerCommand : AsyncCommand<WorkerSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, WorkerSettings settings, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        DocFlowServer.Configure(builder.Configuration, settings.ToConfiguration());
        builder.AddDocFlowPlatform();
        var slots = settings.Slots ?? Environment.ProcessorCount;
        builder.AddDocFlowWorkers(slots, settings.ParseRoutes());
        builder.Services.Configure<WorkerOptions>(o => o.GracePeriod = TimeSpan.FromSeconds(settings.Grace));
        // The host waits for the workers' grace period (plus a margin) before it gives up on stopping.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(settings.Grace + 10));
        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
        return 0;
    }
}
