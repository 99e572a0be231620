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
/// <item><c>RateLimit:FilesPerMinute</c> (6,000): files uploaded, so a 1,000-file batch counts 1,000 (<see cref="UploadQuota"/>);</item>
/// <item><c>RateLimit:UploadBytesPerMinute</c> (2 GiB): bytes uploaded (the declared Content-Length, taken before the body is read);</item>
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
        builder.Services.AddSingleton(_ => new UploadQuota(filesPerMinute, bytesPerMinute));
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

/// <summary>Files and bytes per client per minute (<c>RateLimit:FilesPerMinute</c>, <c>RateLimit:UploadBytesPerMinute</c>;
/// 0 turns one off). The upload endpoints take bytes before they read the body (the declared Content-Length; the
/// files' sizes after reading when no length was declared) and files once the form is read. A single request larger
/// than a whole window takes the whole window (request size is limited elsewhere: 413).</summary>
public sealed class UploadQuota : IDisposable
{
    private const int BytesPerPermit = 1024;
    private readonly int _filesPerMinute;
    private readonly int _kibPerMinute;
    private readonly long _bytesPerMinute;
    private readonly PartitionedRateLimiter<string>? _files;
    private readonly PartitionedRateLimiter<string>? _kib;

    public UploadQuota(int filesPerMinute, long bytesPerMinute)
    {
        _filesPerMinute = filesPerMinute;
        _bytesPerMinute = bytesPerMinute;
        _kibPerMinute = (int)Math.Min(int.MaxValue, (bytesPerMinute + BytesPerPermit - 1) / BytesPerPermit);
        if (filesPerMinute > 0) _files = Limiter(filesPerMinute);
        if (_kibPerMinute > 0) _kib = Limiter(_kibPerMinute);
    }

    private static PartitionedRateLimiter<string> Limiter(int perMinute) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Counts <paramref name="files"/> files and <paramref name="bytes"/> bytes against the client; null when
    /// within its limits, else the 429 answer (Retry-After set).</summary>
    public IResult? Take(HttpContext http, int files, long bytes)
    {
        var key = UploadRateLimit.ClientKey(http);
        if (_kib is not null && bytes > 0)
        {
            var permits = (int)Math.Min(_kibPerMinute, (bytes + BytesPerPermit - 1) / BytesPerPermit);
            using var lease = _kib.AttemptAcquire(key, permits);
            if (!lease.IsAcquired)
                return UploadRateLimit.TooMany(http, Seconds(lease),
                    string.Create(CultureInfo.InvariantCulture, $"This client uploaded more than {_bytesPerMinute:N0} bytes in a minute; wait {Seconds(lease)} s."));
        }
        if (_files is not null && files > 0)
        {
            using var lease = _files.AttemptAcquire(key, Math.Min(files, _filesPerMinute));
            if (!lease.IsAcquired)
                return UploadRateLimit.TooMany(http, Seconds(lease),
                    $"This client uploaded more than {_filesPerMinute} files in a minute (this request has {files}); wait {Seconds(lease)} s.");
        }
        return null;
    }

    private static int Seconds(RateLimitLease lease) =>
        Math.Max(1, (int)Math.Ceiling((lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1)).TotalSeconds));

    public void Dispose()
    {
        _files?.Dispose();
        _kib?.Dispose();
    }
}
