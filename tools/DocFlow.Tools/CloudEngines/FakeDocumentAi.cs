using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DocFlow.Tools.CloudEngines;

/// <summary>What the fake does with the next requests.</summary>
public enum FakeFault
{
    /// <summary>Answers with a Document after <see cref="FakeDocumentAi.Latency"/>.</summary>
    None,

    /// <summary>429 RESOURCE_EXHAUSTED with a Retry-After header.</summary>
    TooManyRequests,

    /// <summary>503 UNAVAILABLE.</summary>
    Unavailable,

    /// <summary>Accepts the request and never answers (until the client gives up).</summary>
    Hang,

    /// <summary>400 INVALID_ARGUMENT (what Google answers a document it cannot read).</summary>
    InvalidArgument,
}

/// <summary>One request the fake received: when it arrived, the displayName, the pages asked for, the status sent, and
/// the credential it carried ("key:K" for x-goog-api-key, "bearer:T" for Authorization, null for none).</summary>
public sealed record FakeRequest(DateTimeOffset At, string DisplayName, IReadOnlyList<int> Pages, int Status, string? Credential = null);

/// <summary>
/// A fault-injecting fake of Google Document AI v1 <c>:process</c> on loopback (Kestrel, in process), for the cloud
/// engine tests and `docflow bench cloud`. It speaks the REST wire format: a ProcessRequest in (rawDocument base64,
/// processOptions.individualPageSelector), <c>{document, humanReviewStatus}</c> out (proto3 JSON: int64 as strings, an
/// enum as a number, fields the client does not know), google.rpc.Status errors <c>{"error":{"code","message","status"}}</c>.
/// Each page of the answer holds "Page N of NAME" with a token and an entity pointing at it. An outage
/// (<see cref="StopAsync"/>) closes the port; <see cref="StartAsync(int)"/> on the same port ends it.
/// </summary>
public sealed partial class FakeDocumentAi : IAsyncDisposable
{
    private readonly ConcurrentQueue<FakeRequest> _requests = new();
    private WebApplication? _app;

    private FakeDocumentAi(int port) => Port = port;

