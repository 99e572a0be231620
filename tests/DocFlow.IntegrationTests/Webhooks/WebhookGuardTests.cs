using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Server.Webhooks;
using DocFlow.Webhooks;
using Microsoft.Extensions.Options;

namespace DocFlow.IntegrationTests.Webhooks;

/// <summary>
/// The SSRF guard on a running server and on real sockets: callback URLs refused at upload (scheme, loopback, a DNS name
/// that resolves to 127.0.0.1, metadata, IPv4-mapped loopback, private networks), a redirect to loopback not followed,
/// and a name that resolves to an allowed address at the check but to a refused one at connect time (DNS rebinding).
/// </summary>
public sealed class WebhookGuardTests
{
    private const string Secret = "test-secret-of-enough-length";

    private static MultipartFormDataContent Form(string callbackUrl, string? secret = Secret)
    {
        var form = ServerHarness.Form("files", ("a.txt", Encoding.ASCII.GetBytes("not a document")));
        form.Add(new StringContent(callbackUrl), "callbackUrl");
        if (secret is not null) form.Add(new StringContent(secret), "callbackSecret");
        return form;
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook", "loopback")]
    [InlineData("http://hooks.example.test:9/hook", "loopback")] // a DNS name that resolves to 127.0.0.1
    [InlineData("http://[::1]:9/hook", "loopback")]
    [InlineData("http://[::ffff:127.0.0.1]:9/hook", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "cloud metadata")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata")]
    [InlineData("http://metadata.example.test/", "cloud metadata")] // a name for the metadata address
    [InlineData("http://10.0.0.5/hook", "RFC 1918")]
    [InlineData("http://192.168.1.10/hook", "RFC 1918")]
    [InlineData("http://100.64.1.1/hook", "carrier-grade NAT")]
    [InlineData("http://0.0.0.0:9/hook", "unspecified")]
    [InlineData("http://mixed.example.test/hook", "RFC 1918")] // one public and one private answer: refused
    [InlineData("ftp://files.example.com/hook", "only http and https")]
    [InlineData("file:///etc/passwd", "only http and https")]
    [InlineData("gopher://127.0.0.1:6379/_INFO", "only http and https")]
    [InlineData("hooks/callback", "not an absolute URL")]
    [InlineData("http://user:pass@93.184.215.14/hook", "user names and passwords")]
    public async Task RefusedCallbackUrls_Are400Problems_SayingWhy(string url, string why)
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "0",
            ["Webhooks:Hosts:hooks.example.test"] = "127.0.0.1",
            ["Webhooks:Hosts:metadata.example.test"] = "169.254.169.254",
            ["Webhooks:Hosts:mixed.example.test"] = "93.184.215.14, 10.1.2.3",
        });
        using var response = await server.Client.PostAsync("api/v1/batches", Form(url));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains(why, detail, StringComparison.Ordinal);
        Assert.Contains("callbackUrl", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACallbackWithoutASecret_OrASecretTooShort_IsRefused()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        using (var response = await server.Client.PostAsync("api/v1/documents", SingleForm("https://93.184.215.14/hook", null)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("callbackSecret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var response = await server.Client.PostAsync("api/v1/documents", SingleForm("https://93.184.215.14/hook", "short")))
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static MultipartFormDataContent SingleForm(string url, string? secret)
    {
        var form = ServerHarness.Form("file", ("a.txt", Encoding.ASCII.GetBytes("not a document")));
        form.Add(new StringContent(url), "callbackUrl");
        if (secret is not null) form.Add(new StringContent(secret), "callbackSecret");
        return form;
    }

    [Fact]
    public async Task ARedirectToLoopback_IsNotFollowed_TheAttemptFails()
    {
        // The receiver (allowed) answers 307 to another loopback receiver that is not allowed: nothing reaches it.
        await using var target = await WebhookReceiver.StartAsync("127.0.0.2");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (307, target.Url.ToString());
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "1",
            ["Webhooks:AllowedNetworks:0"] = "127.0.0.1/32",
            ["Webhooks:MaxAttempts"] = "2",
            ["Webhooks:BaseDelay"] = "00:00:00.100",
        });
        using var response = await server.Client.PostAsync("api/v1/batches", Form(receiver.Url.ToString()));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        var log = await WebhookDeliveryTests.WaitForDeliveriesAsync(server.Client, batchId,
            l => l.Length == 2 && l.All(d => d.GetProperty("status").GetString() == WebhookDeliveryStatus.Failed), TimeSpan.FromMinutes(1));
        foreach (var attempt in log.SelectMany(d => d.GetProperty("attemptLog").EnumerateArray()))
        {
            Assert.Equal(307, attempt.GetProperty("statusCode").GetInt32());
            Assert.Contains("redirect", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Contains(target.Url.ToString(), attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(4, receiver.Requests.Count);
        Assert.Empty(target.Requests);
    }

    /// <summary>A resolver whose answer changes after the first question: the check sees an allowed address, the connect a refused one.</summary>
    private sealed class RebindingResolver(IPAddress first, IPAddress then) : WebhookResolver(Options.Create(new WebhookOptions()))
    {
        private int _asked;

        public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Task.FromResult(new[] { Interlocked.Increment(ref _asked) == 1 ? first : then });
    }

    [Fact]
    public async Task DnsRebinding_BetweenTheCheckAndTheConnect_IsRefused_AndNothingIsSent()
    {
        await using var allowed = await WebhookReceiver.StartAsync("127.0.0.1");
        await using var refused = await WebhookReceiver.StartAsync("127.0.0.2");
        var options = Options.Create(new WebhookOptions { AllowedNetworks = ["127.0.0.1/32"] });
        using var client = new WebhookClient(options, new RebindingResolver(IPAddress.Loopback, IPAddress.Parse("127.0.0.2")));
        var url = new Uri($"http://rebind.example.test:{refused.Url.Port}/hook");

        // The check resolves to 127.0.0.1 (allowed)…
        Assert.Equal(url, await client.CheckAsync(url.ToString(), CancellationToken.None));
        // …the connection resolves again, to 127.0.0.2: refused before any byte is sent.
        var body = Encoding.UTF8.GetBytes("{}");
        var outcome = await client.PostAsync(url, "evt_1", 1, WebhookSignature.Sign(Secret, "evt_1", 1, body), body, CancellationToken.None);
        Assert.True(outcome.Refused, outcome.Error);
        Assert.Null(outcome.StatusCode);
        Assert.Contains("127.0.0.2", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(refused.Requests);
        Assert.Empty(allowed.Requests);
    }

    [Fact]
    public async Task TheConnection_GoesToTheCheckedAddress_NotToWhatTheUrlSays()
    {
        // A name fixed to 127.0.0.1 (allowed): the request reaches the receiver there with the URL's host in the Host header.
        await using var receiver = await WebhookReceiver.StartAsync("127.0.0.1");
        var options = Options.Create(new WebhookOptions
        {
            AllowedNetworks = ["127.0.0.1/32"],
            Hosts = new(StringComparer.OrdinalIgnoreCase) { ["hooks.example.test"] = "127.0.0.1" },
        });
        using var client = new WebhookClient(options, new WebhookResolver(options));
        var url = new Uri($"http://hooks.example.test:{receiver.Url.Port}/hook");
        var body = Encoding.UTF8.GetBytes("{}");
        var outcome = await client.PostAsync(url, "evt_1", 1, "v1,x", body, CancellationToken.None);
        Assert.True(outcome.Delivered, outcome.Error);
        Assert.Equal($"hooks.example.test:{receiver.Url.Port}", Assert.Single(receiver.Requests).Header("host"));
    }
}
