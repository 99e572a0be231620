using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Server.Api;
using DocFlow.Server.Ingest;
using DocFlow.Server.Security;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.DocumentAi;

/// <summary>
/// Google Document AI v1's REST surface (google.api.http rules of document_processor_service.proto) on the same server,
/// auth, roles, tenants and audit as the rest of the API: <c>:process</c> and <c>:batchProcess</c> on both processor
/// paths, operations (get, list, cancel), processors and <c>:fetchProcessorTypes</c>. Wire format: proto3 JSON in and out,
/// google.rpc.Status errors. See docs/docai-compat.md.
/// </summary>
/// <remarks>
/// <c>:process</c> puts the document on the normal queue (express priority) and waits for it, up to
/// <see cref="DocumentAiOptions.ProcessDeadline"/>: the same path as every upload, so the API role needs no engine of its
/// own (distributed mode: the workers read it), and dedup, tenants, quotas, the dashboard and the audit all see it.
/// </remarks>
public static partial class DocumentAiApi
{
    private const string Location = "/v1/projects/{project}/locations/{location}";
    private const string HumanReviewSkipped = "HumanReviewConfig is DISABLED, skipping human review.";
    internal const string CancelledCode = "cancelled";

    [GeneratedRegex("^[a-z0-9_-]{1,63}$")]
    private static partial Regex IdPattern();