    public int Port { get; private set; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>Time before each answer (faults included).</summary>
    public TimeSpan Latency { get; set; }

    public FakeFault Fault { get; set; }

    /// <summary>Whether the fake reads what it is sent: each page's text is then the page's own content (a PDF page's
    /// words by PdfPig, "[image WxH]" for a page that is one image or an image file, "[blank page]"), so the same page
    /// reads the same whatever the request it came in (a packed one included). Otherwise (the default) every page says
    /// <see cref="PageText"/>, from the displayName and page number.</summary>
    public bool ReadContent { get; set; }

    /// <summary>Retry-After of a 429. <value>Default 1 s.</value></summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether the fake is listening (false during an outage).</summary>
    public bool Up => _app is not null;

    public IReadOnlyList<FakeRequest> Requests => [.. _requests];

    /// <summary>Forgets the requests received so far.</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>The access token <c>/token</c> issues.</summary>
    public const string AccessToken = "ya29.fake-token";

    private int _tokensIssued;

    /// <summary>Tokens issued by <c>/token</c>.</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>Starts a fake on <paramref name="port"/> (0: a free one).</summary>
    public static async Task<FakeDocumentAi> StartAsync(int port = 0)
    {
        var fake = new FakeDocumentAi(port);
        await fake.StartAsync().ConfigureAwait(false);
        return fake;
    }

    /// <summary>Listens again on the same port (the end of an outage).</summary>
    public async Task StartAsync()
    {
        if (_app is not null) return;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, Port);
            k.Limits.MaxRequestBodySize = 64L * 1024 * 1024;
        });
        var app = builder.Build();
        app.MapPost("/v1/{**path}", HandleAsync);
        // An OAuth 2.0 token endpoint for service-account credentials (JWT bearer grant, RFC 7523), as oauth2.googleapis.com/token.
        app.MapPost("/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || string.IsNullOrEmpty(form["assertion"]))
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            Interlocked.Increment(ref _tokensIssued);
            return Results.Json(new Dictionary<string, object> { ["access_token"] = AccessToken, ["expires_in"] = 3600, ["token_type"] = "Bearer" });
        });
        await app.StartAsync().ConfigureAwait(false);
        if (Port == 0)
            Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    /// <summary>An outage: the port is closed until <see cref="StartAsync()"/>; requests in flight are cut.</summary>
    public async Task StopAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is null) return;
        await app.StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false); // cut connections at once
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context, string path)
    {
        var at = DateTimeOffset.UtcNow;
        var credential = context.Request.Headers["x-goog-api-key"] is { Count: > 0 } key ? $"key:{key}"
            : context.Request.Headers.Authorization is { Count: > 0 } auth && auth.ToString().StartsWith("Bearer ", StringComparison.Ordinal)
                ? $"bearer:{auth.ToString()[7..]}" : null;
        if (!ProcessPath().IsMatch(path))
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"Unknown method {path}.", at, "", []).ConfigureAwait(false);
            return;
        }
        using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        var root = body.RootElement;
        if (!root.TryGetProperty("rawDocument", out var raw) || !raw.TryGetProperty("content", out var content))
        {
            await ErrorAsync(context, 400, "INVALID_ARGUMENT", "One of the document sources must be set.", at, "", []).ConfigureAwait(false);
            return;
        }
        var name = raw.TryGetProperty("displayName", out var n) ? n.GetString() ?? "" : "";
        var mimeType = raw.TryGetProperty("mimeType", out var mt) ? mt.GetString() ?? "" : "";
        var bytes = content.GetBytesFromBase64();
        var read = ReadContent ? ReadPages(bytes, mimeType) : null;
        List<int> pages = root.TryGetProperty("processOptions", out var po) && po.TryGetProperty("individualPageSelector", out var sel)
            ? [.. sel.GetProperty("pages").EnumerateArray().Select(p => p.GetInt32())]
            : [.. Enumerable.Range(1, read?.Count ?? CountPages(bytes))];

        var fault = Fault;
        if (fault == FakeFault.Hang)
        {
            _requests.Enqueue(new FakeRequest(at, name, pages, 0, credential));
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency, context.RequestAborted).ConfigureAwait(false);
        switch (fault)
        {
            case FakeFault.TooManyRequests:
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ErrorAsync(context, 429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Number of online process requests'.", at, name, pages)
                    .ConfigureAwait(false);
                return;
            case FakeFault.Unavailable:
                await ErrorAsync(context, 503, "UNAVAILABLE", "The service is currently unavailable.", at, name, pages).ConfigureAwait(false);
                return;
            case FakeFault.InvalidArgument:
                await ErrorAsync(context, 400, "INVALID_ARGUMENT", "Unsupported input file format.", at, name, pages).ConfigureAwait(false);
                return;
        }
        _requests.Enqueue(new FakeRequest(at, name, pages, 200, credential));
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.Body.WriteAsync(Answer(name, mimeType, pages, read), context.RequestAborted).ConfigureAwait(false);
    }

    private async Task ErrorAsync(HttpContext context, int code, string status, string message, DateTimeOffset at, string name, IReadOnlyList<int> pages)
    {
        _requests.Enqueue(new FakeRequest(at, name, pages, code));
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json; charset=UTF-8";
        var json = JsonSerializer.Serialize(new { error = new { code, message, status, details = Array.Empty<object>() } });
        await context.Response.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The text every page of an answer holds, as a test expects it.</summary>
    public static string PageText(string displayName, int page) => $"Page {page} of {displayName}\n";

    /// <summary>A ProcessResponse: per page its text, a token, and an entity whose pageAnchor points at it (0-based).</summary>
    private static byte[] Answer(string name, string mimeType, IReadOnlyList<int> pages, IReadOnlyList<string>? read)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            var text = new StringBuilder();
            w.WriteStartObject();
            w.WriteStartObject("document");
            w.WriteString("mimeType", mimeType is { Length: > 0 } ? mimeType : "application/pdf"); // the request's, as Google's
            w.WriteStartArray("pages");
            var spans = new List<(int Page, int Start, int End)>();
            foreach (var page in pages)
            {
                var start = text.Length;
                text.Append(read is null ? PageText(name, page) : read[page - 1] + "\n");
                spans.Add((page, start, text.Length));
                w.WriteStartObject();
                w.WriteNumber("pageNumber", page);
                w.WriteStartObject("dimension");
                w.WriteNumber("width", 1700);
                w.WriteNumber("height", 2200);
                w.WriteString("unit", "pixels");
                w.WriteEndObject();
                w.WriteStartObject("layout");
                Anchor(w, start, text.Length);
                w.WriteNumber("confidence", 0.98);
                w.WriteNumber("orientation", 1); // PAGE_UP as a number, as enum-encoding=int answers
                w.WriteEndObject();
                w.WriteStartArray("tokens");
                w.WriteStartObject();
                w.WriteStartObject("layout");
                Anchor(w, start, start + 4);
                w.WriteEndObject();
                w.WriteStartObject("detectedBreak");
                w.WriteString("type", "SPACE");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteStartObject("imageQualityScores"); // a field the DocFlow model does not have
                w.WriteNumber("qualityScore", 0.9);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("entities");
            for (var i = 0; i < spans.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("type", "page_marker");
                w.WriteString("mentionText", text.ToString(spans[i].Start, spans[i].End - spans[i].Start).TrimEnd());
                w.WriteStartObject("textAnchor");
                w.WriteStartArray("textSegments");
                w.WriteStartObject();
                w.WriteString("startIndex", spans[i].Start.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("endIndex", spans[i].End.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartObject("pageAnchor");
                w.WriteStartArray("pageRefs");
                w.WriteStartObject();
                if (i > 0) w.WriteString("page", i.ToString(System.Globalization.CultureInfo.InvariantCulture)); // int64, default 0 omitted
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("text", text.ToString());
            w.WriteStartObject("shardInfo");
            w.WriteString("shardCount", "1");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("humanReviewStatus");
            w.WriteString("state", "SKIPPED");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Anchor(Utf8JsonWriter w, int start, int end)
    {
        w.WriteStartObject("textAnchor");
        w.WriteStartArray("textSegments");
        w.WriteStartObject();
        if (start > 0) w.WriteString("startIndex", start.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("endIndex", end.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>What each page of a document says when the fake reads content (<see cref="ReadContent"/>).</summary>
    private static List<string> ReadPages(byte[] bytes, string mimeType)
    {
        if (mimeType != "application/pdf")
        {
            using var codec = SkiaSharp.SKCodec.Create(new MemoryStream(bytes));
            return [codec is null ? "[unreadable image]" : $"[image {codec.Info.Width}x{codec.Info.Height}]"];
        }
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(bytes);
        var texts = new List<string>(pdf.NumberOfPages);
        foreach (var page in pdf.GetPages())
        {
            var words = string.Join(' ', page.GetWords().Select(w => w.Text));
            if (words.Length > 0)
            {
                texts.Add(words);
                continue;
            }
            var image = page.GetImages().FirstOrDefault();
            texts.Add(image is null ? "[blank page]" : $"[image {image.WidthInSamples}x{image.HeightInSamples}]");
        }
        return texts;
    }

    /// <summary>Pages of a PDF by its page objects (enough for uncompressed test PDFs), else 1.</summary>
    private static int CountPages(byte[] bytes)
    {
        var count = PageObject().Count(Encoding.Latin1.GetString(bytes));
        return Math.Max(1, count);
    }

    [GeneratedRegex(@"^projects/[^/]+/locations/[^/]+/processors/[a-z0-9_-]+(/processorVersions/[a-z0-9_-]+)?:process$")]
    private static partial Regex ProcessPath();

    [GeneratedRegex(@"/Type\s*/Page(?![a-zA-Z])")]
    private static partial Regex PageObject();

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
