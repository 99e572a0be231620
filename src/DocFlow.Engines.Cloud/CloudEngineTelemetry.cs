using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DocFlow.Diagnostics;

namespace DocFlow.Engines.Cloud;

/// <summary>Measurements of the cloud engines, on DocFlow's meter (so <c>/metrics</c> exports them with the rest). Every
/// instrument has the label <c>engine</c> (the engine's name in <c>Engines:Cloud</c>, or "local").</summary>
public sealed class CloudEngineTelemetry : IDisposable
{
    public const string EngineTag = "engine";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ConcurrentDictionary<string, Func<int>> _breakers = new(StringComparer.Ordinal);

    public CloudEngineTelemetry(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(DocFlowTelemetry.Name) ?? new Meter(DocFlowTelemetry.Name);
        Requests = _meter.CreateCounter<long>("docflow.engine.requests", "{request}",
            "HTTP attempts to a cloud engine, by engine and outcome (ok, or the HTTP status / timeout / unreachable).");
        RemoteDuration = _meter.CreateHistogram("docflow.engine.remote.duration", "s",
            "Latency of one HTTP attempt to a cloud engine, by engine.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DocFlowTelemetry.DurationBuckets });
        Retries = _meter.CreateCounter<long>("docflow.engine.retries", "{retry}", "Retries of cloud requests (429, 503, attempt timeouts), by engine.");
        QuotaWait = _meter.CreateHistogram("docflow.engine.quota.wait", "s",
            "Time a cloud request waited for its quota, by engine and limit (requests_per_minute, concurrent_requests, pages_in_flight).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60] });
        Fallbacks = _meter.CreateCounter<long>("docflow.engine.fallbacks", "{document}",
            "Documents a cloud engine handed to the local engine, by engine and reason (breaker_open, quota, timeout, unreachable, http_NNN, too_large, bad_response).");
        Documents = _meter.CreateCounter<long>("docflow.engine.documents", "{document}",
            "Documents produced, by the engine that produced them (engine) and the one configured for them (configured).");
        EnginePages = _meter.CreateCounter<long>("docflow.engine.pages", "{page}", "Pages produced, by engine.");
        Cost = _meter.CreateCounter<double>("docflow.engine.cost", "{currency}",
            "What the produced pages cost by the price table (Engines:PricePerPage), by engine and currency.");
        PackDocuments = _meter.CreateHistogram("docflow.engine.pack.documents", "{document}",
            "Documents in one packed request (Engines:Cloud:NAME:PackPages), by engine.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 4, 8, 12, 15, 30] });
        PackRefused = _meter.CreateCounter<long>("docflow.engine.pack.refused", "{document}",
            "Documents sent alone because their pack could not carry them, by engine and reason (unpackable, too_large, bad_split, http_4NN, bad_response, error).");
        _meter.CreateObservableGauge("docflow.engine.breaker.state", ObserveBreakers, "{state}",
            "Circuit breaker of each cloud engine: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    public Counter<long> Requests { get; }
    public Histogram<double> RemoteDuration { get; }
    public Counter<long> Retries { get; }
    public Histogram<double> QuotaWait { get; }
    public Counter<long> Fallbacks { get; }
    public Counter<long> Documents { get; }
    public Counter<long> EnginePages { get; }
    public Counter<double> Cost { get; }
    public Histogram<double> PackDocuments { get; }
    public Counter<long> PackRefused { get; }

    internal void TrackBreaker(string engine, Func<int> state) => _breakers[engine] = state;

    private IEnumerable<Measurement<int>> ObserveBreakers() =>
        _breakers.Select(b => new Measurement<int>(b.Value(), new KeyValuePair<string, object?>(EngineTag, b.Key)));

    internal static KeyValuePair<string, object?> Engine(string name) => new(EngineTag, name);

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
