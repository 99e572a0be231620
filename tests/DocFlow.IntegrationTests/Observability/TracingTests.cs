using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.Diagnostics;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Observability;

/// <summary>One trace from the client's upload through the queue to the worker that handled the document.</summary>
public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        // Process-wide, like every listener: each test picks its own spans out by the trace id its client chose.
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DocFlowTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>A W3C traceparent as an upstream caller would send it.</summary>
    internal static (string Header, ActivityTraceId TraceId) NewTraceParent()
    {
        var traceId = ActivityTraceId.CreateRandom();
        return ($"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01", traceId);
    }

    [Fact]
    public async Task Upload_IsHandledByTheWorker_UnderTheSameTrace()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "1" });
        var (traceparent, traceId) = NewTraceParent();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/documents")
        {
            Content = ServerHarness.Form("file", ("receipt.pdf", File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf")))),
        };
        request.Headers.Add("traceparent", traceparent);

        var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await WaitForAsync(() => _stopped.Any(a => a.OperationName == "docflow.job" && JobId(a) == id), TimeSpan.FromMinutes(2));

        var spans = _stopped.Where(a => a.TraceId == traceId).ToList();
        var ingest = Assert.Single(spans, a => a.OperationName == "docflow.ingest");
        var enqueue = Assert.Single(spans, a => a.OperationName == "docflow.enqueue");
        var job = Assert.Single(spans, a => a.OperationName == "docflow.job");
        var engine = Assert.Single(spans, a => a.OperationName == "docflow.engine");

        Assert.All([ingest, enqueue, job, engine], s => Assert.Equal(id, JobId(s)));
        Assert.Equal(ingest.SpanId, enqueue.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, enqueue.Kind);
        Assert.Equal(enqueue.SpanId, job.ParentSpanId); // the worker continued the ticket's context
        Assert.Equal(ActivityKind.Consumer, job.Kind);
        Assert.Equal("acknowledged", job.GetTagItem(DocFlowTelemetry.Tags.Outcome));
        Assert.Equal(job.SpanId, engine.ParentSpanId);
        Assert.Equal("pdf", job.GetTagItem(DocFlowTelemetry.Tags.JobRoute));
        var pages = (int)engine.GetTagItem(DocFlowTelemetry.Tags.Pages)!;
        Assert.Equal(pages, engine.Events.Count(e => e.Name == "page"));
    }

    private static string? JobId(Activity a) => a.GetTagItem(DocFlowTelemetry.Tags.JobId) as string;

    internal static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(100);
        }
    }
}
