using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DocFlow.IntegrationTests.Support;
using DocFlow.Server.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static DocFlow.IntegrationTests.Support.ProblemAssert;

namespace DocFlow.IntegrationTests.Server;

/// <summary>The safe defaults of a real `docflow serve` (docs/security.md, "Hardening"): allowed hosts, the Origin check,
/// CORS, security headers and the rate limits that count files, bytes and expensive reads.</summary>
public sealed partial class HardeningTests
{
    private static readonly byte[] Receipt = File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf"));

    private static Dictionary<string, string?> Settings(params (string Key, string? Value)[] settings)
    {
        // No worker slots: these tests look at what the API answers, not at processing.
        var d = new Dictionary<string, string?> { ["Workers"] = "0" };
        foreach (var (k, v) in settings) d[k] = v;
        return d;
    }

    private static HttpRequestMessage Upload(string url = "api/v1/documents", int files = 1, params (string Name, string Value)[] headers)
    {
        var form = url.Contains("batches", StringComparison.Ordinal)
            ? ServerHarness.Form("files", [.. Enumerable.Range(0, files).Select(i => ($"r{i}.pdf", Receipt))])
            : ServerHarness.Form("file", ("r.pdf", Receipt));
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = form };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static HttpRequestMessage Get(string url, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static async Task<int> JobCount(ServerHarness server) =>
        (await server.Client.GetFromJsonAsync<JsonElement>("api/v1/jobs")).GetProperty("items").GetArrayLength();

    // ---- allowed hosts ---------------------------------------------------------------------------------------

    [Fact]
    public async Task ForeignHostHeader_Gets400_LoopbackNamesPass()
    {
        await using var server = await ServerHarness.StartAsync(Settings());
        var port = server.Client.BaseAddress!.Port;

        using var rebound = await server.Client.SendAsync(Get("api/v1/queues", ("Host", $"attacker.example:{port}")));
        await AssertProblem(rebound, HttpStatusCode.BadRequest, "AllowedHosts");
        using var upload = await server.Client.SendAsync(Upload(headers: ("Host", "attacker.example")));
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Equal(0, await JobCount(server));

        foreach (var host in new[] { $"localhost:{port}", $"127.0.0.1:{port}", $"[::1]:{port}", "LOCALHOST" })
        {
            using var ok = await server.Client.SendAsync(Get("api/v1/queues", ("Host", host)));
            Assert.True(ok.StatusCode == HttpStatusCode.OK, $"{host}: {(int)ok.StatusCode}");
        }
    }

    [Fact]
    public async Task ConfiguredAllowedHosts_AreAddedToTheLoopbackNames()
    {
        await using var server = await ServerHarness.StartAsync(Settings(("AllowedHosts", "docflow.example.com;*.corp.example")));

        foreach (var (host, expected) in new[]
                 {
                     ("docflow.example.com", HttpStatusCode.OK), ("scanner.corp.example:8080", HttpStatusCode.OK), ("localhost", HttpStatusCode.OK),
                     ("example.com", HttpStatusCode.BadRequest), ("docflow.example.com.attacker.example", HttpStatusCode.BadRequest),
                 })
        {
            using var response = await server.Client.SendAsync(Get("healthz", ("Host", host)));
            Assert.True(expected == response.StatusCode, $"{host}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task AllowedHostsFlag_OfServe_ReachesTheServer()
    {
        var flags = new DocFlow.Cli.Commands.ServeSettings { AllowedHosts = "docflow.lan", Workers = 0 }.ToConfiguration();
        await using var server = await ServerHarness.StartAsync(flags.ToDictionary(kv => kv.Key, kv => kv.Value));

        using var ok = await server.Client.SendAsync(Get("healthz", ("Host", "docflow.lan")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var other = await server.Client.SendAsync(Get("healthz", ("Host", "docflow.example")));
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
    }

    // ---- Origin check and CORS -------------------------------------------------------------------------------

    [Fact]
    public async Task StateChangingRequest_FromAnotherOrigin_Gets403_AndChangesNothing()
    {
        await using var server = await ServerHarness.StartAsync(Settings());
        var own = server.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);

        using var foreign = await server.Client.SendAsync(Upload(headers: ("Origin", "http://attacker.example")));
        await AssertProblem(foreign, HttpStatusCode.Forbidden, "attacker.example");
        using var viaReferer = await server.Client.SendAsync(Upload("api/v1/batches", headers: ("Referer", "http://attacker.example/page.html")));
        await AssertProblem(viaReferer, HttpStatusCode.Forbidden, "Referer");
        using var opaque = await server.Client.SendAsync(Upload(headers: ("Origin", "null")));
        Assert.Equal(HttpStatusCode.Forbidden, opaque.StatusCode);
        // Same host, other port: another origin.
        using var otherPort = await server.Client.SendAsync(Upload(headers: ("Origin", $"http://127.0.0.1:{server.Client.BaseAddress.Port + 1}")));
        Assert.Equal(HttpStatusCode.Forbidden, otherPort.StatusCode);
        using var purge = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "api/v1/dead-letters/x") { Headers = { { "Origin", "http://attacker.example" } } });
        Assert.Equal(HttpStatusCode.Forbidden, purge.StatusCode);
        Assert.Equal(0, await JobCount(server));

        using var same = await server.Client.SendAsync(Upload(headers: ("Origin", own)));
        Assert.Equal(HttpStatusCode.Accepted, same.StatusCode);
        using var sameReferer = await server.Client.SendAsync(Upload(headers: ("Referer", own + "/index.html")));
        Assert.Equal(HttpStatusCode.Accepted, sameReferer.StatusCode);
        using var cli = await server.Client.SendAsync(Upload()); // curl, the CLI, server-to-server: no Origin
        Assert.Equal(HttpStatusCode.Accepted, cli.StatusCode);
        // Reads are not state-changing: a foreign Origin on a GET is not refused (CORS keeps the browser from reading it).
        using var read = await server.Client.SendAsync(Get("api/v1/queues", ("Origin", "http://attacker.example")));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.False(read.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(3, await JobCount(server));
    }

    [Fact]
    public async Task CorsIsOff_UnlessOriginsAreConfigured_ThenThoseOriginsMayUpload()
    {
        await using (var plain = await ServerHarness.StartAsync(Settings()))
        {
            using var preflight = await plain.Client.SendAsync(Preflight("https://app.example"));
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        }

        await using var server = await ServerHarness.StartAsync(Settings(("Cors:AllowedOrigins", "https://app.example")));
        using var allowedPreflight = await server.Client.SendAsync(Preflight("https://app.example"));
        Assert.Equal("https://app.example", allowedPreflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var other = await server.Client.SendAsync(Preflight("https://other.example"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));

        using var upload = await server.Client.SendAsync(Upload(headers: ("Origin", "https://app.example")));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.Equal("https://app.example", upload.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var refused = await server.Client.SendAsync(Upload(headers: ("Origin", "https://other.example")));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        static HttpRequestMessage Preflight(string origin) => new(HttpMethod.Options, "api/v1/documents")
        {
            Headers = { { "Origin", origin }, { "Access-Control-Request-Method", "POST" } },
        };
    }

    // ---- security headers ------------------------------------------------------------------------------------

    [Fact]
    public async Task EveryResponse_CarriesSecurityHeaders_AndTheDashboardAStrictCsp()
    {
        await using var server = await ServerHarness.StartAsync(Settings());
        var port = server.Client.BaseAddress!.Port;

        foreach (var request in new[]
                 {
                     Get("/"), Get("app.js"), Get("api/v1/queues"), Get("api/v1/documents/nope"), Get("healthz"),
                     Get("api/v1/queues", ("Host", $"attacker.example:{port}")), Upload(headers: ("Origin", "http://attacker.example")),
                 })
        {
            using var response = await server.Client.SendAsync(request);
            var what = $"{request.Method} {request.RequestUri} ({(int)response.StatusCode})";
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", what);
            Assert.True(response.Headers.TryGetValues("Referrer-Policy", out var referrer) && referrer.Single() == "no-referrer", what);
            Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frame) && frame.Single() == "DENY", what);
            Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), what);
            Assert.Contains("frame-ancestors 'none'", csp.Single(), StringComparison.Ordinal);
        }

        using var page = await server.Client.GetAsync("/");
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(Hardening.StrictContentSecurityPolicy, policy);
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        // Nothing inline for the policy to block: every script has a src, no <style> element, no style attribute.
        var html = await page.Content.ReadAsStringAsync();
        Assert.Empty(InlineScript().Matches(html));
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", await server.Client.GetStringAsync("app.js"), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    // ---- rate limits -----------------------------------------------------------------------------------------

    [Fact]
    public async Task FilesAreCounted_NotRequests()
    {
        await using var server = await ServerHarness.StartAsync(Settings(("RateLimit:FilesPerMinute", "5"), ("RateLimit:UploadsPerMinute", "100")));

        using var first = await server.Client.SendAsync(Upload("api/v1/batches", files: 3));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await server.Client.SendAsync(Upload("api/v1/batches", files: 3)); // 6 files > 5, in 2 requests
        await AssertProblem(second, HttpStatusCode.TooManyRequests, "5 files");
        Assert.True(second.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(3, await JobCount(server));
        using var single = await server.Client.SendAsync(Upload()); // the 4th and 5th file still fit
        Assert.Equal(HttpStatusCode.Accepted, single.StatusCode);
    }

    [Fact]
    public async Task FilesAreCounted_PerKey_NotPerAddress_AndPerTenant()
    {
        await using var server = await ServerHarness.StartAsync(Settings(("Auth:Required", "true"), ("RateLimit:FilesPerMinute", "3"),
            ("RateLimit:TenantFilesPerMinute", "5"), ("RateLimit:UploadsPerMinute", "100")));
        var store = server.Services.GetRequiredService<DocFlow.Security.IApiKeyStore>();
        async Task<HttpRequestMessage> AsAsync(string tenant, HttpRequestMessage request)
        {
            var (_, key) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Submitter, tenant, tenant, DateTimeOffset.UtcNow, CancellationToken.None);
            request.Headers.Add("X-Api-Key", key);
            return request;
        }
        var (_, first) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Submitter, "first", "acme", DateTimeOffset.UtcNow, CancellationToken.None);
        var (_, second) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Submitter, "second", "acme", DateTimeOffset.UtcNow, CancellationToken.None);
        HttpRequestMessage With(string key, HttpRequestMessage request) { request.Headers.Add("X-Api-Key", key); return request; }

        // One key: 3 files a minute, whatever its address.
        using var ok = await server.Client.SendAsync(With(first, Upload("api/v1/batches", files: 3)));
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        using var overKey = await server.Client.SendAsync(With(first, Upload()));
        await AssertProblem(overKey, HttpStatusCode.TooManyRequests, "client uploaded more than 3 files");
        // Another key from the same address has its own 3, but the tenant's 5 are shared: 2 fit, the third does not.
        using var secondOk = await server.Client.SendAsync(With(second, Upload("api/v1/batches", files: 2)));
        Assert.Equal(HttpStatusCode.Accepted, secondOk.StatusCode);
        using var overTenant = await server.Client.SendAsync(With(second, Upload()));
        var problem = await AssertProblem(overTenant, HttpStatusCode.TooManyRequests, "tenant uploaded more than 5 files");
        Assert.True(overTenant.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        // Another tenant is not affected.
        using var other = await server.Client.SendAsync(await AsAsync("globex", Upload("api/v1/batches", files: 3)));
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    [Fact]
    public async Task BytesAreCounted()
    {
        // Room for about two uploads of the receipt, not three.
        var perUpload = Receipt.Length + 400;
        await using var server = await ServerHarness.StartAsync(Settings(("RateLimit:UploadBytesPerMinute", (perUpload * 5 / 2).ToString(System.Globalization.CultureInfo.InvariantCulture))));

        for (var i = 0; i < 2; i++)
        {
            using var ok = await server.Client.SendAsync(Upload());
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }
        using var third = await server.Client.SendAsync(Upload());
        await AssertProblem(third, HttpStatusCode.TooManyRequests, "bytes");
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Equal(2, await JobCount(server));
    }

    [Fact]
    public async Task ForwardedClientAddresses_AreIgnored_UnlessTheProxyIsConfigured()
    {
        // Not configured: X-Forwarded-For is whatever the client says, so it cannot buy a fresh allowance.
        await using (var direct = await ServerHarness.StartAsync(Settings(("RateLimit:FilesPerMinute", "1"))))
        {
            using var first = await direct.Client.SendAsync(Upload(headers: ("X-Forwarded-For", "203.0.113.1")));
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            using var spoofed = await direct.Client.SendAsync(Upload(headers: ("X-Forwarded-For", "203.0.113.2")));
            Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);
        }

        // Behind a configured proxy (here: loopback), each forwarded client has its own allowance.
        await using var proxied = await ServerHarness.StartAsync(Settings(("RateLimit:FilesPerMinute", "1"), ("ForwardedHeaders:KnownProxies", "127.0.0.1")));
        using var a = await proxied.Client.SendAsync(Upload(headers: ("X-Forwarded-For", "203.0.113.1")));
        Assert.Equal(HttpStatusCode.Accepted, a.StatusCode);
        using var aAgain = await proxied.Client.SendAsync(Upload(headers: ("X-Forwarded-For", "203.0.113.1")));
        Assert.Equal(HttpStatusCode.TooManyRequests, aAgain.StatusCode);
        using var b = await proxied.Client.SendAsync(Upload(headers: ("X-Forwarded-For", "198.51.100.7")));
        Assert.Equal(HttpStatusCode.Accepted, b.StatusCode);
    }

    [Fact]
    public async Task ExpensiveReads_AreLimitedPerClient()
    {
        await using var server = await ServerHarness.StartAsync(Settings(("RateLimit:ExpensiveReadsPerMinute", "2")));
        using var upload = await server.Client.SendAsync(Upload("api/v1/batches"));
        var batch = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString();

        using var image1 = await server.Client.GetAsync("api/v1/documents/nope/pages/1/image");
        Assert.Equal(HttpStatusCode.NotFound, image1.StatusCode);
        using var report1 = await server.Client.GetAsync($"api/v1/batches/{batch}/report.pdf");
        Assert.Equal(HttpStatusCode.Conflict, report1.StatusCode); // still running: no worker
        using var report2 = await server.Client.GetAsync($"api/v1/batches/{batch}/report.pdf");
        await AssertProblem(report2, HttpStatusCode.TooManyRequests, "page images or reports");
        Assert.NotNull(report2.Headers.RetryAfter);
        using var image2 = await server.Client.GetAsync("api/v1/documents/nope/pages/1/image");
        Assert.Equal(HttpStatusCode.TooManyRequests, image2.StatusCode);
        // Cheap reads are not limited.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"api/v1/batches/{batch}/results.csv")).StatusCode);
    }
}

/// <summary>The pure parts of the controls, without a server.</summary>
public sealed class HardeningRulesTests
{
    [Theory]
    [InlineData("http://localhost:8080", "localhost:8080", true)]
    [InlineData("https://docflow.example.com", "docflow.example.com", true)] // TLS ended at a proxy: scheme not compared
    [InlineData("http://docflow.example.com", "DocFlow.Example.com", true)]
    [InlineData("https://docflow.example.com:8443", "docflow.example.com:8443", true)]
    [InlineData("http://[::1]:8080", "[::1]:8080", true)]
    [InlineData("http://localhost:8081", "localhost:8080", false)]
    [InlineData("https://docflow.example.com", "docflow.example.com:8443", false)]
    [InlineData("http://attacker.example", "localhost:8080", false)]
    [InlineData("null", "localhost:8080", false)]
    [InlineData("file://", "localhost", false)]
    public void SameOrigin_IsTheHostAndPortTheBrowserAddressed(string origin, string host, bool same) =>
        Assert.Equal(same, Hardening.IsSameOrigin(origin, new HostString(host)));

    [Theory]
    [InlineData("https://App.Example/", "https://app.example")]
    [InlineData("https://app.example:443", "https://app.example")]
    [InlineData("http://app.example:8080", "http://app.example:8080")]
    [InlineData("https://app.example/path", null)]
    [InlineData("ftp://app.example", null)]
    [InlineData("null", null)]
    public void ConfiguredOrigins_AreNormalised(string origin, string? expected) => Assert.Equal(expected, Hardening.NormaliseOrigin(origin));

    [Theory]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::1")]
    public void ClientKey_GroupsIpv6ByItsNetwork(string address, string key) => Assert.Equal(key, UploadRateLimit.ClientKey(IPAddress.Parse(address)));

    [Fact]
    public void Lists_ComeFromAStringOrAnArray()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AllowedHosts"] = "a.example; b.example,c.example",
            ["Cors:AllowedOrigins:0"] = "https://x.example",
            ["Cors:AllowedOrigins:1"] = "https://y.example",
        }).Build();

        Assert.Equal(["a.example", "b.example", "c.example"], Hardening.ReadList(configuration, "AllowedHosts"));
        Assert.Equal(["https://x.example", "https://y.example"], Hardening.ReadList(configuration, "Cors:AllowedOrigins"));
        Assert.Empty(Hardening.ReadList(configuration, "ForwardedHeaders:KnownProxies"));
    }
}
