using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DocFlow.Server.Api;

/// <summary>
/// Per-client limits on what costs, each over a one-minute window, partitioned by <see cref="ClientKey"/> (the connection's
/// address, or the forwarded client address when the connection comes from a configured proxy, see <see cref="Hardening"/>):
/// <list type="bullet">
/// <item><c>RateLimit:UploadsPerMinute</c> (600): upload requests;</item>
/// <item><c>RateLimit:FilesPerMinute</c> (6,000): files uploaded, so a 1,000-file batch counts 1,000, per API key or token
/// (else address), and <c>RateLimit:TenantFilesPerMinute</c> per tenant (<see cref="UploadQuota"/>);</item>
/// <item><c>RateLimit:UploadBytesPerMinute</c> (2 GiB): bytes uploaded (the declared Content-Length, taken before the body is
/// read), likewise per key and <c>RateLimit:TenantUploadBytesPerMinute</c> per tenant;</item>
/// <item><c>RateLimit:ExpensiveReadsPerMinute</c> (300): page images (rendered on request) and report.pdf.</item>
/// </list>
/// 0 turns a limit off. Over a limit a client gets 429 problem details with Retry-After; other clients are not affected.
/// </summary>
/// <remarks>Queue backpressure (503) protects the platform from everyone together; these protect it from one client.</remarks>
public static class UploadRateLimit
{
    public const string PolicyName = "uploads";
    public const string ExpensiveReadsPolicyName = "expensive-reads";

    public static IHostApplicationBuilder AddUploadRateLimit(this IHostApplicationBuilder builder)
    {
        var perMinute = builder.Configuration.GetValue("RateLimit:UploadsPerMinute", 600);
        var readsPerMinute = builder.Configuration.GetValue("RateLimit:ExpensiveReadsPerMinute", 300);
        var filesPerMinute = builder.Configuration.GetValue("RateLimit:FilesPerMinute", 6_000);
        var bytesPerMinute = builder.Configuration.GetValue("RateLimit:UploadBytesPerMinute", 2L << 30);
        var tenantFilesPerMinute = builder.Configuration.GetValue("RateLimit:TenantFilesPerMinute", 0);
        var tenantBytesPerMinute = builder.Configuration.GetValue("RateLimit:TenantUploadBytesPerMinute", 0L);
        builder.Services.AddSingleton(_ => new UploadQuota(filesPerMinute, bytesPerMinute, tenantFilesPerMinute, tenantBytesPerMinute));
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var reads = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == ExpensiveReadsPolicyName;
                // Before the audit middleware (which would record the 429 the same way): one entry per client a minute, the rest counted.
                await context.HttpContext.RequestServices.GetRequiredService<Security.RefusalAudit>()
                    .RecordAsync(context.HttpContext, Security.RefusalAudit.Reasons.RateLimited, StatusCodes.Status429TooManyRequests);
                await TooMany(context.HttpContext, seconds, reads
                    ? $"This client asked for more than {readsPerMinute} page images or reports in a minute; wait {seconds} s."
                    : $"This client sent more than {perMinute} uploads in a minute; wait {seconds} s, or send several files in one batch.")
                    .ExecuteAsync(context.HttpContext);
            };
            options.AddPolicy(PolicyName, http => FixedWindow(ClientKey(http), perMinute));
            options.AddPolicy(ExpensiveReadsPolicyName, http => FixedWindow(ClientKey(http), readsPerMinute));
        });
        return builder;
    }

    private static RateLimitPartition<string> FixedWindow(string key, int perMinute) => perMinute <= 0
        ? RateLimitPartition.GetNoLimiter("all")
        : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    /// <summary>Who a limit counts against: the client address (after the forwarded-headers middleware, which only
    /// believes configured proxies), IPv4-mapped IPv6 as IPv4, and other IPv6 addresses by their /64 network (one
    /// machine usually has a whole /64 to pick addresses from).</summary>
    public static string ClientKey(HttpContext http) => ClientKey(http.Connection.RemoteIpAddress);

    internal static string ClientKey(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address)) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    internal static IResult TooMany(HttpContext http, int retryAfterSeconds, string detail)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(detail: detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
    }
}

