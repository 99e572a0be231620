using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocFlow.Idempotency;
using DocFlow.Server.Api;
using DocFlow.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Idempotency;

/// <summary>Idempotent uploads. Section "Idempotency".</summary>
public sealed class IdempotencyOptions
{
    public const string SectionName = "Idempotency";

    /// <summary>How long a key and its answer are kept. <value>Default 24 hours.</value></summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a request waits for a first request with the same key that is still running, before it is
    /// answered 409 "in progress". <value>Default 30 s.</value></summary>
    public TimeSpan WaitForFirst { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The <c>Idempotency-Key</c> header on <c>POST /api/v1/documents</c> and <c>/batches</c> (the IETF draft
/// httpapi-idempotency-key-header): the first request with a key is handled and its answer kept (status, body,
/// Location) for <see cref="IdempotencyOptions.Expiry"/>; a later request with the same key and the same content
/// (SHA-256 of the route, every field and every file's name and bytes) gets that answer again, with
/// <c>Idempotent-Replayed: true</c>, and creates nothing; the same key with other content is a 409 problem. Keys belong
/// to the caller (tenant and principal). Two requests racing with one key: the database's primary key lets one start;
/// the other waits for its answer and repeats it, so one batch is made.
/// </summary>
/// <remarks>Answers that say "try again" (408, 409, 429, 5xx) are not kept: the key is released so a retry runs anew.</remarks>
public sealed partial class IdempotencyFilter(IIdempotencyStore store, IOptions<IdempotencyOptions> options, TimeProvider time,
    ILogger<IdempotencyFilter> logger) : IEndpointFilter
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 255;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private long _nextPurgeTicks;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var request = http.Request;
        if (!request.Headers.TryGetValue(Header, out var values)) return await next(context).ConfigureAwait(false);
        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > MaxKeyLength || key.Any(c => c < 0x20 || c > 0x7E))
            return Problems.BadRequest($"`{Header}` must be one value of 1 to {MaxKeyLength} printable ASCII characters.");
        if (!request.HasFormContentType) return await next(context).ConfigureAwait(false);
        var ct = http.RequestAborted;
        var (form, unreadable) = await UploadLimits.ReadFormAsync(request, ct).ConfigureAwait(false);
        if (form is null) return unreadable;

        var scope = ScopeOf(http.User);
        var hash = await HashAsync(request.Path, form, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        await PurgeNowAndThenAsync(now, ct).ConfigureAwait(false);
        var record = new IdempotencyRecord(scope, key, hash, 0, null, null, null, now, now + options.Value.Expiry);
        if (!await store.TryBeginAsync(record, now, ct).ConfigureAwait(false))
            return await AnswerFromFirstAsync(http, scope, key, hash, ct).ConfigureAwait(false);

        object? result;
        try
        {
            result = await next(context).ConfigureAwait(false);
        }
        catch
        {
            await store.ReleaseAsync(scope, key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        var (status, contentType, body, location) = Capture(result);
        if (status is 0 or 408 or 409 or 429 or >= 500)
            await store.ReleaseAsync(scope, key, CancellationToken.None).ConfigureAwait(false);
        else
            await store.CompleteAsync(scope, key, status, contentType, body, location, CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    private async Task<IResult> AnswerFromFirstAsync(HttpContext http, string scope, string key, string hash, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + options.Value.WaitForFirst;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var first = await store.GetAsync(scope, key, ct).ConfigureAwait(false);
            if (first is null)
                return Problems.Status(StatusCodes.Status409Conflict, "Idempotency key in use",
                    $"The first request with `{Header}: {key}` ended without an answer to repeat; send the request again.", "idempotency_retry");
            if (!string.Equals(first.RequestHash, hash, StringComparison.Ordinal))
                return Problems.Status(StatusCodes.Status409Conflict, "Idempotency key reused",
                    $"`{Header}: {key}` was first used for a request with other content (files or fields) at {first.CreatedAt:u}; use a new key for a new request.",
                    "idempotency_key_reused");
            if (first.Completed)
            {
                Log.Replayed(logger, key, first.StatusCode);
                http.Response.Headers[ReplayedHeader] = "true";
                if (first.Location is not null) http.Response.Headers.Location = first.Location;
                return Results.Text(first.Body ?? "", first.ContentType ?? "application/json", Encoding.UTF8, first.StatusCode);
            }
            if (time.GetUtcNow() > deadline)
            {
                http.Response.Headers.RetryAfter = "5";
                return Problems.Status(StatusCodes.Status409Conflict, "Idempotency key in progress",
                    $"A request with `{Header}: {key}` is still being handled; ask again shortly to get its answer.", "idempotency_in_progress");
            }
            await Task.Delay(delay, time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    /// <summary>Keys belong to one caller: its tenant and its name (an API key's prefix, a JWT subject, loopback).</summary>
    internal static string ScopeOf(ClaimsPrincipal user) =>
        TenantPrincipals.TenantOf(user) + "/" + (user.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value ?? user.Identity?.Name ?? "anonymous");

    /// <summary>SHA-256 over the route, every field (by name, values in order) and every file (field, name, SHA-256 of its bytes).</summary>
    internal static async Task<string> HashAsync(string path, IFormCollection form, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        Add(path.TrimEnd('/'));
        foreach (var field in form.Keys.Order(StringComparer.Ordinal))
        {
            Add("field:" + field);
            foreach (var value in form[field]) Add(value ?? "");
        }
        foreach (var file in form.Files)
        {
            Add("file:" + file.Name);
            Add(file.FileName);
            await using var content = file.OpenReadStream();
            Add(Convert.ToHexString(await SHA256.HashDataAsync(content, ct).ConfigureAwait(false)));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The answer to keep: status, content type, body (the JSON the result writes) and Location.</summary>
    private static (int Status, string? ContentType, string? Body, string? Location) Capture(object? result)
    {
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : 0;
        var location = result switch
        {
            Accepted<AcceptedDocumentDto> a => a.Location,
            Accepted<AcceptedBatchDto> b => b.Location,
            _ => null,
        };
        return result switch
        {
            ProblemHttpResult p => (status, "application/problem+json", JsonSerializer.Serialize(p.ProblemDetails, Json), null),
            IValueHttpResult { Value: { } value } => (status, "application/json", JsonSerializer.Serialize(value, value.GetType(), Json), location),
            _ => (status, null, null, location),
        };
    }

    private async Task PurgeNowAndThenAsync(DateTimeOffset now, CancellationToken ct)
    {
        var next = Interlocked.Read(ref _nextPurgeTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextPurgeTicks, (now + TimeSpan.FromMinutes(10)).UtcTicks, next) != next) return;
        var purged = await store.PurgeExpiredAsync(now, ct).ConfigureAwait(false);
        if (purged > 0) Log.Purged(logger, purged);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 730, Level = LogLevel.Information, Message = "Idempotency-Key {Key}: the first answer ({Status}) repeated")]
        public static partial void Replayed(ILogger logger, string key, int status);

        [LoggerMessage(EventId = 731, Level = LogLevel.Information, Message = "Purged {Count} expired idempotency keys")]
        public static partial void Purged(ILogger logger, int count);
    }
}

public static class IdempotencyExtensions
{
    public static IServiceCollection AddDocFlowIdempotency(this IServiceCollection services)
    {
        services.AddOptions<IdempotencyOptions>().BindConfiguration(IdempotencyOptions.SectionName)
            .Validate(o => o.Expiry > TimeSpan.Zero && o.WaitForFirst >= TimeSpan.Zero, "Idempotency:Expiry must be positive.").ValidateOnStart();
        services.AddSingleton<IdempotencyFilter>();
        return services;
    }

    /// <summary>Makes the upload endpoint idempotent with the <c>Idempotency-Key</c> header.</summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<RouteHandlerBuilder, IdempotencyFilter>();
}
