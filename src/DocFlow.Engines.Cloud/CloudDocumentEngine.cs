using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.RateLimiting;
using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Queueing;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace DocFlow.Engines.Cloud;

/// <summary>
/// An <see cref="IDocumentEngine"/> that sends documents to a Document AI v1 <c>:process</c> endpoint (Google's, or any
/// compatible one) behind one Polly pipeline per endpoint, and hands them to the local engine when it cannot.
/// </summary>
/// <remarks>
/// Per request (outer to inner): total timeout, retry (429, 503, attempt timeouts; exponential with jitter, or the
/// Retry-After), circuit breaker, rate limiter (a token bucket that keeps every window of <see cref="CloudEngineOptions.QuotaWindow"/>
/// within <see cref="CloudEngineOptions.RequestsPerMinute"/>), attempt timeout. Before it, two concurrency limits:
/// requests and pages in flight. A PDF longer than <see cref="CloudEngineOptions.MaxPagesPerRequest"/> is sent as page
/// ranges (<c>individualPageSelector</c>) at once and merged (<see cref="DocumentMerger"/>); if any range fails, the whole
/// document goes to the fallback, so a Document always comes from one engine.
/// </remarks>
public sealed partial class CloudDocumentEngine : IDocumentEngine, IDisposable
{
    private readonly CloudEngineOptions _options;
    private readonly HttpClient _http;
    private readonly IDocumentEngine _fallback;
    private readonly IPageRangeEngine? _inspector;
    private readonly CloudEngineTelemetry _telemetry;
    private readonly ITokenAccess? _token;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, decimal?> _price;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly TokenBucketRateLimiter _perMinute;
    private readonly ConcurrencyLimiter _requests;
    private readonly ConcurrencyLimiter _pages;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly string _path;
    private readonly RequestPacker? _packer;
    private readonly CancellationTokenSource _disposed = new();
    private long _packs;

    public CloudDocumentEngine(string name, CloudEngineOptions options, HttpClient http, IDocumentEngine fallback,
        CloudEngineTelemetry telemetry, ILogger logger, ITokenAccess? token = null, TimeProvider? timeProvider = null,
        Func<string, decimal?>? price = null)
    {
        Name = name;
        _options = options;
        _http = http;
        _fallback = fallback;
        _inspector = fallback as IPageRangeEngine;
        _telemetry = telemetry;
        _logger = logger;
        _token = token;
        _time = timeProvider ?? TimeProvider.System;
        _price = price ?? (_ => null);
        _tag = CloudEngineTelemetry.Engine(name);
        _path = options.ProcessPath;
        _perMinute = new TokenBucketRateLimiter(QuotaBucket(options));
        _requests = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrentRequests, QueueLimit = int.MaxValue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _pages = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxPagesInFlight, QueueLimit = int.MaxValue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _pipeline = BuildPipeline();
        telemetry.TrackBreaker(name, () => (int)_breaker.CircuitState);
        if (options.PackPages >= 2)
            _packer = new RequestPacker(Math.Min(options.PackPages, options.MaxPagesPerRequest), options.MaxRequestBytes,
                TimeSpan.FromMilliseconds(options.PackWindowMs), _time, pack => _ = Task.Run(() => SendPackAsync(pack)));
    }

    /// <summary>The engine's name in configuration: the <c>engine</c> label and the job's engine.</summary>
    public string Name { get; }

    /// <summary>The endpoint's circuit breaker now.</summary>
    public CircuitState BreakerState => _breaker.CircuitState;

