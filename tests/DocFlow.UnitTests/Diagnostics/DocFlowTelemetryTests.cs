using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DocFlow.Diagnostics;
using DocFlow.Processing;
using DocFlow.Queueing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.UnitTests.Diagnostics;

public sealed class DocFlowTelemetryTests
{
    private static List<(string Instrument, long Value, Dictionary<string, object?> Tags)> Record(DocFlowTelemetry telemetry, Action act)
    {
        var seen = new List<(string, long, Dictionary<string, object?>)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, l) => { if (ReferenceEquals(i.Meter, telemetry.Meter)) l.EnableMeasurementEvents(i); },
        };
        listener.SetMeasurementEventCallback<long>((i, m, tags, _) => seen.Add((i.Name, m, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        act();
        return seen;
    }

    [Fact]
    public void PagesRead_SplitsTextLayerAndOcrPages()
    {
        using var telemetry = new DocFlowTelemetry();
        var seen = Record(telemetry, () => telemetry.PagesRead(pages: 5, ocrPages: 2));

        Assert.Equal(2, seen.Count);
        Assert.Contains(seen, s => s.Instrument == "docflow.pages" && s.Value == 3 && (string?)s.Tags["path"] == "text-layer");
        Assert.Contains(seen, s => s.Instrument == "docflow.pages" && s.Value == 2 && (string?)s.Tags["path"] == "ocr");
    }

    [Fact]
    public void DocumentFinished_CountsOneWithRouteAndStatus()
    {
        using var telemetry = new DocFlowTelemetry();
        var seen = Record(telemetry, () => telemetry.DocumentFinished("pdf", DocFlowTelemetry.Statuses.Succeeded));

        var (name, value, tags) = Assert.Single(seen);
        Assert.Equal(("docflow.documents", 1L), (name, value));
        Assert.Equal("pdf", tags["route"]);
        Assert.Equal("succeeded", tags["status"]);
    }

    [Fact]
    public void TwoTelemetryInstances_KeepTheirMeasurementsApart()
    {
        using var a = new DocFlowTelemetry();
        using var b = new DocFlowTelemetry();
        var seen = Record(a, () => b.DocumentFinished("pdf", DocFlowTelemetry.Statuses.Failed));
        Assert.Empty(seen);
    }

    [Fact]
    public void StartFromTraceParent_ContinuesTheGivenTrace_AndIgnoresGarbage()
    {
        using var listener = Listen(new ConcurrentQueue<Activity>());
        const string parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        using (var span = DocFlowTelemetry.StartFromTraceParent("docflow.job", ActivityKind.Consumer, parent))
        {
            Assert.NotNull(span);
            Assert.Equal("0af7651916cd43dd8448eb211c80319c", span.TraceId.ToHexString());
            Assert.Equal("b7ad6b7169203331", span.ParentSpanId.ToHexString());
        }
        using var fresh = DocFlowTelemetry.StartFromTraceParent("docflow.job", ActivityKind.Consumer, "not a traceparent");
        Assert.NotNull(fresh);
        Assert.NotEqual("0af7651916cd43dd8448eb211c80319c", fresh.TraceId.ToHexString());
    }

    [Fact]
    public async Task WorkerLoop_HandlesAJob_UnderTheTraceOnItsTicket()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = Listen(stopped);
        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        var queue = new InProcessJobQueue();
        await queue.EnqueueAsync(new JobTicket("j-trace", JobRoute.Pdf, JobPriority.Normal, "x")
        {
            BatchId = "b-1",
            TraceParent = $"00-{traceId.ToHexString()}-{parent.ToHexString()}-01",
        }, CancellationToken.None);
        var handler = new CapturingHandler();
        var loop = new WorkerLoop(queue, handler, new RetryOptions(), NullLogger<WorkerLoop>.Instance);

        await using (var job = await queue.FetchAsync(JobRoutes.All, CancellationToken.None))
            await loop.RunOneAsync(job);

        Assert.Equal(traceId, handler.TraceId);
        var span = Assert.Single(stopped, a => a.OperationName == "docflow.job" && (string?)a.GetTagItem(DocFlowTelemetry.Tags.JobId) == "j-trace");
        Assert.Equal(traceId, span.TraceId);
        Assert.Equal(parent, span.ParentSpanId);
        Assert.Equal("b-1", span.GetTagItem(DocFlowTelemetry.Tags.BatchId));
        Assert.Equal("acknowledged", span.GetTagItem(DocFlowTelemetry.Tags.Outcome));
    }

    private sealed class CapturingHandler : IJobHandler
    {
        public ActivityTraceId? TraceId { get; private set; }

        public Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
        {
            TraceId = Activity.Current?.TraceId;
            return Task.CompletedTask;
        }

        public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static ActivityListener Listen(ConcurrentQueue<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == DocFlowTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
