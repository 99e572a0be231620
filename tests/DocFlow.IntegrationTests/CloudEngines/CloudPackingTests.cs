using DocFlow.Engine;
using DocFlow.Engines.Cloud;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Tools.CloudEngines;
using Microsoft.Extensions.Logging.Abstractions;
using SkiaSharp;

namespace DocFlow.IntegrationTests.CloudEngines;

/// <summary>Request packing (Engines:Cloud:NAME:PackPages): small documents sent together as one PDF and split back, over
/// real HTTP on loopback against <see cref="FakeDocumentAi"/> reading what it is sent, with the real local engine as the
/// fallback.</summary>
public sealed class CloudPackingTests : IAsyncLifetime
{
    private FakeDocumentAi _fake = null!;
    private readonly LocalDocumentEngine _local = new(new EngineOptions { Slots = 2 });
    private readonly CloudEngineTelemetry _telemetry = new();

    public async Task InitializeAsync()
    {
        _fake = await FakeDocumentAi.StartAsync();
        _fake.ReadContent = true;
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        _local.Dispose();
        _telemetry.Dispose();
    }

    private CloudDocumentEngine Engine(int packPages, Action<CloudEngineOptions>? configure = null)
    {
        var options = new CloudEngineOptions
        {
            Kind = "docai-compatible", BaseUrl = _fake.BaseUrl, Project = "p", Location = "eu", Processor = "ocr1",
            RequestsPerMinute = 100_000, Burst = 1000, RetryDelay = TimeSpan.FromMilliseconds(50),
            AttemptTimeout = TimeSpan.FromSeconds(20), TotalTimeout = TimeSpan.FromSeconds(60),
            PackPages = packPages, PackWindowMs = 2000, // long enough that packs leave full (the last one at its window's end)
        };
        configure?.Invoke(options);
        return new CloudDocumentEngine("fake", options, new HttpClient { BaseAddress = options.Endpoint, Timeout = Timeout.InfiniteTimeSpan },
            _local, _telemetry, NullLogger.Instance);
    }

    private static List<DocumentInput> OnePagePdfs(int n) =>
        [.. Enumerable.Range(0, n).Select(i => new DocumentInput($"invoice-{i}.pdf", UncompressedPdf.WithText($"Invoice {i} total {i * 7}.50 EUR")))];

