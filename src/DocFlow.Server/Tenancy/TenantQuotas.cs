using System.Collections.Concurrent;
using System.Globalization;
using DocFlow.Security;
using DocFlow.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace DocFlow.Server.Tenancy;

/// <summary>One tenant's quotas (<c>Tenants:&lt;id&gt;:…</c>, each falling back to <c>Tenants:Default:…</c>); unset is unlimited.</summary>
public sealed class TenantLimits
{
    /// <summary>Documents uploaded per UTC day (every document of a batch counts). Unset: unlimited.</summary>
    public long? DocumentsPerDay { get; set; }

    /// <summary>Bytes of originals stored for the tenant (sum of its documents' sizes). Unset: unlimited.</summary>
    public long? BytesStored { get; set; }

    /// <summary>Jobs queued or processing at once. Unset: unlimited.</summary>
    public long? ConcurrentJobs { get; set; }

    /// <summary>The Retry-After of a refusal for bytes stored or concurrent jobs, in seconds (default 30); documents per
    /// day answer with the time to the next UTC midnight.</summary>
    public int? RetryAfterSeconds { get; set; }

    /// <summary>True when at least one quota is set (else usage is never read).</summary>
    public bool Any => DocumentsPerDay is not null || BytesStored is not null || ConcurrentJobs is not null;
}

/// <summary>Per-tenant quotas on uploads (documents per day, bytes stored, concurrent jobs) from configuration section
/// <c>Tenants</c>: an upload over one is answered 429 with Retry-After and problem details naming the quota
/// (<c>quota</c>: documents-per-day, bytes-stored, concurrent-jobs). Usage is read from the job store, so every API
/// replica counts the same; two uploads racing at the limit may both pass (the check is not a reservation).</summary>
public sealed class TenantQuotas(IConfiguration configuration, IJobIntakeStore store, TimeProvider time)
{
    public const string SectionName = "Tenants";
    public const string DefaultsName = "Default";
    private const int DefaultRetryAfterSeconds = 30;

    private readonly ConcurrentDictionary<string, TenantLimits> _limits = new(StringComparer.Ordinal);

    /// <summary>The tenant's limits: its own section over <c>Tenants:Default</c>. Configuration keys ignore case, so the
    /// tenant <c>default</c> has exactly the defaults.</summary>
    public TenantLimits LimitsOf(string tenant) => _limits.GetOrAdd(tenant, t =>
    {
        var defaults = configuration.GetSection($"{SectionName}:{DefaultsName}").Get<TenantLimits>() ?? new TenantLimits();
        var own = configuration.GetSection($"{SectionName}:{t}").Get<TenantLimits>() ?? new TenantLimits();
        return new TenantLimits
        {
            DocumentsPerDay = own.DocumentsPerDay ?? defaults.DocumentsPerDay,
            BytesStored = own.BytesStored ?? defaults.BytesStored,
            ConcurrentJobs = own.ConcurrentJobs ?? defaults.ConcurrentJobs,
            RetryAfterSeconds = own.RetryAfterSeconds ?? defaults.RetryAfterSeconds,
        };
    });

    /// <summary>Null when <paramref name="files"/> more documents of <paramref name="bytes"/> bytes fit the tenant's quotas,
    /// else the 429 answer (Retry-After set on the response).</summary>
    public async Task<IResult?> CheckAsync(HttpContext http, string tenant, int files, long bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var limits = LimitsOf(tenant);
        if (!limits.Any) return null;
        var now = time.GetUtcNow();
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var usage = await store.GetTenantUsageAsync(tenant, dayStart, cancellationToken).ConfigureAwait(false);
        var retry = limits.RetryAfterSeconds ?? DefaultRetryAfterSeconds;

        if (limits.DocumentsPerDay is { } perDay && usage.DocumentsSince + files > perDay)
        {
            var untilMidnight = (int)Math.Ceiling((dayStart.AddDays(1) - now).TotalSeconds);
            return Refuse(http, "documents-per-day", perDay, usage.DocumentsSince, Math.Max(1, untilMidnight),
                $"Tenant '{tenant}' may upload {perDay:N0} documents per day (UTC); {usage.DocumentsSince:N0} were uploaded today and this request has {files}.");
        }
        if (limits.BytesStored is { } maxBytes && usage.BytesStored + bytes > maxBytes)
            return Refuse(http, "bytes-stored", maxBytes, usage.BytesStored, retry,
                $"Tenant '{tenant}' may store {maxBytes:N0} bytes of originals; {usage.BytesStored:N0} are stored and this request adds {bytes:N0}. Delete documents or ask for a larger quota.");
        if (limits.ConcurrentJobs is { } concurrent && usage.ActiveJobs + files > concurrent)
            return Refuse(http, "concurrent-jobs", concurrent, usage.ActiveJobs, retry,
                $"Tenant '{tenant}' may have {concurrent:N0} documents queued or processing; {usage.ActiveJobs:N0} are and this request has {files}. " +
                (files > concurrent ? "Send fewer documents per request." : "Try again when some have finished."));
        return null;
    }

    private static IResult Refuse(HttpContext http, string quota, long limit, long used, int retryAfterSeconds, string detail)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail: string.Create(CultureInfo.InvariantCulture, $"{detail}"), statusCode: StatusCodes.Status429TooManyRequests,
            title: "Tenant quota exceeded", extensions: new Dictionary<string, object?>
            {
                ["code"] = "quota_exceeded",
                ["quota"] = quota,
                ["limit"] = limit,
                ["used"] = used,
            });
    }
}
