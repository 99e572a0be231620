using System.Net;
using DocFlow.Data;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;
using DocFlow.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.IntegrationTests.Security;

/// <summary>Requests the hardening refuses (foreign Host, foreign Origin, uploads over the rate limit) leave one audit
/// entry each (action request.refused, reason, outcome, client address), and a flood leaves one per client, reason and
/// minute, the rest counted in the next entry.</summary>
public sealed class RefusalAuditTests
{
    private static readonly byte[] Receipt = File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf"));

    private static HttpRequestMessage Upload(params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/documents") { Content = ServerHarness.Form("file", ("r.pdf", Receipt)) };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static async Task<IReadOnlyList<AuditEntry>> RefusalsAsync(IAuditLog log) =>
        await log.QueryAsync(new AuditQuery(null, null, RefusalAudit.Action, null, null, 1000), CancellationToken.None);

    [Fact]
    public async Task ForeignOrigin_ForeignHost_AndRateLimitedUploads_LeaveOneEntryPerClientAndReason_NotOnePerRequest()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "0", ["RateLimit:UploadsPerMinute"] = "2",
        });
        var log = server.Services.GetRequiredService<IAuditLog>();
        var port = server.Client.BaseAddress!.Port;

        for (var i = 0; i < 5; i++)
        {
            using var refused = await server.Client.SendAsync(Upload(("Origin", "https://evil.example")));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        for (var i = 0; i < 3; i++)
        {
            using var rebound = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/jobs") { Headers = { { "Host", $"attacker.example:{port}" } } });
            Assert.Equal(HttpStatusCode.BadRequest, rebound.StatusCode);
        }
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var upload = await server.Client.SendAsync(Upload());
            statuses.Add(upload.StatusCode);
        }
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);

        var refusals = await RefusalsAsync(log);
        Assert.Equal(3, refusals.Count);
        var origin = Assert.Single(refusals, e => e.Target!.StartsWith("reason=foreign-origin", StringComparison.Ordinal));
        Assert.Equal(("reason=foreign-origin POST /api/v1/documents", 403, "127.0.0.1", "anonymous"), (origin.Target, origin.Outcome, origin.ClientAddress, origin.Principal));
        var host = Assert.Single(refusals, e => e.Target!.StartsWith("reason=host-not-allowed", StringComparison.Ordinal));
        Assert.Equal(("reason=host-not-allowed GET /api/v1/jobs", 400, "127.0.0.1"), (host.Target, host.Outcome, host.ClientAddress));
        var limited = Assert.Single(refusals, e => e.Target!.StartsWith("reason=rate-limited", StringComparison.Ordinal));
        Assert.Equal(("reason=rate-limited POST /api/v1/documents", 429, "127.0.0.1"), (limited.Target, limited.Outcome, limited.ClientAddress));
        Assert.All(refusals, e => Assert.False(string.IsNullOrEmpty(e.RequestId)));

        // The accepted uploads are recorded as uploads, the refused ones only as the refusal; the chain holds.
        var uploads = await log.QueryAsync(new AuditQuery(null, null, "POST /api/v1/documents", null, null, 100), CancellationToken.None);
        Assert.Equal(2, uploads.Count);
        Assert.All(uploads, e => Assert.Equal(202, e.Outcome));
        var verified = await log.VerifyAsync(CancellationToken.None);
        Assert.True(verified.Intact, verified.Reason);
        Assert.Equal(5, verified.Count);
    }

    [Fact]
    public async Task AFlood_IsOneEntryPerClientReasonAndMinute_TheNextEntryCountsTheRefusalsInBetween()
    {
        var dir = Repo.NewTempDirectory("refusals");
        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = Path.Combine(dir, "docflow.db") });
        await database.MigrateAsync(CancellationToken.None);
        var log = new EfAuditLog(database);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
        var refusals = new RefusalAudit(log, time, new ConfigurationBuilder().Build(), NullLogger<RefusalAudit>.Instance);

        static HttpContext From(string address)
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            context.Request.Method = "POST";
            context.Request.Path = "/api/v1/batches";
            return context;
        }

        for (var i = 0; i < 1000; i++) await refusals.RecordAsync(From("203.0.113.7"), RefusalAudit.Reasons.ForeignOrigin, 403);
        await refusals.RecordAsync(From("203.0.113.8"), RefusalAudit.Reasons.ForeignOrigin, 403);
        await refusals.RecordAsync(From("203.0.113.7"), RefusalAudit.Reasons.RateLimited, 429);
        Assert.Equal(3, (await log.VerifyAsync(CancellationToken.None)).Count);

        time.Advance(TimeSpan.FromSeconds(59));
        await refusals.RecordAsync(From("203.0.113.7"), RefusalAudit.Reasons.ForeignOrigin, 403);
        Assert.Equal(3, (await log.VerifyAsync(CancellationToken.None)).Count);

        time.Advance(TimeSpan.FromSeconds(2));
        await refusals.RecordAsync(From("203.0.113.7"), RefusalAudit.Reasons.ForeignOrigin, 403);
        var entries = await log.QueryAsync(new AuditQuery(null, null, RefusalAudit.Action, null, null, 10), CancellationToken.None);
        Assert.Equal(4, entries.Count);
        Assert.Equal(("reason=foreign-origin POST /api/v1/batches refused-since-last=1000", "203.0.113.7", 403),
            (entries[0].Target, entries[0].ClientAddress, entries[0].Outcome));
        Assert.True((await log.VerifyAsync(CancellationToken.None)).Intact);
    }
}
