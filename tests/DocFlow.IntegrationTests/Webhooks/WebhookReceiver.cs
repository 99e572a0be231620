using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DocFlow.IntegrationTests.Webhooks;

/// <summary>A real HTTP receiver (Kestrel on a loopback address, a free port) that records every request and answers
/// with what <see cref="Answer"/> says (default 200).</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(DateTimeOffset At, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : "";
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();
    private int _count;

    /// <summary>The answer to the n-th request (1-based): a status code, and a Location for redirects.</summary>
    public Func<int, (int Status, string? Location)> Answer { get; set; } = _ => (200, null);

    public IReadOnlyList<Received> Requests => [.. _received];

    public Uri Url { get; private set; } = null!;

    private WebhookReceiver(WebApplication app) => _app = app;

    public static async Task<WebhookReceiver> StartAsync(string address = "127.0.0.1", int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{address}:{port}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            // The request's number is taken with its place in the log: two requests arriving together each get their own
            // (reading the log's count after the enqueue gave both the later number).
            var n = Interlocked.Increment(ref receiver._count);
            receiver._received.Enqueue(new Received(DateTimeOffset.UtcNow, context.Request.Path, headers, buffer.ToArray()));
            var (status, location) = receiver.Answer(n);
            context.Response.StatusCode = status;
            if (location is not null) context.Response.Headers.Location = location;
        });
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(bound.TrimEnd('/') + "/hook");
        return receiver;
    }

    /// <summary>Waits until <paramref name="done"/> holds for the requests received (the server delivers in the background).</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<IReadOnlyList<Received>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var now = Requests;
            if (done(now)) return now;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the receiver got {now.Count} requests: {string.Join(", ", now.Select(r => r.Header("webhook-id")))}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
