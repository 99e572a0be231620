using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DocFlow.Server.Api;

/// <summary>
/// The request-line and header limits, answered with problem details. Kestrel checks its own limits while parsing,
/// before any middleware runs, and answers with an empty body; so Kestrel is given twice the room and the documented
/// limits (<see cref="MaxTargetBytes"/>, <see cref="MaxHeaderBytes"/>) are checked here, first in the pipeline, with a
/// 414 or 431 problem. Only what passes even Kestrel's doubled limits, or is not HTTP at all, still gets Kestrel's
/// empty 400/414/431.
/// </summary>
public static class RequestLimits
{
    /// <summary>Longest request target (path and query). Kestrel's default request line is 8 KiB.</summary>
    public const int MaxTargetBytes = 8 * 1024;

    /// <summary>Largest sum of header names and values. Kestrel's default is 32 KiB.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    public static IHostApplicationBuilder AddDocFlowRequestLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(o =>
        {
            o.Limits.MaxRequestLineSize = Math.Max(o.Limits.MaxRequestLineSize, 2 * MaxTargetBytes);
            o.Limits.MaxRequestHeadersTotalSize = Math.Max(o.Limits.MaxRequestHeadersTotalSize, 2 * MaxHeaderBytes);
        });
        return builder;
    }

    public static WebApplication UseDocFlowRequestLimits(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
            if (target.Length > MaxTargetBytes)
                return Results.Problem(statusCode: StatusCodes.Status414UriTooLong, title: "URI too long",
                    detail: $"The request target is {target.Length:N0} bytes, more than {MaxTargetBytes:N0}; send long data in the body.").ExecuteAsync(context);
            long headers = 0;
            foreach (var h in context.Request.Headers)
            {
                headers += h.Key.Length;
                foreach (var v in h.Value) headers += v?.Length ?? 0;
            }
            if (headers > MaxHeaderBytes)
                return Results.Problem(statusCode: StatusCodes.Status431RequestHeaderFieldsTooLarge, title: "Headers too large",
                    detail: $"The request headers are {headers:N0} bytes, more than {MaxHeaderBytes:N0}; send fewer or shorter headers (cookies).").ExecuteAsync(context);
            return next(context);
        });
        return app;
    }
}
