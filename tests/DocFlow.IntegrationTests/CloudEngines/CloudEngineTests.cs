using DocFlow.Engine;
using DocFlow.Engines.Cloud;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Tools.CloudEngines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace DocFlow.IntegrationTests.CloudEngines;

/// <summary>The cloud engine over real HTTP on loopback against <see cref="FakeDocumentAi"/>, with the real local engine as
/// its fallback.</summary>
public sealed class CloudEngineTests : IAsyncLifetime
{
    private FakeDocumentAi _fake = null!;
    private readonly LocalDocumentEngine _local = new(new EngineOptions { Slots = 2 });
    private readonly CloudEngineTelemetry _telemetry = new();

    public async Task InitializeAsync() => _fake = await FakeDocumentAi.StartAsync();

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        _local.Dispose();
        _telemetry.Dispose();
    }

    private CloudDocumentEngine Engine(Action<CloudEngineOptions>? configure = null)
    {
        var options = new CloudEngineOptions
        {
            Kind = "docai-compatible", BaseUrl = _fake.BaseUrl, Project = "p", Location = "eu", Processor = "ocr1",
            RequestsPerMinute = 100_000, Burst = 1000, RetryDelay = TimeSpan.FromMilliseconds(50),
            AttemptTimeout = TimeSpan.FromSeconds(10), TotalTimeout = TimeSpan.FromSeconds(30),
        };
        configure?.Invoke(options);
        return new CloudDocumentEngine("fake", options, new HttpClient { BaseAddress = options.Endpoint, Timeout = Timeout.InfiniteTimeSpan },
            _local, _telemetry, NullLogger.Instance);
    }

    [Fact]
    public async Task Process_ReadsTheWireDocument_AndSaysWhichEngineMadeIt()
    {
        using var engine = Engine();
        var result = await engine.ProcessAsync(new DocumentInput("one.pdf", TextPdf.Create(1)), CancellationToken.None);

        Assert.Equal("fake", result.Stats.Engine);
        Assert.Equal(FakeDocumentAi.PageText("one.pdf", 1), result.Document.Text);
        var page = Assert.Single(result.Document.Pages!);
        Assert.Equal(1, page.PageNumber);
        Assert.Equal(Documents.Orientation.PageUp, page.Layout!.Orientation); // an enum sent as a number
        Assert.Equal(Documents.BreakType.Space, page.Tokens![0].DetectedBreak!.Type); // an enum sent as a name
        var request = Assert.Single(_fake.Requests);
        Assert.Equal(200, request.Status);
        Assert.Equal("one.pdf", request.DisplayName);
    }

    [Fact]
    public async Task APageSelection_GoesToTheLocalEngine_WhichReadsOnlyThosePages_WithTheirNumbers()
    {
        using var engine = Engine();
        var input = new DocumentInput("three.pdf", TextPdf.Create(3)) { Pages = Processing.PageSelection.Parse("2-3") };
        var result = await engine.ProcessAsync(input, CancellationToken.None);

        Assert.Equal("local", result.Stats.Engine);
        Assert.Equal([2, 3], result.Document.Pages!.Select(p => p.PageNumber));
        Assert.Empty(_fake.Requests);
    }

    [Fact]
    public async Task Process_SplitsA40PagePdfIntoRangesOf15_AndMergesThemInPageOrder()
    {
        using var engine = Engine();
        var result = await engine.ProcessAsync(new DocumentInput("long.pdf", TextPdf.Create(40)), CancellationToken.None);

        var ranges = _fake.Requests.Select(r => (r.Pages.Min(), r.Pages.Max(), r.Pages.Count)).OrderBy(r => r.Item1).ToList();
        Assert.Equal([(1, 15, 15), (16, 30, 15), (31, 40, 10)], ranges);
        var document = result.Document;
        Assert.Equal(Enumerable.Range(1, 40), document.Pages!.Select(p => p.PageNumber));
        foreach (var page in document.Pages!)
        {
            var segment = Assert.Single(page.Layout!.TextAnchor!.TextSegments!);
            Assert.Equal(FakeDocumentAi.PageText("long.pdf", page.PageNumber),
                document.Text![(int)segment.StartIndex..(int)segment.EndIndex]);
        }
        Assert.Equal(40, document.Entities!.Count);
        for (var i = 0; i < 40; i++)
        {
            var entity = document.Entities[i];
            var index = (int)entity.PageAnchor!.PageRefs![0].Page;
            Assert.Equal(i, index);
            Assert.Equal($"Page {document.Pages[index].PageNumber} of long.pdf", entity.MentionText);
            var segment = entity.TextAnchor!.TextSegments![0];
            Assert.Equal(entity.MentionText + "\n", document.Text![(int)segment.StartIndex..(int)segment.EndIndex]);
        }
        Assert.Equal(40, result.Stats.Pages);
        Assert.Equal("fake", result.Stats.Engine);
    }

    [Fact]
    public async Task TooManyRequests_IsRetriedNoSoonerThanItsRetryAfter()
    {
        _fake.Fault = FakeFault.TooManyRequests;
        _fake.RetryAfter = TimeSpan.FromSeconds(1);
        // Retries to spare: the fake heals on a task of its own, which a loaded machine may run late.
        using var engine = Engine(o => o.MaxRetries = 10);
        var heal = Task.Run(async () =>
        {
            while (_fake.Requests.Count == 0) await Task.Delay(10);
            _fake.Fault = FakeFault.None;
        });
        var result = await engine.ProcessAsync(new DocumentInput("busy.pdf", TextPdf.Create(1)), CancellationToken.None);
        await heal;

        Assert.Equal("fake", result.Stats.Engine);
        var log = _fake.Requests;
        Assert.Equal(429, log[0].Status);
        Assert.Equal(200, log[^1].Status);
        Assert.True(log[1].At - log[0].At >= TimeSpan.FromSeconds(0.95), $"retried after {(log[1].At - log[0].At).TotalSeconds:F2} s");
    }

    [Fact]
    public async Task Outage_OpensTheBreaker_FallsBackLocally_ThenTheBreakerClosesAndTheRemoteTakesOver()
    {
        using var engine = Engine(o =>
        {
            o.MaxRetries = 0;
            o.Breaker = new BreakerOptions
            {
                MinimumThroughput = 2, FailureRatio = 0.5, SamplingDuration = TimeSpan.FromSeconds(30), BreakDuration = TimeSpan.FromSeconds(1),
            };
        });
        await _fake.StopAsync();
        var outage = new List<DocumentResult>();
        for (var i = 0; i < 4; i++)
            outage.Add(await engine.ProcessAsync(new DocumentInput($"down-{i}.pdf", UncompressedPdf.WithText($"Invoice {i} during the outage")),
                CancellationToken.None));

        Assert.All(outage, r => Assert.Equal("local", r.Stats.Engine));
        Assert.All(outage.Select((r, i) => (r, i)), x => Assert.Contains($"Invoice {x.i} during the outage", x.r.Document.Text));
        Assert.Equal(CircuitState.Open, engine.BreakerState);

        await _fake.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the break duration
        var after = await engine.ProcessAsync(new DocumentInput("back.pdf", TextPdf.Create(1)), CancellationToken.None);

        Assert.Equal("fake", after.Stats.Engine);
        Assert.Equal(CircuitState.Closed, engine.BreakerState);
        Assert.Equal(["back.pdf"], _fake.Requests.Select(r => r.DisplayName)); // nothing reached the fake during the outage
    }

    [Fact]
    public async Task Hang_TimesOutEachAttempt_RetriesOnce_AndFallsBack()
    {
        _fake.Fault = FakeFault.Hang;
        // Attempts long enough that each request reaches the fake (and is counted) before it is abandoned on a loaded machine.
        using var engine = Engine(o =>
        {
            o.MaxRetries = 1;
            o.AttemptTimeout = TimeSpan.FromSeconds(2);
            o.TotalTimeout = TimeSpan.FromSeconds(30);
        });
        var result = await engine.ProcessAsync(new DocumentInput("hang.pdf", UncompressedPdf.WithText("Hanging invoice")), CancellationToken.None);

        Assert.Equal("local", result.Stats.Engine);
        Assert.Contains("Hanging invoice", result.Document.Text);
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task Unavailable_IsRetried_AndEveryDocumentIsProducedExactlyOnce()
    {
        // Retries to spare (backoff from 50 ms, doubling): the fake heals on a task of its own, which a loaded machine may
        // run late, and a document out of retries would fall back to the local engine.
        using var engine = Engine(o =>
        {
            o.MaxRetries = 10;
            o.Breaker = new BreakerOptions { MinimumThroughput = 1000 };
        });
        _fake.Fault = FakeFault.Unavailable;
        var flap = Task.Run(async () =>
        {
            while (_fake.Requests.Count < 10) await Task.Delay(5);
            _fake.Fault = FakeFault.None;
        });
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            engine.ProcessAsync(new DocumentInput($"d{i}.pdf", TextPdf.Create(1)), CancellationToken.None)));
        await flap;

        Assert.All(results, r => Assert.Equal("fake", r.Stats.Engine));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => FakeDocumentAi.PageText($"d{i}.pdf", 1)), results.Select(r => r.Document.Text));
        var succeeded = _fake.Requests.Where(r => r.Status == 200).Select(r => r.DisplayName).ToList();
        Assert.Equal(20, succeeded.Count);
        Assert.Equal(20, succeeded.Distinct().Count());
        Assert.Contains(_fake.Requests, r => r.Status == 503);
    }

    [Fact]
    public async Task RateLimit_NoWindowHoldsMoreRequestsThanTheQuota()
    {
        var window = TimeSpan.FromSeconds(2);
        const int quota = 10;
        using var engine = Engine(o =>
        {
            o.QuotaWindow = window;
            // The margin the limiter leaves for requests bunched up on their way (product default 2 s): here the fake
            // stamps arrivals, and on a loaded machine a request may spend hundreds of milliseconds between its permit
            // and the fake's handler.
            o.QuotaMargin = TimeSpan.FromSeconds(1);
            o.RequestsPerMinute = quota;
            o.Burst = 3;
            o.WhenUnavailable = UnavailableBehaviour.Wait;
        });
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            engine.ProcessAsync(new DocumentInput($"q{i}.pdf", TextPdf.Create(1)), CancellationToken.None)));

        Assert.All(results, r => Assert.Equal("fake", r.Stats.Engine));
        var arrivals = _fake.Requests.Select(r => r.At).Order().ToList();
        Assert.Equal(30, arrivals.Count);
        var busiest = arrivals.Select((start, i) => arrivals.Skip(i).TakeWhile(t => t - start < window).Count()).Max();
        Assert.True(busiest <= quota, $"{busiest} requests in one {window.TotalSeconds} s window (quota {quota})");
    }

    [Fact]
    public void AddDocFlowCloudEngines_SendsARouteToItsEngine_AndOthersToTheLocalOne()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Engines:Routes:pdf"] = "eu",
            ["Engines:Cloud:eu:Kind"] = "docai-compatible",
            ["Engines:Cloud:eu:BaseUrl"] = _fake.BaseUrl.ToString(),
            ["Engines:Cloud:eu:Project"] = "p",
            ["Engines:Cloud:eu:Processor"] = "ocr1",
            ["Engines:PricePerPage:eu"] = "0.0015",
        });
        builder.Services.AddLogging();
        builder.Services.AddSingleton<IDocumentEngine>(_local);
        builder.AddDocFlowCloudEngines();
        using var host = builder.Build();

        var selector = host.Services.GetRequiredService<IDocumentEngineSelector>();
        Assert.Equal("eu", Assert.IsType<CloudDocumentEngine>(selector.Select(JobRoute.Pdf)).Name);
        Assert.Same(_local, selector.Select(JobRoute.Image));
    }

    [Fact]
    public async Task ApiKey_IsSentAsXGoogApiKey()
    {
        using var engine = Engine(o => o.ApiKey = "AIza-test");
        await engine.ProcessAsync(new DocumentInput("k.pdf", TextPdf.Create(1)), CancellationToken.None);

        Assert.Equal("key:AIza-test", Assert.Single(_fake.Requests).Credential);
    }

    [Fact]
    public async Task ServiceAccount_GetsATokenByJwtBearerGrant_AndSendsItAsBearer()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var keyFile = Path.Combine(Repo.NewTempDirectory("sa"), "sa.json");
        await File.WriteAllTextAsync(keyFile, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account", ["project_id"] = "p", ["private_key_id"] = "k1",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(), ["client_email"] = "docflow@p.iam.gserviceaccount.com",
            ["client_id"] = "1", ["token_uri"] = new Uri(_fake.BaseUrl, "token").ToString(),
        }));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Engines:Routes:pdf"] = "g",
            ["Engines:Cloud:g:Kind"] = "google",
            ["Engines:Cloud:g:BaseUrl"] = _fake.BaseUrl.ToString(), // Google's kind, at the fake's address
            ["Engines:Cloud:g:Project"] = "p",
            ["Engines:Cloud:g:Processor"] = "ocr1",
            ["Engines:Cloud:g:CredentialsFile"] = keyFile,
        });
        builder.Services.AddLogging();
        builder.Services.AddSingleton<IDocumentEngine>(_local);
        builder.AddDocFlowCloudEngines();
        using var host = builder.Build();
        var engine = host.Services.GetRequiredService<IDocumentEngineSelector>().Select(JobRoute.Pdf);

        await engine.ProcessAsync(new DocumentInput("a.pdf", TextPdf.Create(1)), CancellationToken.None);
        await engine.ProcessAsync(new DocumentInput("b.pdf", TextPdf.Create(1)), CancellationToken.None);

        Assert.All(_fake.Requests, r => Assert.Equal("bearer:" + FakeDocumentAi.AccessToken, r.Credential));
        Assert.Equal(1, _fake.TokensIssued); // cached for its hour
    }

    [Fact]
    public void AddDocFlowCloudEngines_RefusesARouteToAnUnknownEngine()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Engines:Routes:pdf"] = "nowhere" });
        builder.AddDocFlowCloudEngines();
        using var host = builder.Build();

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<EnginesOptions>>().Value);
        Assert.Contains("no engine 'nowhere'", error.Message);
    }
}

