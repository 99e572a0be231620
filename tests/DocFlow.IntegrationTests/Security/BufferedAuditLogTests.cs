using System.Net;
using DocFlow.Data;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;
using DocFlow.Server.Hosting;
using DocFlow.Server.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Security;

/// <summary>The server writes audit entries in batches off the request path: none is lost when the server stops right
/// after answering, and a read of the log sees every request answered before it.</summary>
public sealed class BufferedAuditLogTests
{
    private static readonly byte[] Receipt = File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf"));

    [Fact]
    public async Task EntriesHandedOverJustBeforeShutdown_AreInTheDatabaseAfterIt_AndChained()
    {
        var data = Repo.NewTempDirectory("buffered-audit");
        const int uploads = 40;
        var app = DocFlowServer.Build(new Dictionary<string, string?> { ["DataDirectory"] = data, ["Workers"] = "0" }, "http://127.0.0.1:0");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using (var client = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") })
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, uploads).Select(async i =>
            {
                using var response = await client.PostAsync("api/v1/documents", ServerHarness.Form("file", ($"r{i}.pdf", Receipt)));
                return response.StatusCode;
            }));
            Assert.All(answers, s => Assert.Equal(HttpStatusCode.Accepted, s));
        }
        // No read of the log before the stop (a read would flush): the stop itself must write what is waiting.
        await app.StopAsync();
        await app.DisposeAsync();

        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = Path.Combine(data, "docflow.db") });
        var log = new EfAuditLog(database);
        var verified = await log.VerifyAsync(CancellationToken.None);
        Assert.True(verified.Intact, verified.Reason);
        var entries = await log.QueryAsync(new AuditQuery(null, null, "POST /api/v1/documents", null, null, 1000), CancellationToken.None);
        Assert.Equal(uploads, entries.Count);
        Assert.All(entries, e => Assert.Equal(202, e.Outcome));
    }

    [Fact]
    public async Task TheWriter_AppendsOnItsOwnThread_NotOnAThreadPoolThread()
    {
        // SQLite's calls are synchronous: a batch written on a pool thread holds a thread that requests need.
        var data = Repo.NewTempDirectory("audit-writer-thread");
        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = Path.Combine(data, "docflow.db") });
        await database.MigrateAsync(CancellationToken.None);
        var inner = new ThreadRecordingLog(new EfAuditLog(database));
        await using (var buffered = new DocFlow.Server.Security.BufferedAuditLog(inner,
                         Microsoft.Extensions.Logging.Abstractions.NullLogger<DocFlow.Server.Security.BufferedAuditLog>.Instance))
        {
            for (var i = 0; i < 10; i++)
                await buffered.Enqueue(new AuditEvent(DateTimeOffset.UtcNow, "dfk_test", "reader", "GET /api/v1/documents/{id}/result", $"id=d{i}", 200, null, null));
            Assert.Equal(10, (await buffered.VerifyAsync(CancellationToken.None)).Count);
            await buffered.Enqueue(new AuditEvent(DateTimeOffset.UtcNow, "dfk_test", "reader", "GET /api/v1/documents/{id}/result", "id=last", 200, null, null));
        }
        // Disposal wrote the last one on the same thread.
        Assert.Equal(11, (await new EfAuditLog(database).VerifyAsync(CancellationToken.None)).Count);
        Assert.NotEmpty(inner.Threads);
        Assert.All(inner.Threads, t => Assert.Equal((false, DocFlow.Server.Security.BufferedAuditLog.WriterThreadName), t));
    }

    /// <summary>The real log, noting the thread each append runs on.</summary>
    private sealed class ThreadRecordingLog(IAuditLog inner) : IAuditLog
    {
        public System.Collections.Concurrent.ConcurrentQueue<(bool Pool, string? Name)> Threads { get; } = new();

        public Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
        {
            Threads.Enqueue((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
            return inner.AppendAsync(auditEvent, cancellationToken);
        }

        public Task<IReadOnlyList<AuditEntry>> AppendManyAsync(IReadOnlyList<AuditEvent> auditEvents, CancellationToken cancellationToken)
        {
            Threads.Enqueue((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
            return inner.AppendManyAsync(auditEvents, cancellationToken);
        }

        public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

        public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => inner.VerifyAsync(cancellationToken);
    }

    [Fact]
    public async Task ARead_OfTheLog_SeesEveryRequestAnsweredBeforeIt()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var log = server.Services.GetRequiredService<IAuditLog>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ($"r{i}.pdf", Receipt)));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            // At once, without waiting for the writer's gather time.
            Assert.Equal(i + 1, (await log.VerifyAsync(CancellationToken.None)).Count);
        }
    }
}

/// <summary><c>Audit:Enabled=false</c> (the baseline of `docflow bench api`) exists only where nobody signs in.</summary>
public sealed class AuditSwitchTests
{
    [Fact]
    public async Task AuditOff_RecordsNothingInOpenMode_AndAServerThatChecksKeysRefusesIt()
    {
        await using (var open = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0", ["Audit:Enabled"] = "false" }))
        {
            using var upload = await open.Client.PostAsync("api/v1/documents",
                ServerHarness.Form("file", ("r.pdf", File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf")))));
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
            using var refused = new HttpRequestMessage(HttpMethod.Post, "api/v1/documents") { Headers = { { "Origin", "https://evil.example" } } };
            Assert.Equal(HttpStatusCode.Forbidden, (await open.Client.SendAsync(refused)).StatusCode);
            Assert.Equal(0, (await open.Services.GetRequiredService<IAuditLog>().VerifyAsync(CancellationToken.None)).Count);
        }

        var error = await Assert.ThrowsAsync<AuthNotConfiguredException>(() =>
            ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0", ["Audit:Enabled"] = "false", ["Auth:Required"] = "true" }));
        Assert.Contains("Audit:Enabled=false", error.Message);
    }
}