    private static byte[] Image(int width, int height, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var ink = new SKPaint { Color = SKColors.DarkBlue };
            canvas.DrawRect(width / 4f, height / 4f, width / 2f, height / 8f, ink);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    private static Task<DocumentResult[]> ProcessAllAsync(CloudDocumentEngine engine, IEnumerable<DocumentInput> inputs) =>
        Task.WhenAll(inputs.Select(input => engine.ProcessAsync(input, CancellationToken.None)));

    /// <summary>The same documents one request each (packing off), as the reference.</summary>
    private async Task<DocumentResult[]> UnpackedAsync(IReadOnlyList<DocumentInput> inputs)
    {
        using var engine = Engine(0);
        var results = await ProcessAllAsync(engine, inputs);
        Assert.Equal(inputs.Count, _fake.Requests.Count);
        return results;
    }

    private static void AssertSameDocument(DocumentResult expected, DocumentResult actual, string name)
    {
        Assert.Equal(expected.Document.Text, actual.Document.Text);
        Assert.Equal(expected.Document.MimeType, actual.Document.MimeType);
        Assert.Equal(expected.Document.Pages!.Select(p => p.PageNumber), actual.Document.Pages!.Select(p => p.PageNumber));
        Assert.Equal(expected.Stats.Pages, actual.Stats.Pages);
        Assert.Equal("fake", actual.Stats.Engine);
        var text = actual.Document.Text!;
        // Every anchor of the split Document points at its own text: pages, tokens and entities.
        foreach (var (page, i) in actual.Document.Pages!.Select((p, i) => (p, i)))
        {
            var own = expected.Document.Pages![i];
            Assert.Equal(Slice(expected.Document.Text!, own.Layout!.TextAnchor!), Slice(text, page.Layout!.TextAnchor!));
            Assert.Equal(Slice(expected.Document.Text!, own.Tokens![0].Layout!.TextAnchor!), Slice(text, page.Tokens![0].Layout!.TextAnchor!));
        }
        Assert.Equal(expected.Document.Entities!.Count, actual.Document.Entities!.Count);
        foreach (var (entity, i) in actual.Document.Entities!.Select((e, i) => (e, i)))
        {
            var own = expected.Document.Entities![i];
            Assert.Equal(own.MentionText, entity.MentionText);
            Assert.Equal(own.PageAnchor!.PageRefs![0].Page, entity.PageAnchor!.PageRefs![0].Page);
            Assert.Equal(entity.MentionText + "\n", Slice(text, entity.TextAnchor!));
        }
        Assert.False(string.IsNullOrEmpty(name));
    }

    private static string Slice(string text, Documents.TextAnchor anchor)
    {
        var segment = Assert.Single(anchor.TextSegments!);
        return text[(int)segment.StartIndex..(int)segment.EndIndex];
    }

    [Fact]
    public async Task NOnePageDocuments_GoInCeilNOverPackRequests_AndEachGetsTheDocumentItWouldHaveHadAlone()
    {
        var inputs = OnePagePdfs(12);
        var alone = await UnpackedAsync(inputs);
        var before = _fake.Requests.Count;

        using var engine = Engine(packPages: 5);
        var packed = await ProcessAllAsync(engine, inputs);

        var requests = _fake.Requests.Skip(before).ToList();
        Assert.Equal((12 + 4) / 5, requests.Count);
        Assert.Equal([2, 5, 5], requests.Select(r => r.Pages.Count).Order());
        Assert.All(requests, r => Assert.Equal(200, r.Status));
        for (var i = 0; i < inputs.Count; i++)
        {
            AssertSameDocument(alone[i], packed[i], inputs[i].Name);
            Assert.Contains($"Invoice {i} total", packed[i].Document.Text);
        }
    }

    [Fact]
    public async Task APackMixesPdfsOfSeveralPagesAndImages_AndSplitsThemBackByPageRanges()
    {
        List<DocumentInput> inputs =
        [
            new("a.pdf", UncompressedPdf.WithText("First letter")),
            new("scan.png", Image(320, 200, SKEncodedImageFormat.Png)),
            new("three.pdf", TextPdf.Create(3)),
            new("photo.jpg", Image(240, 360, SKEncodedImageFormat.Jpeg)),
            new("b.pdf", UncompressedPdf.WithLines("Second letter", "with two lines")),
        ];
        var alone = await UnpackedAsync(inputs);
        var before = _fake.Requests.Count;

        using var engine = Engine(packPages: 15);
        var packed = await ProcessAllAsync(engine, inputs);

        var request = Assert.Single(_fake.Requests.Skip(before));
        Assert.Equal(7, request.Pages.Count);
        Assert.StartsWith("docflow-pack-", request.DisplayName);
        for (var i = 0; i < inputs.Count; i++)
            AssertSameDocument(alone[i], packed[i], inputs[i].Name);
        Assert.Equal("[image 320x200]\n", packed[1].Document.Text);
        Assert.Equal("image/png", packed[1].Document.MimeType);
        Assert.Equal("Page 1\nPage 2\nPage 3\n", packed[2].Document.Text);
        Assert.Equal([1, 2, 3], packed[2].Document.Pages!.Select(p => p.PageNumber));
        Assert.Equal([0L, 1L, 2L], packed[2].Document.Entities!.Select(e => e.PageAnchor!.PageRefs![0].Page));
    }

    [Fact]
    public async Task AServiceUnavailableOnAPack_SendsEachOfItsDocumentsToTheFallback_NoneLostNoneDoubled()
    {
        _fake.Fault = FakeFault.Unavailable;
        var inputs = OnePagePdfs(5);
        using var engine = Engine(packPages: 5, o => o.MaxRetries = 1);

        var results = await ProcessAllAsync(engine, inputs);

        var requests = _fake.Requests;
        Assert.Equal(2, requests.Count); // the pack and its one retry, both 503: no document was sent again alone
        Assert.All(requests, r => Assert.Equal((503, 5), (r.Status, r.Pages.Count)));
        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.Equal("local", results[i].Stats.Engine);
            Assert.Contains($"Invoice {i} total {i * 7}.50 EUR", results[i].Document.Text);
        }
    }

