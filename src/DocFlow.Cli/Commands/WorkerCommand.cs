using System.ComponentModel;
using DocFlow.Queueing;
using DocFlow.Scaling;
using DocFlow.Server.Hosting;
using DocFlow.Server.Observability;
using DocFlow.Server.Scaling;
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

    [CommandOption("--cert <PEM>")]
    [Description("TLS certificate (PEM, the chain after the server's own) for the /metrics listener: it then serves HTTPS. Key: Kestrel:Certificates:Default:Path (as for serve).")]
    public string? Cert { get; init; }

    [CommandOption("--cert-key <PEM>")]
    [Description("The certificate's private key (PEM), when not in the --cert file. Key: Kestrel:Certificates:Default:KeyPath.")]
    public string? CertKey { get; init; }

    [CommandOption("--log-format <FORMAT>")]
    [Description("Console log format: text, or json (one object per line, with job, batch and trace ids). Key: Logging:Format. Default: text.")]
    public string? LogFormat { get; init; }

    public override IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        foreach (var kv in base.ToConfiguration()) yield return kv;
        if (MetricsPort is { } port) yield return new("Observability:MetricsPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (LogFormat is not null) yield return new("Logging:Format", LogFormat);
        if (Cert is not null) yield return new("Kestrel:Certificates:Default:Path", Cert);
        if (CertKey is not null) yield return new("Kestrel:Certificates:Default:KeyPath", CertKey);
    }

    [CommandOption("--autoscale <MIN:MAX>")]
    [Description("Scale between MIN and MAX workers from queue depth, throughput and the forecast arrivals: this process's slots, " +
        "then child `docflow worker` processes of --slots each (needs --redis). See docs/autoscaling.md.")]
    public string? Autoscale { get; init; }

    [CommandOption("--reactive")]
    [Description("With --autoscale: scale on the observed arrival rate only, without the Holt-Winters forecast.")]
    public bool Reactive { get; init; }

    public (int Min, int Max)? ParseAutoscale()
    {
        if (Autoscale is null) return null;
        var parts = Autoscale.Split(':');
        if (parts.Length == 2 && int.TryParse(parts[0], out var min) && int.TryParse(parts[1], out var max) && min >= 1 && max >= min)
            return (min, max);
        throw new Batch.CommandFailedException($"--autoscale '{Autoscale}': give MIN:MAX workers, 1 <= MIN <= MAX (e.g. 2:10).");
    }

    /// <summary>The arguments a child worker gets: the same platform and worker flags, never --autoscale.</summary>
    public IReadOnlyList<string> ChildArguments(int slots)
    {
        var args = new List<string>();
        void Add(string flag, string? value)
        {
            if (value is null) return;
            args.Add(flag);
            args.Add(value);
        }
        Add("--redis", Redis);
        Add("--database", Database);
        Add("--storage", Storage);
        Add("--lang", Lang);
        Add("--routes", Routes);
        Add("--slots", slots.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("--grace", Grace.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("--log-format", LogFormat);
        // Children share this host: only the supervisor listens on the metrics port.
        Add("--metrics-port", "0");
        return args;
    }

    public IReadOnlyCollection<JobRoute> ParseRoutes() => Routes is null
        ? JobRoutes.All
        : [.. Routes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => WireName.TryParse<JobRoute>(r, out var route) ? route
                : throw new Batch.CommandFailedException($"Unknown route '{r}': use {WireName.List<JobRoute>()}."))];
}

/// <summary>docflow worker: takes jobs from the queue (Redis when distributed) and processes them.</summary>
public sealed class WorkerCommand : AsyncCommand<WorkerSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, WorkerSettings settings, CancellationToken cancellationToken)
    {
        using var host = CreateBuilder(settings).Build();
        await host.RunAsync(cancellationToken);
        return 0;
    }

    /// <summary>The worker host: the common core and the worker role (fixed slots, or the autoscaler), plus its own
    /// /metrics listener. Nothing of the API role: no ingest, no queue hand-off or recovery, no dashboard, no endpoints.</summary>
    public static HostApplicationBuilder CreateBuilder(WorkerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = DocFlowServer.HostArgs });
        // Worker defaults; files, DOCFLOW__* variables and flags override them. Queue gauges come from the API, since
        // every worker reads the same shared queue.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observability:ServiceName"] = "docflow-worker",
            ["Observability:QueueGauges"] = "false",
        });
        DocFlowServer.Configure(builder.Configuration, settings.ToConfiguration());
        builder.AddDocFlowCore();
        builder.AddDocFlowMetricsServer();
        var slots = settings.Slots ?? Environment.ProcessorCount;
        if (settings.ParseAutoscale() is var (min, max))
        {
            var options = new AutoscaleSupervisorOptions
            {
                Autoscaler = new AutoscalerOptions { MinWorkers = min, MaxWorkers = max, SlotsPerWorker = slots, Predictive = !settings.Reactive },
                Routes = settings.ParseRoutes(),
                Distributed = !string.IsNullOrWhiteSpace(builder.Configuration["Redis"]),
                GracePeriod = TimeSpan.FromSeconds(settings.Grace),
            };
            builder.AddDocFlowAutoscaler(options, new DocflowWorkerLauncher(settings.ChildArguments(slots)));
        }
        else
        {
            builder.AddDocFlowWorkers(slots, settings.ParseRoutes());
        }
        builder.Services.Configure<WorkerOptions>(o => o.GracePeriod = TimeSpan.FromSeconds(settings.Grace));
        // The host waits for the workers' grace period (plus a margin) before it gives up on stopping.
        // Children stopping get the same grace plus 10 s before SIGKILL, so the supervisor waits a little longer.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(settings.Grace + (settings.Autoscale is null ? 10 : 25)));
        return builder;
    }
}