/// <summary>Files and bytes per minute, counted against who sends them and against their tenant:
/// <list type="bullet">
/// <item>per sender (<see cref="SenderKey"/>: the API key, else the token's subject, else the client address):
/// <c>RateLimit:FilesPerMinute</c> (6,000), <c>RateLimit:UploadBytesPerMinute</c> (2 GiB);</item>
/// <item>per tenant, all its keys and tokens together: <c>RateLimit:TenantFilesPerMinute</c>,
/// <c>RateLimit:TenantUploadBytesPerMinute</c> (both off unless set).</item>
/// </list>
/// 0 turns one off. The upload endpoints take bytes before they read the body (the declared Content-Length; the
/// files' sizes after reading when no length was declared) and files once the form is read. A single request larger
/// than a whole window takes the whole window (request size is limited elsewhere: 413).</summary>
public sealed class UploadQuota : IDisposable
{
    private readonly Window _senderFiles;
    private readonly Window _senderKib;
    private readonly Window _tenantFiles;
    private readonly Window _tenantKib;

    public UploadQuota(int filesPerMinute, long bytesPerMinute, int tenantFilesPerMinute = 0, long tenantBytesPerMinute = 0)
    {
        _senderFiles = new Window(filesPerMinute, 1);
        _senderKib = Window.Bytes(bytesPerMinute);
        _tenantFiles = new Window(tenantFilesPerMinute, 1);
        _tenantKib = Window.Bytes(tenantBytesPerMinute);
    }

    /// <summary>Counts <paramref name="files"/> files and <paramref name="bytes"/> bytes against the sender and its tenant;
    /// null when within every limit, else the 429 answer (Retry-After set) naming the limit.</summary>
    public IResult? Take(HttpContext http, int files, long bytes)
    {
        var sender = SenderKey(http);
        var tenant = "tenant:" + Security.TenantPrincipals.TenantOf(http.User);
        return _senderKib.Take(http, sender, bytes, limit => string.Create(CultureInfo.InvariantCulture, $"This client uploaded more than {limit:N0} bytes in a minute"))
               ?? _senderFiles.Take(http, sender, files, limit => $"This client uploaded more than {limit} files in a minute (this request has {files})")
               ?? _tenantKib.Take(http, tenant, bytes, limit => string.Create(CultureInfo.InvariantCulture, $"This tenant uploaded more than {limit:N0} bytes in a minute"))
               ?? _tenantFiles.Take(http, tenant, files, limit => $"This tenant uploaded more than {limit} files in a minute (this request has {files})");
    }

    /// <summary>Who an upload counts against: its API key (<c>key:dfk_…</c>), else its bearer token's subject
    /// (<c>sub:…</c>), else the client address (<see cref="UploadRateLimit.ClientKey(HttpContext)"/>: loopback without
    /// keys, <c>--insecure</c>). So one key cannot get more by spreading over addresses, nor one address's keys share.</summary>
    public static string SenderKey(HttpContext http)
    {
        if (http.User.FindFirst(Security.ApiKeyAuthenticationHandler.KeyIdClaim)?.Value is { Length: > 0 } key) return "key:" + key;
        if (http.User.Identity is { IsAuthenticated: true, AuthenticationType: not Security.ApiKeyAuthenticationHandler.SchemeName, Name: { Length: > 0 } subject })
            return "sub:" + subject;
        return UploadRateLimit.ClientKey(http);
    }

    public void Dispose()
    {
        _senderFiles.Dispose();
        _senderKib.Dispose();
        _tenantFiles.Dispose();
        _tenantKib.Dispose();
    }

    /// <summary>One fixed one-minute window per partition, in units of <c>unit</c> (1 for files, 1 KiB for bytes); off at 0.</summary>
    private sealed class Window : IDisposable
    {
        private readonly long _limit;
        private readonly int _unit;
        private readonly int _permits;
        private readonly PartitionedRateLimiter<string>? _limiter;

        public Window(long limit, int unit)
        {
            _limit = limit;
            _unit = unit;
            _permits = (int)Math.Min(int.MaxValue, (limit + unit - 1) / unit);
            if (_permits > 0)
                _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = _permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        }

        public static Window Bytes(long bytesPerMinute) => new(bytesPerMinute, 1024);

        public IResult? Take(HttpContext http, string partition, long amount, Func<long, string> what)
        {
            if (_limiter is null || amount <= 0) return null;
            var permits = (int)Math.Min(_permits, (amount + _unit - 1) / _unit);
            using var lease = _limiter.AttemptAcquire(partition, permits);
            if (lease.IsAcquired) return null;
            var seconds = Math.Max(1, (int)Math.Ceiling((lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1)).TotalSeconds));
            return UploadRateLimit.TooMany(http, seconds, $"{what(_limit)}; wait {seconds} s.");
        }

        public void Dispose() => _limiter?.Dispose();
    }
}
