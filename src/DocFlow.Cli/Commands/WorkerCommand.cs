using System.ComponentModel;
using DocFlow.Queueing;
using DocFlow.Server.Hosting;
using DocFlow.Server.Observability;
using Microsoft.Extensions.Configuration;
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

    [CommandOption("--metrics-port <PORT>")]
    [Description("Port of this worker's Prometheus /metrics listener; 0 turns it off. Key: Observability:MetricsPort. Default: 9464.")]
    public int? MetricsPort { get; init; }

    [CommandOption("--log-format <FORMAT>")]
    [Description("Console log format: text, or json (one object per line, with job, batch and trace ids). Key: Logging:Format. Default: text.")]
    public string? LogFormat { get; init; }

    public override IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        foreach (var kv in base.ToConfiguration()) yield return kv;
        if (MetricsPort is { } port) yield return new("Observability:MetricsPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (LogFormat is not null) yield return new("Logging:Format", LogFormat);
    }

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
        // Worker defaults; files, DOCFLOW__* variables and flags override them. Queue gauges come from the API, since
        // every worker reads the same shared queue.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observability:ServiceName"] = "docflow-worker",
            ["Observability:QueueGauges"] = "false",
        });
        DocFlowServer.Configure(builder.Configuration, settings.ToConfiguration());
        builder.AddDocFlowPlatform();
        builder.AddDocFlowMetricsServer();
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
