using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DocFlow.Server.Api;

/// <summary>
/// Uploads per client (remote address) per minute, <c>RateLimit:UploadsPerMinute</c> (default 600; 0 turns it off).
/// Over the limit a client gets 429 problem details with Retry-After; other clients are not affected.
/// </summary>
/// <remarks>Queue backpressure (503) protects the platform from everyone together; this protects it from one client.</remarks>
public static class UploadRateLimit
{
    public const string PolicyName = "uploads";

    public static IHostApplicationBuilder AddUploadRateLimit(this IHostApplicationBuilder builder)
    {
        var perMinute = builder.Configuration.GetValue("RateLimit:UploadsPerMinute", 600);
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    detail: $"This client sent more than {perMinute} uploads in a minute; wait {Math.Ceiling(retryAfter.TotalSeconds)} s, or send several files in one batch.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(context.HttpContext);
            };
            options.AddPolicy(PolicyName, http => perMinute <= 0
                ? RateLimitPartition.GetNoLimiter("all")
                : RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });
        return builder;
    }
}
