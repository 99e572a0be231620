using DocFlow.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpenTelemetry.Metrics;

namespace DocFlow.Server.Observability;

public static class ObservabilityExtensions
{
    /// <summary>The standard variable that turns on OTLP export; without it spans are recorded but not sent anywhere.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The runtime's built-in meter (.NET 9+): GC, memory, thread pool, exceptions, process CPU and memory.</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>
    /// Metrics (every instrument on the <c>DocFlow</c> meter of this host's <see cref="DocFlowTelemetry"/>, served in the
    /// Prometheus format by OpenTelemetry's exporter; <see cref="DocFlowMetrics"/> adds the queue gauges), traces (the <c>DocFlow</c> activity source and ASP.NET Core requests,
    /// exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set) and the log format
    /// (<c>Logging:Format</c> = text | json).
    /// </summary>
    public static IHostApplicationBuilder AddDocFlowObservability(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ObservabilityOptions>().BindConfiguration(ObservabilityOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<DocFlowTelemetry>();
        services.TryAddSingleton<DocFlowMetrics>();

        var serviceName = builder.Configuration[$"{ObservabilityOptions.SectionName}:{nameof(ObservabilityOptions.ServiceName)}"] ?? "docflow";
        var tracing = services.AddOpenTelemetry()
            .ConfigureResource(r =>
            {
                // OTEL_SERVICE_NAME, when set, is the operator's word and wins.
                if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")))
                    r.AddService(serviceName, serviceVersion: typeof(DocFlowTelemetry).Assembly.GetName().Version?.ToString());
            })
            .WithMetrics(m =>
            {
                m.AddMeter(DocFlowTelemetry.Name);
                // .NET's own meters, no package needed: System.Runtime (GC, heap, thread pool, exceptions, CPU time and
                // working set of the process: dotnet_*), ASP.NET Core's request duration and active requests
                // (http_server_*) and Kestrel's connections.
                m.AddMeter(RuntimeMeter, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
                // Two hosts in one process (tests) each have their meters from their own IMeterFactory: a provider exports
                // its own host's instruments only. Process-wide meters (System.Runtime) have no factory and are kept.
                ((IDeferredMeterProviderBuilder)m).Configure((sp, b) =>
                {
                    var own = sp.GetRequiredService<DocFlowTelemetry>().Meter;
                    b.AddView(instrument =>
                        ReferenceEquals(instrument.Meter, own)
                        || (instrument.Meter.Name != DocFlowTelemetry.Name && (instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, own.Scope)))
                            ? null
                            : MetricStreamConfiguration.Drop);
                });
                m.AddPrometheusExporter(o =>
                {
                    o.ScrapeResponseCacheDurationMilliseconds = 0; // the queue gauges have their own cache (QueueStatisticsCacheTime)
                    o.ScopeInfoEnabled = false;
                    o.TargetInfoEnabled = false;
                });
            })
            .WithTracing(t =>
            {
                t.AddSource(DocFlowTelemetry.Name);
                t.AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path));
                if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable)))
                    t.AddOtlpExporter();
            });

        builder.AddDocFlowLogFormat();
        return builder;
    }

    /// <summary><c>Logging:Format=json</c> (<c>DOCFLOW__Logging__Format</c>, <c>--log-format json</c>): one JSON object
    /// per line with scopes (job id, batch id, trace id). <c>text</c>, the default, stays readable for people.</summary>
    public static IHostApplicationBuilder AddDocFlowLogFormat(this IHostApplicationBuilder builder)
    {
        var format = builder.Configuration["Logging:Format"];
        if (string.IsNullOrWhiteSpace(format) || format.Equals("text", StringComparison.OrdinalIgnoreCase)) return builder;
        if (!format.Equals("json", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Logging:Format is '{format}'; use 'text' (the default) or 'json'.");
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        });
        // Trace and span ids ride as a scope on every line logged inside a span (the host default, made explicit).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        return builder;
    }

    /// <summary>Maps <c>GET /metrics</c> (Prometheus text format) on the API.</summary>
    public static IEndpointConventionBuilder MapDocFlowMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null,
                RefreshingQueueGauges(endpoints.ServiceProvider.GetRequiredService<DocFlowMetrics>()), optionsName: null)
            .WithTags("Health")
            .ExcludeFromDescription();

    /// <summary>Reads the queue statistics (cached, bounded by a timeout) before the exporter collects the gauges.</summary>
    internal static Action<IApplicationBuilder> RefreshingQueueGauges(DocFlowMetrics metrics) => branch => branch.Use(async (context, next) =>
    {
        await metrics.RefreshAsync(context.RequestAborted).ConfigureAwait(false);
        await next(context).ConfigureAwait(false);
    });

    /// <summary>Serves /metrics on a port of its own for hosts without an HTTP API (<c>docflow worker</c>).</summary>
    public static IHostApplicationBuilder AddDocFlowMetricsServer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<MetricsServerService>();
        return builder;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
