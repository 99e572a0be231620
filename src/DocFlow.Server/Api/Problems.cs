using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DocFlow.Server.Api;

/// <summary>RFC 7807 problem details with a message that says what to do, and DocFlow's error code when there is one.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) => Status(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static ProblemHttpResult NotFound(string detail) => Status(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult Status(int status, string title, string detail, string? code = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title,
            extensions: code is null ? null : new Dictionary<string, object?> { ["code"] = code });
}