    /// <summary>Options (section <c>DocumentAi</c>), the bucket mapping, the operations and the google.rpc.Status error writer
    /// for the <c>/v1/</c> routes (first, so it answers before the problem-details writer).</summary>
    public static IHostApplicationBuilder AddDocFlowDocumentAi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DocumentAiOptions>().BindConfiguration(DocumentAiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<GcsBuckets>();
        builder.Services.AddSingleton<BatchOperations>();
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, GoogleProblemWriter>());
        return builder;
    }

    public static IEndpointRouteBuilder MapDocumentAiApi(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<DocumentAiOptions>>().Value;
        if (!options.Enabled) return app;
        // Base64 makes a document 4/3 as large, plus the JSON around it.
        var bodyLimit = options.MaxOnlineBytes * 4 / 3 + UploadLimits.FramingBytes;
        var g = app.MapGroup(Location).WithTags("Document AI v1");
        foreach (var processor in new[] { "/processors/{processor}", "/processors/{processor}/processorVersions/{version}" })
        {
            g.MapPost(processor + ":process", ProcessAsync).RequireAuthorization(Policies.Upload).RequireRateLimiting(UploadRateLimit.PolicyName)
                .WithUploadLimit(bodyLimit).WithSummary("Document AI ProcessRequest → ProcessResponse {document, humanReviewStatus}.");
            g.MapPost(processor + ":batchProcess", BatchProcessAsync).RequireAuthorization(Policies.Upload).RequireRateLimiting(UploadRateLimit.PolicyName)
                .WithSummary("Document AI BatchProcessRequest (gs:// inputs and outputs mapped onto configured buckets) → Operation.");
        }
        g.MapGet("/processors", ListProcessors).RequireAuthorization(Policies.ReadMetadata).WithSummary("The configured processors.");
        g.MapGet("/processors/{processor}", GetProcessor).RequireAuthorization(Policies.ReadMetadata).WithSummary("One processor.");
        app.MapGet(Location + ":fetchProcessorTypes", FetchProcessorTypes).RequireAuthorization(Policies.ReadMetadata).WithTags("Document AI v1")
            .WithSummary("The processor types DocFlow serves.");
        g.MapGet("/operations", ListOperationsAsync).RequireAuthorization(Policies.ReadMetadata).WithSummary("The caller's batch operations, newest first.");
        g.MapGet("/operations/{operation}", GetOperationAsync).RequireAuthorization(Policies.ReadMetadata).WithSummary("A batch operation: state, per-document statuses.");
        g.MapPost("/operations/{operation}:cancel", CancelOperationAsync).RequireAuthorization(Policies.Upload)
            .WithSummary("Cancel a batch operation: documents not started are not processed.");
        return app;
    }

    // ---- :process ----

    internal static async Task<IResult> ProcessAsync(HttpContext http, string project, string location, string processor, string? version,
        IngestService ingest, IJobMonitoringStore store, GcsBuckets buckets, IOptions<DocumentAiOptions> options, EngineOptions engineOptions,
        Tenancy.TenantQuotas quotas, TimeProvider time, ClaimsPrincipal user, CancellationToken ct)
    {
        try
        {
            var config = ProcessorOf(project, location, processor, version, options.Value);
            using var body = await ReadBodyAsync(http.Request, ct);
            var request = body.RootElement;
            var tenant = TenantPrincipals.TenantOf(user);
            var (content, name) = await DocumentOfAsync(request, buckets, tenant, ct);
            var limits = options.Value;
            if (content.Length > limits.MaxOnlineBytes)
                throw GoogleStatusException.InvalidArgument($"Request payload size exceeds the limit: {limits.MaxOnlineBytes} bytes.");
            var processOptions = request.Field("processOptions");
            var pages = PagesOf(processOptions);
            var imageless = request.Bool("imagelessMode");
            CheckPages(content, pages, imageless, limits, engineOptions, http.RequestServices.GetService<IDocumentEngine>() as IPageRangeEngine);

            if (await quotas.CheckAsync(http, tenant, 1, content.Length, ct) is { } overQuota) return overQuota;
            var accepted = await ingest.AcceptAsync([new Upload(name, new MemoryStream(content, writable: false))], JobPriority.Express, tenant, pages, ct);
            var job = await WaitAsync(store, accepted.Documents[0].Id, limits.ProcessDeadline, time, ct);
            if (job.Status == JobStatus.Failed) throw FailureOf(job);
            var document = await store.GetResultAsync(job.Id, ct)
                ?? throw new GoogleStatusException(500, "INTERNAL", $"The result of job {job.Id} is missing.");
            ProcessorOutput.Shape(document, config.Type);
            var chunks = http.RequestServices.GetService<IChunkedDocumentBuilder>();
            var response = new JsonObject
            {
                ["document"] = ProcessorOutput.ToJson(document, config.Type, request.String("fieldMask"), chunks, processOptions?.Field("layoutConfig")),
                ["humanReviewStatus"] = new JsonObject { ["state"] = "SKIPPED", ["stateMessage"] = HumanReviewSkipped },
            };
            return GoogleWire.Json(http.Request, response);
        }
        catch (GoogleStatusException e)
        {
            return GoogleWire.Error(e.HttpStatus, e.Status, e.Message);
        }
    }

    /// <summary>The document's bytes and name: exactly one of rawDocument, inlineDocument (with its content), gcsDocument.</summary>
    private static async Task<(byte[] Content, string Name)> DocumentOfAsync(JsonElement request, GcsBuckets buckets, string tenant, CancellationToken ct)
    {
        var raw = request.Field("rawDocument");
        var inline = request.Field("inlineDocument");
        var gcs = request.Field("gcsDocument");
        if ((raw is null ? 0 : 1) + (inline is null ? 0 : 1) + (gcs is null ? 0 : 1) != 1)
            throw GoogleStatusException.InvalidArgument("Exactly one of inline_document, raw_document or gcs_document must be set.");
        if (raw is { } r)
            return (Base64Of(r, "raw_document.content"), r.String("displayName") is { Length: > 0 } n ? n : "raw_document");
        if (inline is { } i)
        {
            if (i.Field("content") is null)
                throw GoogleStatusException.InvalidArgument(
                    "inline_document must carry its content (the document's bytes): DocFlow reads documents from their bytes and does not enrich a Document without them.");
            return (Base64Of(i, "inline_document.content"), i.String("uri") is { Length: > 0 } u ? u : "inline_document");
        }
        var uri = gcs!.Value.String("gcsUri") ?? throw GoogleStatusException.InvalidArgument("gcs_document.gcs_uri is required.");
        var path = buckets.PathOf(uri, tenant);
        if (!File.Exists(path)) throw GoogleStatusException.NotFound($"No such object: {uri}");
        return (await File.ReadAllBytesAsync(path, ct), uri);
    }

    /// <summary>proto3 JSON bytes: standard or URL-safe base64, padded or not.</summary>
    private static byte[] Base64Of(JsonElement obj, string field)
    {
        var text = obj.String("content") ?? "";
        var normal = text.Replace('-', '+').Replace('_', '/').Trim();
        normal = normal.PadRight(normal.Length + (4 - normal.Length % 4) % 4, '=');
        try
        {
            var bytes = Convert.FromBase64String(normal);
            return bytes.Length > 0 ? bytes : throw GoogleStatusException.InvalidArgument($"{field} is empty.");
        }
        catch (FormatException)
        {
            throw GoogleStatusException.InvalidArgument($"Invalid value at '{field}' (TYPE_BYTES): not base64.");
        }
    }

    /// <summary>processOptions' page selectors (at most one): individualPageSelector.pages, fromStart, fromEnd.</summary>
    internal static PageSelection? PagesOf(JsonElement? processOptions)
    {
        if (processOptions is not { } o) return null;
        var individual = o.Field("individualPageSelector");
        var fromStart = o.Int("fromStart");
        var fromEnd = o.Int("fromEnd");
        if ((individual is null ? 0 : 1) + (fromStart is null ? 0 : 1) + (fromEnd is null ? 0 : 1) > 1)
            throw GoogleStatusException.InvalidArgument("Only one of individual_page_selector, from_start or from_end may be set.");
        if (fromStart is { } s) return s >= 1 ? PageSelection.FromStart(s) : throw GoogleStatusException.InvalidArgument("from_start must be positive.");
        if (fromEnd is { } e) return e >= 1 ? PageSelection.FromEnd(e) : throw GoogleStatusException.InvalidArgument("from_end must be positive.");
        if (individual is not { } selector) return null;
        if (selector.Field("pages") is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
            throw GoogleStatusException.InvalidArgument("individual_page_selector.pages must list at least one page.");
        var pages = new List<int>();
        foreach (var p in list.EnumerateArray())
        {
            var n = p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var v) ? v
                : p.ValueKind == JsonValueKind.String && int.TryParse(p.GetString(), out v) ? v : 0;
            if (n < 1) throw GoogleStatusException.InvalidArgument($"Invalid page number {p.GetRawText()} in individual_page_selector: pages are 1-based.");
            pages.Add(n);
        }
        return PageSelection.Of(pages);
    }

    /// <summary>Google's online page limits on the pages that will be read (the selection's, when there is one).</summary>
    /// <remarks>Counted by the process's engine when it has one (the sandboxed engine: the PDF is parsed in an engine host,
    /// never in the API process); an API without an engine (the distributed API role) inspects in-process.</remarks>
    private static void CheckPages(byte[] content, PageSelection? pages, bool imageless, DocumentAiOptions limits, EngineOptions engineOptions,
        IPageRangeEngine? engine)
    {
        int count;
        try
        {
            var pageCount = engine is not null
                ? engine.Inspect(new DocumentInput("document", content)).Pages
                : InputInspector.Inspect(content, engineOptions).PageCount;
            count = pages?.Resolve(pageCount).Count ?? pageCount;
        }
        catch (DocumentException e)
        {
            throw e.Code == DocumentErrorCode.UnsupportedType
                ? GoogleStatusException.InvalidArgument("Unsupported input file format. " + e.Message)
                : GoogleStatusException.InvalidArgument(e.Message);
        }
        if (imageless && count > limits.MaxImagelessPages)
            throw GoogleStatusException.InvalidArgument($"Document pages exceed the limit: {limits.MaxImagelessPages} got {count}.");
        if (!imageless && count > limits.MaxOnlinePages)
            throw GoogleStatusException.InvalidArgument(
                $"Document pages in non-imageless mode exceed the limit: {limits.MaxOnlinePages} got {count}. Try using imageless mode to increase the limit to {limits.MaxImagelessPages}.");
    }

    /// <summary>Polls the job until it ends; past the deadline a 504 (the job goes on, and the same request later is answered
    /// from its result).</summary>
    private static async Task<JobRecord> WaitAsync(IJobMonitoringStore store, string jobId, TimeSpan deadline, TimeProvider time, CancellationToken ct)
    {
        var until = time.GetUtcNow() + deadline;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var job = await store.GetJobAsync(jobId, ct) ?? throw new GoogleStatusException(500, "INTERNAL", $"Job {jobId} disappeared.");
            if (job.Status is JobStatus.Succeeded or JobStatus.Failed) return job;
            if (time.GetUtcNow() >= until)
                throw new GoogleStatusException(504, "DEADLINE_EXCEEDED",
                    $"Deadline exceeded: the document was not processed within {deadline.TotalSeconds:F0} s; it is still being processed as DocFlow job {jobId}.");
            await Task.Delay(delay, time, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    /// <summary>A failed job as google.rpc.Status: bad input is INVALID_ARGUMENT, a timeout DEADLINE_EXCEEDED.</summary>
    private static GoogleStatusException FailureOf(JobRecord job)
    {
        var message = job.ErrorMessage ?? "The document could not be processed.";
        return job.ErrorCode switch
        {
            "unsupported_type" => GoogleStatusException.InvalidArgument("Unsupported input file format. " + message),
            "timeout" => new GoogleStatusException(504, "DEADLINE_EXCEEDED", message),
            CancelledCode => new GoogleStatusException(499, "CANCELLED", message),
            "internal" or null => new GoogleStatusException(500, "INTERNAL", message),
            _ => GoogleStatusException.InvalidArgument(message),
        };
    }

    // ---- :batchProcess and operations ----

    internal static async Task<IResult> BatchProcessAsync(HttpContext http, string project, string location, string processor, string? version,
        IngestService ingest, IJobMonitoringStore store, GcsBuckets buckets, BatchOperations operations, IOptions<DocumentAiOptions> options,
        Tenancy.TenantQuotas quotas, TimeProvider time, ClaimsPrincipal user, CancellationToken ct)
    {
        try
        {
            var config = ProcessorOf(project, location, processor, version, options.Value);
            var bytes = await ReadAllAsync(http.Request, ct);
            using var body = Parse(bytes);
            var request = body.RootElement;
            var tenant = TenantPrincipals.TenantOf(user);
            var caller = $"{tenant}\n{user.Identity?.Name}\n{project}/{location}/{processor}/{version}";
            return await operations.CreateOnceAsync(caller, bytes, options.Value.BatchDedupWindow, async key =>
            {
                var inputs = InputsOf(request, buckets, tenant, options.Value.MaxBatchFiles);
                var output = request.Field("documentOutputConfig")?.Field("gcsOutputConfig");
                var outputUri = output?.String("gcsUri");
                if (outputUri is not null) buckets.PathOf(outputUri.TrimEnd('/') + "/probe", tenant); // the bucket must be usable now
                var pages = PagesOf(request.Field("processOptions"));
                if (await quotas.CheckAsync(http, tenant, inputs.Count, inputs.Sum(i => new FileInfo(i.Path).Length), ct) is not null)
                    throw new GoogleStatusException(429, "RESOURCE_EXHAUSTED", "Quota exceeded for the tenant's documents; try again later.");
                var uploads = inputs.Select(i => new Upload(i.Uri, new FileStream(i.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))).ToList();
                try
                {
                    var batch = await ingest.AcceptAsync(uploads, JobPriority.Normal, tenant, pages, ct);
                    var operation = new BatchOperationRecord(batch.BatchId, tenant, config.Type, outputUri?.TrimEnd('/'), output?.String("fieldMask"), key, time.GetUtcNow());
                    await http.RequestServices.GetRequiredService<IBatchOperationStore>().SaveAsync(operation, ct);
                    return operation;
                }
                finally
                {
                    foreach (var u in uploads) await u.Content.DisposeAsync();
                }
            }, async op => GoogleWire.Json(http.Request, await operations.ToJsonAsync(project, location, op.BatchId, ct)), ct);
        }
        catch (GoogleStatusException e)
        {
            return GoogleWire.Error(e.HttpStatus, e.Status, e.Message);
        }
    }

    private static List<(string Uri, string Path)> InputsOf(JsonElement request, GcsBuckets buckets, string tenant, int max)
    {
        var input = request.Field("inputDocuments") ?? throw GoogleStatusException.InvalidArgument("input_documents is required.");
        if (input.Field("gcsPrefix") is { } prefix)
        {
            var uri = prefix.String("gcsUriPrefix") ?? throw GoogleStatusException.InvalidArgument("input_documents.gcs_prefix.gcs_uri_prefix is required.");
            var listed = buckets.List(uri, tenant, max);
            return listed.Count > 0 ? [.. listed] : throw GoogleStatusException.InvalidArgument($"No input documents found under {uri}.");
        }
        if (input.Field("gcsDocuments")?.Field("documents") is { ValueKind: JsonValueKind.Array } documents && documents.GetArrayLength() > 0)
        {
            if (documents.GetArrayLength() > max)
                throw GoogleStatusException.InvalidArgument($"The batch has {documents.GetArrayLength()} documents, more than the {max} one batch takes.");
            var result = new List<(string, string)>();
            foreach (var d in documents.EnumerateArray())
            {
                var uri = d.String("gcsUri") ?? throw GoogleStatusException.InvalidArgument("Every gcs_documents.documents entry needs a gcs_uri.");
                var path = buckets.PathOf(uri, tenant);
                if (!File.Exists(path)) throw GoogleStatusException.NotFound($"No such object: {uri}");
                result.Add((uri, path));
            }
            return result;
        }
        throw GoogleStatusException.InvalidArgument("input_documents needs gcs_prefix or gcs_documents.");
    }

    internal static async Task<IResult> GetOperationAsync(HttpContext http, string project, string location, string operation,
        BatchOperations operations, CancellationToken ct)
    {
        try
        {
            CheckIds(project, location, operation);
            return GoogleWire.Json(http.Request, await operations.ToJsonAsync(project, location, operation, ct));
        }
        catch (GoogleStatusException e)
        {
            return GoogleWire.Error(e.HttpStatus, e.Status, e.Message);
        }
    }

    internal static async Task<IResult> ListOperationsAsync(HttpContext http, string project, string location, BatchOperations operations,
        IJobMonitoringStore store, CancellationToken ct)
    {
        try
        {
            CheckIds(project, location);
            var size = int.TryParse(http.Request.Query["pageSize"], out var n) && n is > 0 and <= 100 ? n : 50;
            var token = http.Request.Query["pageToken"].ToString();
            var page = await store.ListBatchesAsync(new BatchQuery(size, string.IsNullOrEmpty(token) ? null : token), ct);
            var list = new JsonArray();
            foreach (var batch in page.Items) list.Add(await operations.ToJsonAsync(project, location, batch.Id, ct));
            var body = new JsonObject { ["operations"] = list };
            if (page.NextCursor is not null) body["nextPageToken"] = page.NextCursor;
            return GoogleWire.Json(http.Request, body);
        }
        catch (GoogleStatusException e)
        {
            return GoogleWire.Error(e.HttpStatus, e.Status, e.Message);
        }
    }

    internal static async Task<IResult> CancelOperationAsync(HttpContext http, string project, string location, string operation,
        BatchOperations operations, CancellationToken ct)
    {
        try
        {
            CheckIds(project, location, operation);
            await operations.CancelAsync(project, location, operation, ct);
            return GoogleWire.Json(http.Request, new JsonObject());
        }
        catch (GoogleStatusException e)
        {
            return GoogleWire.Error(e.HttpStatus, e.Status, e.Message);
        }
    }

    // ---- processors ----

    internal static IResult ListProcessors(HttpContext http, string project, string location, IOptions<DocumentAiOptions> options)
    {
        try
        {
            CheckIds(project, location);
            var list = new JsonArray([.. options.Value.EffectiveProcessors.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (JsonNode)ProcessorJson(http.Request, project, location, p.Key, p.Value))]);
            return GoogleWire.Json(http.Request, new JsonObject { ["processors"] = list });
        }
        catch (GoogleStatusException e)
        {
            return GoogleWire.Error(e.HttpStatus, e.Status, e.Message);
        }
    }

    internal static IResult GetProcessor(HttpContext http, string project, string location, string processor, IOptions<DocumentAiOptions> options)
    {
        try
        {
            var config = ProcessorOf(project, location, processor, null, options.Value);
            return GoogleWire.Json(http.Request, ProcessorJson(http.Request, project, location, processor, config));
        }
        catch (GoogleStatusException e)
        {
            return GoogleWire.Error(e.HttpStatus, e.Status, e.Message);
        }
    }

    internal static IResult FetchProcessorTypes(HttpContext http, string project, string location)
    {
        try
        {
            CheckIds(project, location);
            var types = new JsonArray([.. ProcessorTypes.All.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = $"projects/{project}/locations/{location}/processorTypes/{t}",
                ["type"] = t,
                ["category"] = ProcessorTypes.CategoryOf(t),
                ["availableLocations"] = new JsonArray(new JsonObject { ["locationId"] = location }),
                ["allowCreation"] = false,
                ["launchStage"] = "GA",
            })]);
            return GoogleWire.Json(http.Request, new JsonObject { ["processorTypes"] = types });
        }
        catch (GoogleStatusException e)
        {
            return GoogleWire.Error(e.HttpStatus, e.Status, e.Message);
        }
    }

    private static JsonObject ProcessorJson(HttpRequest request, string project, string location, string id, ProcessorOptions config)
    {
        var name = $"projects/{project}/locations/{location}/processors/{id}";
        return new JsonObject
        {
            ["name"] = name,
            ["type"] = config.Type,
            ["displayName"] = config.DisplayName ?? id,
            ["state"] = "ENABLED",
            ["processEndpoint"] = $"{request.Scheme}://{request.Host}/v1/{name}:process",
            ["defaultProcessorVersion"] = $"{name}/processorVersions/pretrained",
        };
    }

    // ---- shared ----

    private static ProcessorOptions ProcessorOf(string project, string location, string processor, string? version, DocumentAiOptions options)
    {
        CheckIds(project, location, processor);
        if (version is not null) CheckIds(version);
        if (!options.EffectiveProcessors.TryGetValue(processor, out var config))
            throw GoogleStatusException.NotFound($"Processor projects/{project}/locations/{location}/processors/{processor} not found.");
        return config;
    }

    /// <summary>Ids of names: <c>^[a-z0-9_-]+$</c>. Route binding alone would let <c>a:b:process</c> through as <c>a:b</c>.</summary>
    private static void CheckIds(params string[] ids)
    {
        foreach (var id in ids)
            if (!IdPattern().IsMatch(id))
                throw GoogleStatusException.InvalidArgument($"Invalid resource id '{id}': ids are 1 to 63 characters of a-z, 0-9, '_' and '-'.");
    }

    private static async Task<byte[]> ReadAllAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private static async Task<JsonDocument> ReadBodyAsync(HttpRequest request, CancellationToken ct) => Parse(await ReadAllAsync(request, ct));

    private static JsonDocument Parse(byte[] bytes)
    {
        if (bytes.Length == 0) return JsonDocument.Parse("{}");
        try
        {
            var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw GoogleStatusException.InvalidArgument("Invalid JSON payload received. Expected an object.");
            }
            return document;
        }
        catch (JsonException e)
        {
            throw GoogleStatusException.InvalidArgument($"Invalid JSON payload received. {e.Message}");
        }
    }
}