    /// <summary>A token bucket whose every window of <see cref="CloudEngineOptions.QuotaWindow"/> holds at most the quota.</summary>
    /// <remarks>n tokens every period P, at most L = max(Burst, n) in the bucket. A window of length W + margin sees the
    /// L tokens it starts with plus at most floor((W + margin) / P) + 1 refills, so with P = (W + margin)·n / (quota − L − n),
    /// rounded up to whole milliseconds, it never holds more than L + (quota − L − n) + n = quota, even when requests
    /// reach the endpoint up to <see cref="CloudEngineOptions.QuotaMargin"/> closer together than they left. n keeps P
    /// near 100 ms, so a large quota is not spent in bursts.</remarks>
    internal static TokenBucketRateLimiterOptions QuotaBucket(CloudEngineOptions o)
    {
        var windowMs = o.QuotaWindow.TotalMilliseconds + Math.Max(0, o.QuotaMargin.TotalMilliseconds);
        var perPeriod = Math.Max(1, (int)(o.RequestsPerMinute * 100 / windowMs));
        var limit = Math.Max(1, Math.Min(Math.Max(o.Burst, perPeriod), o.RequestsPerMinute / 2));
        var spread = Math.Max(1, o.RequestsPerMinute - limit - perPeriod);
        var periodMs = Math.Ceiling(windowMs * perPeriod / spread);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(limit, perPeriod),
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(periodMs),
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        };
    }

    public async Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // A page selection goes to the local engine, which reads only those pages with their original numbers; this engine
        // sends whole documents or its own 15-page ranges (docs/engines.md).
        if (input.Pages is not null) return await FallBackAsync(input, "page_selection", cancellationToken).ConfigureAwait(false);
        // Inspection (sniffing, header limits) is local and cheap: bad input fails here exactly as it would locally.
        var outline = _inspector?.Inspect(input) ?? new DocumentOutline("application/pdf", 1);
        var split = outline.Pages > _options.MaxPagesPerRequest;
        if (input.Content.Length > _options.MaxRequestBytes || (split && outline.MimeType != "application/pdf"))
            return await FallBackAsync(input, "too_large", cancellationToken).ConfigureAwait(false);

        IReadOnlyList<PageRange?> ranges = split
            ? [.. SplitPlanner.Plan(outline.Pages, _options.MaxPagesPerRequest).Select(r => (PageRange?)r)]
            : [null];
        var packed = _packer is not null && !split && _packer.Accepts(outline, input.Content.Length);
        while (true)
        {
            try
            {
                Document document;
                if (packed)
                {
                    try
                    {
                        document = await _packer!.ProcessAsync(input, outline, cancellationToken).ConfigureAwait(false);
                    }
                    catch (PackRefusedException ex)
                    {
                        // The pack could not carry it, or the endpoint refused the pack: alone, it is this document's own answer.
                        Log.SentAlone(_logger, Name, input.Name, ex.Reason, ex.Message);
                        _telemetry.PackRefused.Add(1, _tag, new KeyValuePair<string, object?>("reason", ex.Reason));
                        packed = false;
                        continue;
                    }
                }
                else
                {
                    document = await RemoteAsync(input, outline, ranges, cancellationToken).ConfigureAwait(false);
                }
                var pages = document.Pages?.Count ?? 0;
                var stats = new ProcessingStats(outline.MimeType, pages, [], [], new Dictionary<int, int>(), Stopwatch.GetElapsedTime(started))
                {
                    Engine = Name,
                };
                Produced(Name, pages);
                return new DocumentResult(document, stats);
            }
            catch (CloudUnavailableException ex) when (_options.WhenUnavailable == UnavailableBehaviour.Wait && ex.Reason is "breaker_open" or "quota")
            {
                Log.Waiting(_logger, Name, input.Name, ex.Reason);
                await Task.Delay(_options.WaitRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudUnavailableException ex)
            {
                Log.FallingBack(_logger, Name, input.Name, ex.Reason, ex.Message);
                return await FallBackAsync(input, ex.Reason, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<DocumentResult> FallBackAsync(DocumentInput input, string reason, CancellationToken ct)
    {
        _telemetry.Fallbacks.Add(1, _tag, new KeyValuePair<string, object?>("reason", reason));
        var result = await _fallback.ProcessAsync(input, ct).ConfigureAwait(false);
        Produced(result.Stats.Engine, result.Stats.Pages);
        return result;
    }

    private void Produced(string engine, int pages)
    {
        var by = CloudEngineTelemetry.Engine(engine);
        _telemetry.Documents.Add(1, by, new KeyValuePair<string, object?>("configured", Name));
        _telemetry.EnginePages.Add(pages, by);
        if (_price(engine) is { } price)
            _telemetry.Cost.Add((double)(price * pages), by);
    }

    /// <summary>A sealed pack (<see cref="RequestPacker"/>): assembled into one PDF, sent as one request, the answer split
    /// back; every item gets its Document, or the reason it falls back (a failure of the endpoint, as an unpacked request's)
    /// or goes alone (<see cref="PackRefusedException"/>: it could not be packed, the endpoint refused the pack, or the
    /// answer could not be split). A pack whose callers all gave up is cancelled.</summary>
    private async Task SendPackAsync(Pack pack)
    {
        using (pack)
        {
            var items = pack.Items.ToList();
            var alone = false;
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(pack.Abandoned.Token, _disposed.Token);
                var ct = linked.Token;
                var refused = new List<(PackItem Item, string Reason)>();
                var (pdf, packed) = items.Count == 1 ? (null, items) : PackAssembler.Assemble(items, i => (i.Input, i.Outline), refused);
                foreach (var (item, reason) in refused) item.TryFail(new PackRefusedException("unpackable", reason));
                items = [.. packed];
                if (items.Count == 0) return;
                if (items.Count == 1)
                {
                    // A pack of one is the document's own request.
                    alone = true;
                    var only = items[0];
                    only.TrySucceed(await RequestAsync(only.Input, only.Outline.MimeType, null, only.Outline.Pages, ct).ConfigureAwait(false));
                    return;
                }
                if (pdf!.Length > _options.MaxRequestBytes)
                {
                    foreach (var item in items) item.TryFail(new PackRefusedException("too_large", $"the pack's PDF has {pdf.Length} bytes"));
                    return;
                }
                var pages = items.Sum(i => i.Outline.Pages);
                _telemetry.PackDocuments.Record(items.Count, _tag);
                var name = $"docflow-pack-{Interlocked.Increment(ref _packs)}";
                var answer = await RequestAsync(new DocumentInput(name, pdf), "application/pdf", null, pages, ct).ConfigureAwait(false);
                IReadOnlyList<Document> parts;
                try
                {
                    parts = DocumentSplitter.Split(answer, [.. items.Select(i => (i.Outline.Pages, i.Outline.MimeType))]);
                }
                catch (FormatException ex)
                {
                    foreach (var item in items) item.TryFail(new PackRefusedException("bad_split", ex.Message));
                    return;
                }
                for (var i = 0; i < items.Count; i++) items[i].TrySucceed(parts[i]);
            }
            catch (CloudUnavailableException ex) when (!alone && RefusedByEndpoint(ex.Reason))
            {
                // A 4xx (other than 429) or an unreadable answer may be one document's fault: each goes alone.
                foreach (var item in items) item.TryFail(new PackRefusedException(ex.Reason, ex.Message));
            }
            catch (CloudUnavailableException ex)
            {
                foreach (var item in items) item.TryFail(ex);
            }
            catch (OperationCanceledException)
            {
                foreach (var item in items) item.TryCancel();
            }
            catch (Exception ex)
            {
                foreach (var item in items) item.TryFail(alone ? ex : new PackRefusedException("error", $"{ex.GetType().Name}: {ex.Message}"));
            }
        }
    }

    private static bool RefusedByEndpoint(string reason) =>
        reason == "bad_response" || (reason.StartsWith("http_4", StringComparison.Ordinal) && reason != "http_429");

    /// <summary>All ranges at once; the first failure cancels the others and decides the document's fate.</summary>
    private async Task<Document> RemoteAsync(DocumentInput input, DocumentOutline outline, IReadOnlyList<PageRange?> ranges, CancellationToken ct)
    {
        if (ranges.Count == 1)
            return await RequestAsync(input, outline.MimeType, ranges[0], outline.Pages, ct).ConfigureAwait(false);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = ranges.Select(async r =>
        {
            try
            {
                return (r!.Value, await RequestAsync(input, outline.MimeType, r, r!.Value.Count, failed.Token).ConfigureAwait(false));
            }
            catch
            {
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }).ToList();
        try
        {
            var parts = await Task.WhenAll(tasks).ConfigureAwait(false);
            return DocumentMerger.Merge(parts);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // A sibling's failure cancelled this one: report the sibling's reason.
            throw tasks.Select(t => t.Exception?.InnerException).OfType<CloudUnavailableException>().FirstOrDefault()
                  ?? new CloudUnavailableException("error", "a page range failed");
        }
    }

    private async Task<Document> RequestAsync(DocumentInput input, string mimeType, PageRange? range, int pages, CancellationToken ct)
    {
        using var request = await AcquireAsync(_requests, 1, "concurrent_requests", ct).ConfigureAwait(false);
        using var inFlight = await AcquireAsync(_pages, Math.Min(pages, _options.MaxPagesInFlight), "pages_in_flight", ct).ConfigureAwait(false);
        var body = DocumentAiWire.ProcessRequest(input, mimeType, range);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(static (state, token) => state.engine.SendAsync(state.body, token), (engine: this, body), ct)
                .ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex) { throw new CloudUnavailableException("breaker_open", ex.Message); }
        catch (RateLimiterRejectedException ex) { throw new CloudUnavailableException("quota", ex.Message); }
        catch (TimeoutRejectedException ex) { throw new CloudUnavailableException("timeout", ex.Message); }
        catch (HttpRequestException ex) { throw new CloudUnavailableException("unreachable", ex.Message); }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var status = DocumentAiWire.ParseError(bytes);
                throw new CloudUnavailableException($"http_{(int)response.StatusCode}",
                    status is null ? $"HTTP {(int)response.StatusCode}" : $"{status.Code} {status.Status}: {status.Message}");
            }
            try
            {
                return DocumentAiWire.ParseDocument(bytes);
            }
            catch (JsonException ex)
            {
                throw new CloudUnavailableException("bad_response", ex.Message);
            }
        }
    }

    /// <summary>One HTTP attempt (the pipeline's innermost call).</summary>
    private async ValueTask<HttpResponseMessage> SendAsync(byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (_options.ApiKey is { Length: > 0 } key)
            request.Headers.TryAddWithoutValidation("x-goog-api-key", key);
        else if (_token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                await _token.GetAccessTokenForRequestAsync(null, ct).ConfigureAwait(false));
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return response;
        }
        catch (OperationCanceledException)
        {
            outcome = "timeout";
            throw;
        }
        catch (HttpRequestException)
        {
            outcome = "unreachable";
            throw;
        }
        finally
        {
            _telemetry.Requests.Add(1, _tag, new KeyValuePair<string, object?>("outcome", outcome));
            _telemetry.RemoteDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _tag);
        }
    }

    /// <summary>Waits for a concurrency permit; with the Local behaviour, no longer than <see cref="CloudEngineOptions.MaxQuotaWait"/>.</summary>
    private async ValueTask<RateLimitLease> AcquireAsync(RateLimiter limiter, int permits, string limit, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (_options.WhenUnavailable == UnavailableBehaviour.Local) wait.CancelAfter(_options.MaxQuotaWait);
        try
        {
            var lease = await limiter.AcquireAsync(permits, wait.Token).ConfigureAwait(false);
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                throw new CloudUnavailableException("quota", $"{limit}: no permit");
            }
            return lease;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CloudUnavailableException("quota", $"{limit}: no permit within {_options.MaxQuotaWait.TotalSeconds:F0} s");
        }
        finally
        {
            _telemetry.QuotaWait.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _tag, new KeyValuePair<string, object?>("limit", limit));
        }
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
    {
        var o = _options;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = $"docflow-engine-{Name}", TimeProvider = _time };
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = o.TotalTimeout, Name = "total" });
        if (o.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = o.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryDelay,
                ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    _telemetry.Retries.Add(1, _tag);
                    return default;
                },
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = o.Breaker.FailureRatio,
            MinimumThroughput = o.Breaker.MinimumThroughput,
            SamplingDuration = o.Breaker.SamplingDuration,
            BreakDuration = o.Breaker.BreakDuration,
            StateProvider = _breaker,
            ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome)),
            OnOpened = args =>
            {
                Log.BreakerOpened(_logger, Name, args.BreakDuration.TotalSeconds);
                return default;
            },
            OnHalfOpened = _ =>
            {
                Log.BreakerHalfOpen(_logger, Name);
                return default;
            },
            OnClosed = _ =>
            {
                Log.BreakerClosed(_logger, Name);
                return default;
            },
        });
        builder.AddRateLimiter(new RateLimiterStrategyOptions
        {
            RateLimiter = args => AcquireQuotaAsync(args.Context.CancellationToken),
        });
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = o.AttemptTimeout, Name = "attempt" });
        return builder.Build();
    }

    /// <summary>One request's token of the per-minute quota (every attempt takes one).</summary>
    private async ValueTask<RateLimitLease> AcquireQuotaAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (_options.WhenUnavailable == UnavailableBehaviour.Local) wait.CancelAfter(_options.MaxQuotaWait);
        try
        {
            return await _perMinute.AcquireAsync(1, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return QuotaSpent.Instance;
        }
        finally
        {
            _telemetry.QuotaWait.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _tag,
                new KeyValuePair<string, object?>("limit", "requests_per_minute"));
        }
    }

    private static bool IsRetryable(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException } => true,
        { Result.StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } => true,
        _ => false,
    };

    /// <summary>What counts against the breaker: the endpoint failing, not the document (5xx, 429, timeouts, no connection).</summary>
    private static bool IsFailure(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException or HttpRequestException } => true,
        { Exception: OperationCanceledException } => false,
        { Result: { } r } => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests,
        _ => false,
    };

    /// <summary>The Retry-After of a 429/503 (seconds or a date), capped at <see cref="CloudEngineOptions.MaxRetryAfter"/>; null lets
    /// the exponential backoff decide.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        var after = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        if (after is not { } delay) return null;
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        return delay > _options.MaxRetryAfter ? _options.MaxRetryAfter : delay;
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        _perMinute.Dispose();
        _requests.Dispose();
        _pages.Dispose();
        _http.Dispose();
    }

    private sealed class QuotaSpent : RateLimitLease
    {
        public static readonly QuotaSpent Instance = new();
        public override bool IsAcquired => false;
        public override IEnumerable<string> MetadataNames => [];
        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Cloud engine {Engine}: {Document} goes to the local engine ({Reason}: {Detail})")]
        public static partial void FallingBack(ILogger logger, string engine, string document, string reason, string detail);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Cloud engine {Engine}: {Document} waits ({Reason})")]
        public static partial void Waiting(ILogger logger, string engine, string document, string reason);

        [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "Cloud engine {Engine}: {Document} is sent alone, not packed ({Reason}: {Detail})")]
        public static partial void SentAlone(ILogger logger, string engine, string document, string reason, string detail);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Cloud engine {Engine}: circuit breaker opened for {Seconds} s")]
        public static partial void BreakerOpened(ILogger logger, string engine, double seconds);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Cloud engine {Engine}: circuit breaker half-open, trying one request")]
        public static partial void BreakerHalfOpen(ILogger logger, string engine);

        [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "Cloud engine {Engine}: circuit breaker closed")]
        public static partial void BreakerClosed(ILogger logger, string engine);
    }
}

/// <summary>The cloud engine cannot produce this document now; <see cref="Reason"/> is the fallback metric's label.</summary>
internal sealed class CloudUnavailableException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