public sealed class QuotaBucketTests
{
    [Theory]
    [InlineData(600, 1, 60_000, 2_000)]
    [InlineData(600, 50, 60_000, 2_000)]
    [InlineData(4_800, 1, 60_000, 2_000)]
    [InlineData(25_600, 1, 60_000, 2_000)]
    [InlineData(60, 1, 60_000, 0)]
    [InlineData(10, 3, 2_000, 100)]
    public void QuotaBucket_NeverAllowsMoreThanTheQuotaInAnyWindowWithItsMargin(int quota, int burst, int windowMs, int marginMs)
    {
        var bucket = CloudDocumentEngine.QuotaBucket(new CloudEngineOptions
        {
            RequestsPerMinute = quota, Burst = burst, QuotaWindow = TimeSpan.FromMilliseconds(windowMs), QuotaMargin = TimeSpan.FromMilliseconds(marginMs),
        });
        // A full bucket at the window's start, then every refill that can fall inside the window and its margin.
        var refills = (int)((windowMs + marginMs) / bucket.ReplenishmentPeriod.TotalMilliseconds) + 1;
        var worst = bucket.TokenLimit + refills * bucket.TokensPerPeriod;
        Assert.True(worst <= quota, $"up to {worst} requests in a window of {windowMs} ms (quota {quota})");
        if (burst * 10 <= quota) // a burst is paid for by a lower sustained rate; a small one costs little
            Assert.True(bucket.TokensPerPeriod * windowMs / bucket.ReplenishmentPeriod.TotalMilliseconds >= quota * 0.9 * windowMs / (windowMs + marginMs),
                "the sustained rate stays within 10% of the quota");
        Assert.True(bucket.TokenLimit >= bucket.TokensPerPeriod);
    }
}
