using System.ComponentModel.DataAnnotations;

namespace DocFlow.Server.Observability;

/// <summary>Metrics and traces: the <c>Observability</c> section (<c>DOCFLOW__Observability__…</c>).
/// The log format is <c>Logging:Format</c>; the OTLP endpoint the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
public sealed class ObservabilityOptions
{
    public const string SectionName = "Observability";

    /// <summary>service.name on exported spans (unless <c>OTEL_SERVICE_NAME</c> is set).
    /// <value>Default: docflow (docflow-worker for <c>docflow worker</c>).</value></summary>
    [Required]
    public string ServiceName { get; set; } = "docflow";

    /// <summary>Export the queue gauges (depth, lag, dead letters) from this process. Every process reads the same
    /// shared queue, so <c>docflow worker</c> turns this off to keep <c>sum()</c> honest. <value>Default true.</value></summary>
    public bool QueueGauges { get; set; } = true;

    /// <summary>Queue statistics are read at scrape time and reused for this long, so scrapes stay cheap however
    /// many Prometheus servers ask. <value>Default 2 s.</value></summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan QueueStatisticsCacheTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A scrape waits at most this long for the queue; past it, the last values are served.
    /// <value>Default 1 s.</value></summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan QueueStatisticsTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Port of the stand-alone /metrics listener of <c>docflow worker</c> (<c>--metrics-port</c>); 0 turns it
    /// off. <c>docflow serve</c> serves /metrics on its API port instead. <value>Default 9464.</value></summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; } = 9464;
}
