using Microsoft.AspNetCore.Http;

namespace DocFlow.Server.DocumentAi;

/// <summary>Every error on the <c>/v1/</c> routes that DocFlow's shared parts answer with problem details (401 and 403
/// of authentication, 413 of Kestrel, 429 of the rate limits, 404 of routing, the exception handler's 5xx) is written as
/// google.rpc.Status instead, so the official clients raise the matching exception.</summary>
internal sealed class GoogleProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => GoogleWire.IsGoogleRoute(context.HttpContext);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        var message = context.ProblemDetails.Detail ?? context.ProblemDetails.Title ?? "The request failed.";
        context.HttpContext.Response.StatusCode = http;
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(GoogleWire.ErrorBody(http, GoogleWire.StatusOf(http), message)));
    }
}