    [Fact]
    public async Task APackTheEndpointRefuses_IsSentAgainOneDocumentAtATime()
    {
        _fake.Fault = FakeFault.InvalidArgument;
        var inputs = OnePagePdfs(3);
        using var engine = Engine(packPages: 5, o => o.PackWindowMs = 300);

        var results = await ProcessAllAsync(engine, inputs);

        // A 400 may be one document's fault: the pack, then each document alone (refused too here, so each is read locally).
        var requests = _fake.Requests;
        Assert.Equal(4, requests.Count);
        Assert.Equal([1, 1, 1, 3], requests.Select(r => r.Pages.Count).Order());
        Assert.All(requests, r => Assert.Equal(400, r.Status));
        Assert.All(results, r => Assert.Equal("local", r.Stats.Engine));
        Assert.Equal(inputs.Select((_, i) => true), results.Select((r, i) => r.Document.Text!.Contains($"Invoice {i} total", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ACallerThatGivesUpWhileItsPackIsOpen_LeavesThePack_AndIsNotSent()
    {
        var inputs = OnePagePdfs(2);
        using var engine = Engine(packPages: 5, o => o.PackWindowMs = 1500);
        using var gaveUp = new CancellationTokenSource();

        var first = engine.ProcessAsync(inputs[0], gaveUp.Token);
        await gaveUp.CancelAsync();
        var second = await engine.ProcessAsync(inputs[1], CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Contains("Invoice 1 total", second.Document.Text);
        var request = Assert.Single(_fake.Requests);
        Assert.Equal((1, "invoice-1.pdf"), (request.Pages.Count, request.DisplayName)); // a pack of one: the document's own request
    }

    [Fact]
    public async Task Packing_KeepsTheQuota_InEveryWindow()
    {
        var window = TimeSpan.FromSeconds(2);
        const int quota = 6;
        using var engine = Engine(packPages: 3, o =>
        {
            o.QuotaWindow = window;
            // The margin the limiter leaves for requests bunched up on their way (product default 2 s): here the fake
            // stamps arrivals, and on a loaded machine a request may spend hundreds of milliseconds between its permit
            // and the fake's handler.
            o.QuotaMargin = TimeSpan.FromSeconds(1);
            o.RequestsPerMinute = quota;
            o.Burst = 2;
            o.PackWindowMs = 200;
            o.WhenUnavailable = UnavailableBehaviour.Wait;
        });
        var inputs = OnePagePdfs(36);

        var results = await ProcessAllAsync(engine, inputs);

        Assert.All(results, r => Assert.Equal("fake", r.Stats.Engine));
        for (var i = 0; i < inputs.Count; i++)
            Assert.Contains($"Invoice {i} total {i * 7}.50 EUR", results[i].Document.Text);
        var arrivals = _fake.Requests.Select(r => r.At).Order().ToList();
        Assert.Equal(12, arrivals.Count); // 36 documents in packs of 3
        var busiest = arrivals.Select((start, i) => arrivals.Skip(i).TakeWhile(t => t - start < window).Count()).Max();
        Assert.True(busiest <= quota, $"{busiest} requests in one {window.TotalSeconds} s window (quota {quota})");
    }
}
