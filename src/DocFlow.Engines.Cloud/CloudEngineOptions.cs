using System.ComponentModel.DataAnnotations;

namespace DocFlow.Engines.Cloud;

/// <summary>Which engine reads which documents, the cloud engines and what pages cost. Section "Engines".</summary>
public sealed class EnginesOptions
{
    public const string SectionName = "Engines";

    /// <summary>Engine per route (<c>image</c>, <c>pdf</c>): "local" or the name of an engine under <see cref="Cloud"/>.
    /// <value>Default: none, every route on the local engine.</value></summary>
    public Dictionary<string, string> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Cloud engines by name (the name is the <c>engine</c> label on the metrics and the job's engine).</summary>
    public Dictionary<string, CloudEngineOptions> Cloud { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Price of one page per engine name ("local" included), in <see cref="Currency"/>: the cost metric.
    /// <value>Default: empty (no cost recorded).</value></summary>
    public Dictionary<string, decimal> PricePerPage { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Currency of <see cref="PricePerPage"/>. <value>Default "USD".</value></summary>
    [Required]
    public string Currency { get; set; } = "USD";
}

/// <summary>The wire format's two flavours: Google's regional endpoint, or any base URL speaking the same REST API.</summary>
public enum CloudEngineKind
{
    /// <summary>Google Document AI v1 at <c>https://{Location}-documentai.googleapis.com</c>.</summary>
    Google,

    /// <summary>The same client at <see cref="CloudEngineOptions.BaseUrl"/> (another DocFlow, a proxy, a fake).</summary>
    DocAiCompatible,
}

/// <summary>What happens to a document when its cloud engine cannot take it (breaker open, quota spent, errors).</summary>
public enum UnavailableBehaviour
{
    /// <summary>The local engine reads it now.</summary>
    Local,

    /// <summary>It waits for the cloud engine (quota or breaker), within the document's time budget.</summary>
    Wait,
}

/// <summary>One cloud engine: endpoint, credentials, quota and resilience. Section "Engines:Cloud:NAME".</summary>
public sealed class CloudEngineOptions
{
    /// <summary>google or docai-compatible (also written DocAiCompatible). <value>Default google.</value></summary>
    public string Kind { get; set; } = "google";

    /// <summary>Base URL for docai-compatible (e.g. <c>http://docflow-eu:8080</c>); for google, overrides the regional endpoint.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Project id or number in the resource name. <value>Required.</value></summary>
    [Required]
    public string Project { get; set; } = "";

    /// <summary>Location: "us" or "eu" for Google (also picks the regional endpoint). <value>Default "us".</value></summary>
    [Required]
    public string Location { get; set; } = "us";

    /// <summary>Processor id. <value>Required.</value></summary>
    [Required]
    public string Processor { get; set; } = "";

    /// <summary>Processor version (<c>.../processorVersions/{v}:process</c>); null uses the processor's default version.</summary>
    public string? ProcessorVersion { get; set; }

    /// <summary>Service-account key file (JSON); its token is sent as <c>Authorization: Bearer</c>.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>API key, sent as <c>x-goog-api-key</c>. With neither key nor credentials no auth header is sent.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Requests per <see cref="QuotaWindow"/> (a minute), the quota (Google's default: 600 online process requests a minute a project).
    /// Every attempt (retries included) takes one. <value>Default 600.</value></summary>
    [Range(1, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>The quota's window. <value>Default 1 minute.</value></summary>
    public TimeSpan QuotaWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Time the quota leaves for jitter between the limiter and the endpoint (network, scheduling on a busy
    /// machine): the refills are spread over the window plus this, so requests bunched up on their way still fit the
    /// endpoint's window. <value>Default 2 s.</value></summary>
    public TimeSpan QuotaMargin { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Requests that may start at once after an idle spell; the rest are spread evenly so that no 60-second
    /// window ever holds more than <see cref="RequestsPerMinute"/>. <value>Default 1.</value></summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 1;

    /// <summary>Requests in flight at once. <value>Default 64.</value></summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Pages in flight at once over all requests. <value>Default 960 (64 requests of 15 pages).</value></summary>
    [Range(1, 10_000_000)]
    public int MaxPagesInFlight { get; set; } = 960;

    /// <summary>Most pages in one request (Google's online limit: 15; 30 in imageless mode); longer PDFs are sent as page
    /// ranges and merged back. <value>Default 15.</value></summary>
    [Range(1, 10_000)]
    public int MaxPagesPerRequest { get; set; } = 15;

    /// <summary>Largest file sent (Google's online limit: 40 MB); larger ones go to the fallback. <value>Default 40 MB.</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxRequestBytes { get; set; } = 40L * 1024 * 1024;

    /// <summary>Request packing: most pages in one packed request. Documents shorter than this that wait for this engine
    /// at the same time are assembled into one PDF (PDF pages imported, JPEG/PNG images as pages), sent as one
    /// <c>rawDocument</c>, and the answer is split back into one Document per original. 0 turns packing off (one request
    /// per document). At most <see cref="MaxPagesPerRequest"/>. <value>Default 0 (off).</value></summary>
    [Range(0, 10_000)]
    public int PackPages { get; set; }

    /// <summary>Request packing: the longest time a pack waits for more documents after its first one arrived, in
    /// milliseconds; a pack that reaches <see cref="PackPages"/> pages (or <see cref="MaxRequestBytes"/>) leaves at
    /// once. <value>Default 100.</value></summary>
    [Range(0, 60_000)]
    public int PackWindowMs { get; set; } = 100;

    /// <summary>Time for one HTTP attempt. <value>Default 60 s.</value></summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time for one request with its retries and quota waits. <value>Default 180 s.</value></summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>Retries after a 429, a 503 or an attempt timeout (exponential with jitter; a Retry-After header wins).
    /// <value>Default 3.</value></summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay. <value>Default 1 s.</value></summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest Retry-After honoured; a longer one ends the retries. <value>Default 30 s.</value></summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The circuit breaker of this endpoint.</summary>
    [Required]
    public BreakerOptions Breaker { get; set; } = new();

    /// <summary>Local (read it locally now) or Wait (for the quota or the breaker). <value>Default Local.</value></summary>
    public UnavailableBehaviour WhenUnavailable { get; set; } = UnavailableBehaviour.Local;

    /// <summary>Longest wait for the quota (requests a minute, concurrent requests, pages in flight) before a document goes
    /// to the local engine; ignored with Wait. <value>Default 30 s.</value></summary>
    public TimeSpan MaxQuotaWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>With Wait: pause before trying again while the breaker is open. <value>Default 5 s.</value></summary>
    public TimeSpan WaitRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    internal CloudEngineKind ParsedKind => Kind.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant() switch
    {
        "GOOGLE" => CloudEngineKind.Google,
        "DOCAICOMPATIBLE" => CloudEngineKind.DocAiCompatible,
        _ => throw new InvalidOperationException($"Engines:Cloud: unknown Kind '{Kind}' (google or docai-compatible)."),
    };

    /// <summary>The endpoint's base URL: <see cref="BaseUrl"/>, else Google's regional endpoint.</summary>
    internal Uri Endpoint => BaseUrl ?? (ParsedKind == CloudEngineKind.Google
        ? new Uri($"https://{Location}-documentai.googleapis.com/")
        : throw new InvalidOperationException("Engines:Cloud: a docai-compatible engine needs BaseUrl."));

    /// <summary>Relative path of the <c>:process</c> method.</summary>
    internal string ProcessPath => $"v1/projects/{Uri.EscapeDataString(Project)}/locations/{Uri.EscapeDataString(Location)}/processors/{Uri.EscapeDataString(Processor)}"
        + (ProcessorVersion is { Length: > 0 } v ? $"/processorVersions/{Uri.EscapeDataString(v)}" : "") + ":process";
}

/// <summary>Circuit breaker of one endpoint (Polly's circuit breaker). Section "Engines:Cloud:NAME:Breaker".</summary>
public sealed class BreakerOptions
{
    /// <summary>Share of failed attempts in the sampling window that opens it. <value>Default 0.5.</value></summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Attempts in the window before it may open. <value>Default 10.</value></summary>
    [Range(2, 1_000_000)]
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The sampling window. <value>Default 30 s.</value></summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long it stays open before one trial request (half-open). <value>Default 30 s.</value></summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
