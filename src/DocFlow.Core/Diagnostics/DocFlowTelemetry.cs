using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DocFlow.Diagnostics;

/// <summary>
/// DocFlow's traces and measurements: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <c>DocFlow</c>. Core code records here; hosts decide what is exported (Prometheus, OTLP, nothing).
/// </summary>
/// <remarks>The meter comes from <see cref="IMeterFactory"/> when there is one, so two hosts in one process (tests)
/// keep separate measurements; the activity source is process-wide, as activity sources are meant to be.</remarks>
public sealed class DocFlowTelemetry : IDisposable
{
    /// <summary>Name of the activity source and the meter: what an exporter subscribes to.</summary>
    public const string Name = "DocFlow";

    /// <summary>Spans of ingest, enqueue, job handling and engine work.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, typeof(DocFlowTelemetry).Assembly.GetName().Version?.ToString());

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <param name="meterFactory">The host's meter factory; without one the instance owns a meter of its own.</param>
    public DocFlowTelemetry(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(Name) ?? new Meter(Name);
        Documents = _meter.CreateCounter<long>("docflow.documents", "{document}",
            "Documents that reached a final status, by route and status (succeeded, failed, deduplicated).");
        DocumentsAccepted = _meter.CreateCounter<long>("docflow.documents.accepted", "{document}",
            "Documents the ingest accepted (stored and recorded), by tenant and route.");
        Pages = _meter.CreateCounter<long>("docflow.pages", "{page}",
            "Pages read, by path: text-layer (the PDF's own text) or ocr.");
        DocumentDuration = _meter.CreateHistogram("docflow.document.duration", "s",
            "Wall time a worker spent on one document, from fetch to stored result.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        // Capacity and use are two series (Prometheus: docflow_worker_slots, docflow_worker_slots_busy), so that
        // sum(docflow_worker_slots) is the fleet's capacity without a label filter.
        WorkerSlots = _meter.CreateObservableUpDownCounter("docflow.worker.slots", () => HostedSlots, "{slot}",
            "Worker slots hosted in this process (its capacity: documents it can handle at once).");
        WorkerSlotsBusy = _meter.CreateObservableUpDownCounter("docflow.worker.slots.busy", () => BusySlots, "{slot}",
            "Worker slots of this process handling a job now.");
        QueueWait = _meter.CreateHistogram("docflow.queue.wait", "s",
            "Seconds a job waited on the queue before a worker first took it, by route and priority (first deliveries only).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WaitBuckets });
        JobsEnqueued = _meter.CreateCounter<long>("docflow.jobs.enqueued", "{job}",
            "Jobs the API handed to the queue (arrivals), by route and priority.");
        JobsRetried = _meter.CreateCounter<long>("docflow.jobs.retried", "{job}",
            "Job attempts that failed and were scheduled again after a delay, by route.");
        JobsDeadLettered = _meter.CreateCounter<long>("docflow.jobs.dead_lettered", "{job}",
            "Jobs given up (retries exhausted or poison) and moved to the dead-letter list, by route.");
        JobsRedriven = _meter.CreateCounter<long>("docflow.jobs.redriven", "{job}",
            "Jobs the store expected to run but the queue had lost (Redis failover), handed to the queue again, by route.");
    }

    /// <summary>Queue waits run from nothing (an idle worker) to many minutes (a backlog): the objective (60 s by
    /// default, docs/autoscaling.md) sits on a bucket edge so the share of jobs over it is exact.</summary>
    public static readonly IReadOnlyList<double> WaitBuckets = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    /// <summary>Document durations run from a fraction of a second (a digital PDF) to minutes (a long scan).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    /// <summary>The meter all of DocFlow's instruments belong to (listeners match on it).</summary>
    public Meter Meter => _meter;

    /// <summary><c>docflow.documents</c>: tags <c>route</c>, <c>status</c>.</summary>
    public Counter<long> Documents { get; }

    /// <summary><c>docflow.documents.accepted</c>: tags <c>tenant</c>, <c>route</c>.</summary>
    public Counter<long> DocumentsAccepted { get; }

    /// <summary>Counts a document the ingest accepted for <paramref name="tenant"/>.</summary>
    public void DocumentAccepted(string tenant, string route) =>
        DocumentsAccepted.Add(1, new KeyValuePair<string, object?>(Tags.Tenant, tenant), new KeyValuePair<string, object?>(Tags.Route, route));

    /// <summary><c>docflow.pages</c>: tag <c>path</c> = text-layer | ocr.</summary>
    public Counter<long> Pages { get; }

    /// <summary><c>docflow.document.duration</c> in seconds: tag <c>route</c>.</summary>
    public Histogram<double> DocumentDuration { get; }

    /// <summary><c>docflow.worker.slots</c>: <see cref="HostedSlots"/>.</summary>
    public ObservableUpDownCounter<int> WorkerSlots { get; }

    /// <summary><c>docflow.worker.slots.busy</c>: <see cref="BusySlots"/>.</summary>
    public ObservableUpDownCounter<int> WorkerSlotsBusy { get; }

    /// <summary><c>docflow.queue.wait</c> in seconds: tags <c>route</c>, <c>priority</c>.</summary>
    public Histogram<double> QueueWait { get; }

    /// <summary><c>docflow.jobs.enqueued</c>: tags <c>route</c>, <c>priority</c>.</summary>
    public Counter<long> JobsEnqueued { get; }

    /// <summary><c>docflow.jobs.retried</c>: tag <c>route</c>.</summary>
    public Counter<long> JobsRetried { get; }

    /// <summary><c>docflow.jobs.dead_lettered</c>: tag <c>route</c>.</summary>
    public Counter<long> JobsDeadLettered { get; }

    /// <summary><c>docflow.jobs.redriven</c>: tag <c>route</c>.</summary>
    public Counter<long> JobsRedriven { get; }

    /// <summary>Records how long a job waited before its first delivery.</summary>
    public void JobWaited(string route, string priority, TimeSpan wait) =>
        QueueWait.Record(Math.Max(0, wait.TotalSeconds), new KeyValuePair<string, object?>(Tags.Route, route),
            new KeyValuePair<string, object?>(Tags.LanePriority, priority));

    /// <summary>Counts a job handed to the queue.</summary>
    public void JobEnqueued(string route, string priority) =>
        JobsEnqueued.Add(1, new KeyValuePair<string, object?>(Tags.Route, route), new KeyValuePair<string, object?>(Tags.LanePriority, priority));

    private int _hostedSlots;
    private int _busySlots;

    /// <summary>Worker slots hosted in this process (0 for an API without workers); set by the host that adds them.</summary>
    public int HostedSlots
    {
        get => Volatile.Read(ref _hostedSlots);
        set => Volatile.Write(ref _hostedSlots, value);
    }

    /// <summary>Slots handling a job now.</summary>
    public int BusySlots => Volatile.Read(ref _busySlots);

    /// <summary>A slot took a job; pair with <see cref="SlotFreed"/>.</summary>
    public void SlotTaken() => Interlocked.Increment(ref _busySlots);

    /// <summary>A slot is done with its job.</summary>
    public void SlotFreed() => Interlocked.Decrement(ref _busySlots);

    /// <summary>Counts a document that reached a final status.</summary>
    public void DocumentFinished(string route, string status) =>
        Documents.Add(1, new KeyValuePair<string, object?>(Tags.Route, route), new KeyValuePair<string, object?>(Tags.Status, status));

    /// <summary>Counts a document that reached a final status, with its tenant (tag <c>tenant</c>).</summary>
    public void DocumentFinished(string route, string status, string tenant) =>
        Documents.Add(1, new KeyValuePair<string, object?>(Tags.Route, route), new KeyValuePair<string, object?>(Tags.Status, status),
            new KeyValuePair<string, object?>(Tags.Tenant, tenant));

    /// <summary>Counts the pages of a processed document by how they were read.</summary>
    public void PagesRead(int pages, int ocrPages)
    {
        var ocr = Math.Clamp(ocrPages, 0, pages);
        if (pages - ocr > 0) Pages.Add(pages - ocr, new KeyValuePair<string, object?>(Tags.Path, PathTextLayer));
        if (ocr > 0) Pages.Add(ocr, new KeyValuePair<string, object?>(Tags.Path, PathOcr));
    }

    public const string PathTextLayer = "text-layer";
    public const string PathOcr = "ocr";

    /// <summary>Final statuses as the <c>status</c> tag spells them.</summary>
    public static class Statuses
    {
        public const string Succeeded = "succeeded";
        public const string Failed = "failed";
        /// <summary>Answered from the stored result of identical content at upload, without processing.</summary>
        public const string Deduplicated = "deduplicated";
    }

    /// <summary>Tag names on measurements and spans.</summary>
    public static class Tags
    {
        public const string Route = "route";
        public const string Status = "status";
        public const string Path = "path";
        /// <summary>The tenant on the document counters.</summary>
        public const string Tenant = "tenant";
        public const string State = "state";
        /// <summary>The queue lane's priority on the queue gauges (express | normal).</summary>
        public const string LanePriority = "priority";
        public const string JobId = "docflow.job.id";
        public const string BatchId = "docflow.batch.id";
        public const string JobRoute = "docflow.job.route";
        public const string Priority = "docflow.job.priority";
        public const string Attempt = "docflow.job.attempt";
        public const string Deliveries = "docflow.job.deliveries";
        public const string FileName = "docflow.file.name";
        public const string MimeType = "docflow.file.mime_type";
        public const string Pages = "docflow.document.pages";
        public const string OcrPages = "docflow.document.ocr_pages";
        public const string EnginePath = "docflow.document.engine_path";

        /// <summary>The engine that produced a Document ("local" or a cloud engine's name); also the <c>engine</c> label of the cloud engine metrics.</summary>
        public const string Engine = "docflow.document.engine";
        public const string Outcome = "docflow.job.outcome";
    }

    /// <summary>
    /// Starts a span whose parent is the W3C <paramref name="traceParent"/> carried by a job ticket, so one trace runs
    /// from the upload through the queue to the worker. Without a valid one, the span starts under the current activity.
    /// </summary>
    public static Activity? StartFromTraceParent(string name, ActivityKind kind, string? traceParent)
    {
        if (traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent))
            return ActivitySource.StartActivity(name, kind, parent);
        return ActivitySource.StartActivity(name, kind);
    }

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
