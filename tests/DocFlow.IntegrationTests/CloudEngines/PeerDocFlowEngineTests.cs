using DocFlow.Engine;
using DocFlow.Engines.Cloud;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.IntegrationTests.CloudEngines;

/// <summary>The <c>docai-compatible</c> engine pointed at a second DocFlow server (`docflow serve` on loopback, its
/// Document AI <c>:process</c> surface): one region borrowing another's capacity. The Documents it brings back match
/// those the local engine makes of the same files.</summary>
public sealed class PeerDocFlowEngineTests : IAsyncLifetime
{
    private ServerHarness _peer = null!;
    private readonly LocalDocumentEngine _local = new(new EngineOptions { Slots = 2 });
    private readonly CloudEngineTelemetry _telemetry = new();
    private readonly Counting _requests = new(new SocketsHttpHandler());

    /// <summary>Counts the requests the engine sends to the peer.</summary>
    private sealed class Counting(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _count;
        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }

    public async Task InitializeAsync() => _peer = await ServerHarness.StartAsync();

    public async Task DisposeAsync()
    {
        await _peer.DisposeAsync();
        _local.Dispose();
        _telemetry.Dispose();
        _requests.Dispose();
    }

    private CloudDocumentEngine Engine(int packPages)
    {
        var options = new CloudEngineOptions
        {
            Kind = "docai-compatible", BaseUrl = _peer.BaseAddress, Project = "region-b", Location = "eu", Processor = "ocr",
            RequestsPerMinute = 6000, Burst = 100, AttemptTimeout = TimeSpan.FromMinutes(3), TotalTimeout = TimeSpan.FromMinutes(5),
            PackPages = packPages, PackWindowMs = 2000,
            MaxRetries = 0, WhenUnavailable = UnavailableBehaviour.Local,
        };
        return new CloudDocumentEngine("region-b", options, new HttpClient(_requests, disposeHandler: false) { BaseAddress = options.Endpoint, Timeout = Timeout.InfiniteTimeSpan },
            _local, _telemetry, NullLogger.Instance);
    }

    private static DocumentInput Sample(string name) => new(name, File.ReadAllBytes(Path.Combine(Repo.Samples, name)));

    private async Task AssertMatchesLocalAsync(DocumentInput input, DocumentResult remote)
    {
        var local = await _local.ProcessAsync(input, CancellationToken.None);
        Assert.Equal("region-b", remote.Stats.Engine); // it came from the peer, not from the fallback
        Assert.Equal(local.Document.Text, remote.Document.Text);
        Assert.Equal(local.Document.MimeType, remote.Document.MimeType);
        Assert.Equal(local.Document.Pages!.Select(p => p.PageNumber), remote.Document.Pages!.Select(p => p.PageNumber));
        Assert.Equal(local.Document.Pages!.Select(p => p.Tokens?.Count ?? 0), remote.Document.Pages!.Select(p => p.Tokens?.Count ?? 0));
        foreach (var (page, text) in remote.Document.Pages!.Zip(local.Document.Pages!))
        {
            var segment = page.Layout!.TextAnchor!.TextSegments![0];
            var own = text.Layout!.TextAnchor!.TextSegments![0];
            Assert.Equal(local.Document.Text![(int)own.StartIndex..(int)own.EndIndex], remote.Document.Text![(int)segment.StartIndex..(int)segment.EndIndex]);
        }
    }

    [Fact]
    public async Task ThePeersDocuments_MatchTheLocalOnes_ScansAndDigitalPdfs()
    {
        using var engine = Engine(packPages: 0);
        foreach (var name in new[] { "invoice-digital.pdf", "receipt-shop.jpg", "report-multipage.pdf" })
        {
            var input = Sample(name);
            var remote = await engine.ProcessAsync(input, CancellationToken.None);
            await AssertMatchesLocalAsync(input, remote);
        }
        Assert.Equal(3, _requests.Count);
    }

    [Fact]
    public async Task PackedForThePeer_EachDocumentMatchesItsLocalOne()
    {
        // Digital PDFs (text layers): the peer reads the packed pages as it reads them alone.
        List<DocumentInput> inputs = [Sample("invoice-digital.pdf"), Sample("receipt-digital.pdf"), Sample("form-filled.pdf")];
        using var engine = Engine(packPages: 15);

        var results = await Task.WhenAll(inputs.Select(i => engine.ProcessAsync(i, CancellationToken.None)));

        Assert.Equal(1, _requests.Count); // one :process for the three
        for (var i = 0; i < inputs.Count; i++)
            await AssertMatchesLocalAsync(inputs[i], results[i]);
    }
}
