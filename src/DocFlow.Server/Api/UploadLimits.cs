using DocFlow.Processing;
using DocFlow.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Api;

/// <summary>
/// The documented upload limits, applied where Kestrel reads the body (its own default, 30,000,000 bytes, would
/// otherwise cap every upload): a single document may be <see cref="EngineOptions.MaxFileBytes"/> plus
/// <see cref="FramingBytes"/>; a batch <see cref="PlatformOptions.MaxBatchBytes"/>. Past the limit the read fails with
/// 413, answered as problem details; the form reader's per-part limit is raised to match.
/// </summary>
internal static class UploadLimits
{
    /// <summary>Room for the multipart boundaries, part headers and small fields around one file.</summary>
    public const long FramingBytes = 1024 * 1024;

    public static long SingleUploadBytes(IServiceProvider services) =>
        services.GetRequiredService<EngineOptions>().MaxFileBytes + FramingBytes;

    public static long BatchUploadBytes(IServiceProvider services) =>
        services.GetRequiredService<IOptions<PlatformOptions>>().Value.MaxBatchBytes;

    /// <summary>Sets the endpoint's body limit (Kestrel's MaxRequestBodySize, through routing's
    /// <see cref="IRequestSizeLimitMetadata"/>) and the multipart limits of its form reader.</summary>
    public static RouteHandlerBuilder WithUploadLimit(this RouteHandlerBuilder builder, long maxBytes) =>
        builder.WithMetadata(new SizeLimit(maxBytes))
            .WithFormOptions(multipartBodyLengthLimit: maxBytes, bufferBodyLengthLimit: maxBytes);

    /// <summary>Reads the multipart form; a body that is not valid multipart (no closing boundary, cut short, bad headers)
    /// is a 400 problem, not a 500. A body over the limit throws Kestrel's 413 (answered by the exception handler).</summary>
    public static async Task<(IFormCollection? Form, IResult? Problem)> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return (await request.ReadFormAsync(ct).ConfigureAwait(false), null);
        }
        catch (BadHttpRequestException)
        {
            throw; // Kestrel's own verdict (413, or a client that stopped sending): the exception handler answers it
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !ct.IsCancellationRequested)
        {
            return (null, Problems.BadRequest($"The multipart body could not be read ({ex.Message}). Send a complete multipart/form-data body, ending with its closing boundary."));
        }
    }

    private sealed class SizeLimit(long maxBytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => maxBytes;
    }
}
