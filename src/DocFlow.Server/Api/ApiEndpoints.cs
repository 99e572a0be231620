using DocFlow.Server.Ingest;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scalar.AspNetCore;
using DocFlow.Server.Security;

namespace DocFlow.Server.Api;

public static partial class ApiEndpoints
{
    /// <summary>The API role (on top of <see cref="Hosting.PlatformServiceCollectionExtensions.AddDocFlowCore"/>): ingest
    /// and the queue hand-off (<see cref="Hosting.PlatformServiceCollectionExtensions.AddDocFlowIngest"/>), the dashboard's
    /// services, problem details for every error, the OpenAPI document and its reference page, the upload rate limits, the safe defaults of <see cref="Hardening"/>.
    /// Endpoints: <see cref="MapDocFlowApi"/>.</summary>
    public static IHostApplicationBuilder AddDocFlowApi(this IHostApplicationBuilder builder)
    {
        Hosting.PlatformServiceCollectionExtensions.AddDocFlowIngest(builder);
        Dashboard.DashboardServiceCollectionExtensions.AddDocFlowDashboard(builder);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi("v1");
        builder.AddUploadRateLimit();
        builder.Services.AddSingleton<Tenancy.TenantQuotas>();
        Idempotency.IdempotencyExtensions.AddDocFlowIdempotency(builder.Services);
        builder.AddDocFlowHardening();
        builder.AddDocFlowRequestLimits();
        builder.Services.AddDocFlowHealthChecks();
        builder.AddDocFlowAuth(ListenUrls(builder.Configuration));
        Erasure.ErasureServiceCollectionExtensions.AddDocFlowErasure(builder);
        DocumentAi.DocumentAiApi.AddDocFlowDocumentAi(builder);
        return builder;
    }

    public static WebApplication MapDocFlowApi(this WebApplication app)
    {
        // Forwarded headers, security headers, allowed hosts, CORS, Origin check: before anything else runs.
        app.UseDocFlowHardening();
        // Request line and header limits with problem details (after the security headers, so refusals carry them too).
        app.UseDocFlowRequestLimits();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = HandleExceptionAsync,
            // A client's mistake (a bad or oversized body, an upload cut off) is not the server's error: no stack trace at
            // Error level; HandleExceptionAsync logs one line at Information instead.
            SuppressDiagnosticsCallback = c => IsClientError(c.Exception),
        });
        app.UseStatusCodePages();
        app.UseRateLimiter();
        // The API's description is public (no data in it); everything else names a policy (Security/Policies).
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/api-reference", o => o.WithTitle("DocFlow API").DisableDefaultFonts().WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapDocumentsApi();
        app.MapOutputsApi();
        app.MapBatchesApi();
        app.MapBatchReportsApi();
        Webhooks.WebhooksApi.MapWebhooksApi(app);
        app.MapErasureApi();
        app.MapOperationsApi();
        app.MapKeysApi();
        app.MapSignInApi();
        app.MapAuditApi();
        DocumentAi.DocumentAiApi.MapDocumentAiApi(app);
        app.MapDocFlowHealthChecks();
        Observability.ObservabilityExtensions.MapDocFlowMetrics(app).RequireAuthorization(Policies.Operate);
        Dashboard.DashboardServiceCollectionExtensions.MapDocFlowDashboard(app);
        // After the static files (the dashboard's page is public, the data it reads is not), before the endpoints.
        // Records state changes, content reads and 401s: outside authentication, so it sees its refusals too.
        app.UseDocFlowAudit();
        app.UseDocFlowAuth();
        return app;
    }

    /// <summary>The addresses Kestrel will listen on: <c>urls</c> (set by <c>--urls</c>, ASPNETCORE_URLS) or the default,
    /// and any <c>Kestrel:Endpoints:*:Url</c>.</summary>
    internal static IEnumerable<string> ListenUrls(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? Hosting.DocFlowServer.DefaultUrlsFor(configuration)).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>();
        return [.. urls, .. endpoints];
    }

    /// <summary>Errors the client caused: Kestrel's verdicts on the request (400, 408, 413, …), a body that is not valid
    /// multipart, an upload the client stopped sending (the connection reset).</summary>
    internal static bool IsClientError(Exception? error) => error switch
    {
        BadHttpRequestException bad => bad.StatusCode is >= 400 and < 500,
        InvalidDataException => true,
        Microsoft.AspNetCore.Connections.ConnectionResetException => true,
        _ => false,
    };

    /// <summary>Known failures become problem details that say what to do; anything else a 500 without internals.</summary>
    private static async Task HandleExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (IsClientError(error))
        {
            var logger = context.RequestServices.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("DocFlow.Server.Api");
            Log.ClientError(logger, context.Request.Method, context.Request.Path, error!.GetType().Name, error.Message);
        }
        var problem = error switch
        {
            BackpressureException b => Problem(StatusCodes.Status503ServiceUnavailable, "Busy", b.Message, retryAfter: b.RetryAfter),
            StoreUnavailableException s => Problem(StatusCodes.Status503ServiceUnavailable, "Database unavailable",
                $"The database cannot be reached ({s.Message}); the upload was not accepted. Try again shortly.", retryAfter: TimeSpan.FromSeconds(10)),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problem(StatusCodes.Status413PayloadTooLarge,
                "Too large", "The request is larger than the server accepts; send fewer or smaller files."),
            BadHttpRequestException bad => Problem(bad.StatusCode, "Bad request", bad.Message),
            // A sealed object whose key is missing or wrong, or whose bytes were changed: say which object and key id
            // (ids are not secrets), never serve ciphertext.
            DocFlow.Security.Encryption.SealedDataException sealedData => Problem(StatusCodes.Status500InternalServerError,
                "Encrypted content cannot be opened", sealedData.Message),
            InvalidDataException bad => Problem(StatusCodes.Status400BadRequest, "Bad request", $"The multipart body could not be read: {bad.Message}"),
            Microsoft.AspNetCore.Connections.ConnectionResetException reset => Problem(StatusCodes.Status400BadRequest, "Bad request", $"The request body could not be read: {reset.Message}"),
            _ => Problem(StatusCodes.Status500InternalServerError, "Internal error", "Something went wrong inside DocFlow; the error is logged."),
        };
        await problem.ExecuteAsync(context);

        IResult Problem(int status, string title, string detail, TimeSpan? retryAfter = null)
        {
            if (retryAfter is { } r) context.Response.Headers.RetryAfter = ((int)Math.Ceiling(r.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(detail: detail, statusCode: status, title: title);
        }
    }

    private static partial class Log
    {
        [Microsoft.Extensions.Logging.LoggerMessage(EventId = 460, Level = Microsoft.Extensions.Logging.LogLevel.Information,
            Message = "Refused {Method} {Path}: {Error}: {Reason}")]
        public static partial void ClientError(Microsoft.Extensions.Logging.ILogger logger, string method, string path, string error, string reason);
    }
}
