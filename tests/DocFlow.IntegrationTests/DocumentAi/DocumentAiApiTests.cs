using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DocFlow.Documents;
using DocFlow.IntegrationTests.Support;
using DocFlow.Samples;
using DocFlow.Security;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.DocumentAi;

/// <summary>The Document AI v1 surface of `docflow serve`, with keys required, over real HTTP on loopback: the official
/// clients' requests replayed (<see cref="DocumentAiClients"/>), curl, errors, processors, batch operations.</summary>
public sealed class DocumentAiApiTests
{
    private const string Processors = "projects/demo/locations/us/processors";

    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    private sealed class Platform : IAsyncDisposable
    {
        public required ServerHarness Server { get; init; }
        public required string Submitter { get; init; }
        public required string Reader { get; init; }
        public required string OtherTenant { get; init; }
        public required string Input { get; init; }
        public required string Output { get; init; }
        public HttpClient Client => Server.Client;

        public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpRequestMessage request)
        {
            using (request)
            using (var response = await Client.SendAsync(request))
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    private static async Task<Platform> StartAsync(Dictionary<string, string?>? settings = null, string? folders = null)
    {
        folders ??= Repo.NewTempDirectory("docai-buckets");
        var input = Directory.CreateDirectory(Path.Combine(folders, "in")).FullName;
        var output = Directory.CreateDirectory(Path.Combine(folders, "out")).FullName;
        var config = new Dictionary<string, string?>
        {
            ["Auth:Required"] = "true",
            ["DocumentAi:Buckets:scans:Path"] = input,
            ["DocumentAi:Buckets:scans:Tenant"] = "acme",
            ["DocumentAi:Buckets:results:Path"] = output,
            ["DocumentAi:Buckets:results:Tenant"] = "acme",
        };
        foreach (var (k, v) in settings ?? []) config[k] = v;
        var server = await ServerHarness.StartAsync(config);
        var keys = server.Services.GetRequiredService<IApiKeyStore>();
        async Task<string> KeyAsync(string role, string tenant) =>
            (await ApiKeys.CreateAsync(keys, role, $"{tenant} {role}", tenant, DateTimeOffset.UtcNow, CancellationToken.None)).Key;
        return new Platform
        {
            Server = server,
            Submitter = await KeyAsync(Roles.Submitter, "acme"),
            Reader = await KeyAsync(Roles.Reader, "acme"),
            OtherTenant = await KeyAsync(Roles.Submitter, "globex"),
            Input = input,
            Output = output,
        };
    }

    [Fact]
    public async Task PythonClientProcess_OfABase64Pdf_ReturnsTheDocument_WithEnumsAsIntegers()
    {
        await using var p = await StartAsync();
        var pdf = Sample("receipt-digital.pdf");

        var (status, body) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":process",
            DocumentAiClients.PythonProcessBody(pdf), p.Submitter));

        Assert.True(status == HttpStatusCode.OK, body);
        var parsed = DocumentAiClients.ParseProcessResponse(body);
        var truth = GroundTruth.Load(Path.Combine(Repo.Samples, "receipt-digital.truth.json"));
        Assert.Equal(truth.Text, parsed.Text);
        Assert.Equal("application/pdf", parsed.MimeType);
        Assert.Equal([1], parsed.Pages);
        Assert.Equal("SKIPPED", parsed.HumanReviewState);
        Assert.True(parsed.EnumsAsNumbers);
        Assert.Equal(0, parsed.Entities); // OCR_PROCESSOR has no entities
        Assert.DoesNotContain("\"PAGE_UP\"", body, StringComparison.Ordinal);
        Assert.Contains("\"startIndex\":\"", body, StringComparison.Ordinal); // int64 as strings
    }

    [Fact]
    public async Task DotNetClientProcess_OnAProcessorVersion_WithNameInTheBodyAndAPageSelector_KeepsOriginalPageNumbers()
    {
        await using var p = await StartAsync();
        var name = $"{Processors}/form/processorVersions/pretrained";
        var body = DocumentAiClients.DotNetProcessBody(name, Sample("report-multipage.pdf"),
            """, "processOptions": { "individualPageSelector": { "pages": [ 2, 4 ] }, "ocrConfig": { "hints": { "languageHints": [ "en" ] }, "enableNativePdfParsing": true } }, "labels": { "team": "ops" }, "someFutureField": { "x": 1 }""");

        var (status, response) = await p.SendAsync(DocumentAiClients.DotNet(HttpMethod.Post, name, ":process", body, p.Submitter));

        Assert.True(status == HttpStatusCode.OK, response);
        var parsed = DocumentAiClients.ParseProcessResponse(response);
        Assert.Equal([2, 4], parsed.Pages);
        Assert.False(parsed.EnumsAsNumbers);
        Assert.Contains("\"PAGE_UP\"", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_OfProcess_WithABase64Pdf_ReturnsADocument()
    {
        await using var p = await StartAsync();
        var request = Path.Combine(Repo.NewTempDirectory("curl"), "request.json");
        await File.WriteAllTextAsync(request, $$$"""{"rawDocument": {"content": "{{{Convert.ToBase64String(Sample("invoice-digital.pdf"))}}}", "mimeType": "application/pdf"}}""");
        var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-sS", "-X", "POST", "-H", $"Authorization: Bearer {p.Submitter}", "-H", "Content-Type: application/json; charset=utf-8",
                     "-d", $"@{request}", new Uri(p.Client.BaseAddress!, $"v1/{Processors}/invoice:process").ToString() })
            psi.ArgumentList.Add(a);
        using var curl = Process.Start(psi)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();

        Assert.True(curl.ExitCode == 0, await curl.StandardError.ReadToEndAsync());
        var document = JsonDocument.Parse(output).RootElement.GetProperty("document");
        var parsed = DocumentJson.Deserialize(document.GetRawText());
        Assert.Contains("INVOICE", parsed.Text, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(parsed.Entities!); // INVOICE_PROCESSOR returns entities
    }

    [Fact]
    public async Task SnakeCaseInput_FieldMask_AndGcsDocument_AreHonoured()
    {
        await using var p = await StartAsync();
        File.Copy(Path.Combine(Repo.Samples, "report-multipage.pdf"), Path.Combine(p.Input, "report.pdf"));

        var (status, body) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":process",
            """{"gcs_document": {"gcs_uri": "gs://scans/report.pdf", "mime_type": "application/pdf"}, "field_mask": "text,pages.page_number", "process_options": {"from_end": 1}}""",
            p.Submitter));

        Assert.True(status == HttpStatusCode.OK, body);
        var document = JsonDocument.Parse(body).RootElement.GetProperty("document");
        Assert.Equal(["pages", "text"], document.EnumerateObject().Select(o => o.Name).Order(StringComparer.Ordinal));
        var page = Assert.Single(document.GetProperty("pages").EnumerateArray());
        Assert.Equal(["pageNumber"], page.EnumerateObject().Select(o => o.Name));
        Assert.Equal(4, page.GetProperty("pageNumber").GetInt32());
    }

    [Theory]
    [InlineData("ocr", """{"rawDocument": {"content": "***", "mimeType": "application/pdf"}}""", 400, "INVALID_ARGUMENT", "base64")]
    [InlineData("ocr", """{"rawDocument": {"content": "JVBERg=="}, "gcsDocument": {"gcsUri": "gs://scans/a.pdf"}}""", 400, "INVALID_ARGUMENT", "Exactly one")]
    [InlineData("nope", """{"rawDocument": {"content": "JVBERg=="}}""", 404, "NOT_FOUND", "processors/nope not found")]
    [InlineData("ocr", """{"gcsDocument": {"gcsUri": "gs://elsewhere/a.pdf"}}""", 403, "PERMISSION_DENIED", "not configured")]
    [InlineData("ocr", """{"gcsDocument": {"gcsUri": "gs://scans/../../etc/passwd"}}""", 400, "INVALID_ARGUMENT", "Invalid GCS URI")]
    [InlineData("ocr", """{"gcsDocument": {"gcsUri": "gs://scans/missing.pdf"}}""", 404, "NOT_FOUND", "No such object")]
    [InlineData("ocr", """{"rawDocument": {"content": "aGVsbG8gd29ybGQ="}}""", 400, "INVALID_ARGUMENT", "Unsupported input file format")]
    [InlineData("ocr", """not json""", 400, "INVALID_ARGUMENT", "Invalid JSON payload")]
    [InlineData("ocr", """{"rawDocument": {"content": "JVBERg=="}, "processOptions": {"fromStart": 1, "fromEnd": 1}}""", 400, "INVALID_ARGUMENT", "Only one of")]
    public async Task BadRequests_AreGoogleRpcStatus_WithTheMatchingHttpCode(string processor, string body, int code, string status, string message)
    {
        await using var p = await StartAsync();
        var (http, response) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/{processor}", ":process", body, p.Submitter));
        Assert.Equal(code, (int)http);
        var error = DocumentAiClients.ParseError(response);
        Assert.Equal((code, status), (error.Code, error.Status));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthAndLimitRefusals_AreGoogleRpcStatus_WithGooglesWording()
    {
        await using var p = await StartAsync(new() { ["DocumentAi:MaxOnlinePages"] = "2", ["DocumentAi:MaxImagelessPages"] = "3" });
        var pdf = Sample("report-multipage.pdf");

        using var anonymous = new HttpRequestMessage(HttpMethod.Post, $"v1/{Processors}/ocr:process") { Content = new StringContent(DocumentAiClients.PythonProcessBody(pdf)) };
        var (a, aBody) = await p.SendAsync(anonymous);
        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHENTICATED"), (a, DocumentAiClients.ParseError(aBody).Status));

        var (f, fBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":process", DocumentAiClients.PythonProcessBody(pdf), p.Reader));
        Assert.Equal((HttpStatusCode.Forbidden, "PERMISSION_DENIED"), (f, DocumentAiClients.ParseError(fBody).Status));

        var (l, lBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":process", DocumentAiClients.PythonProcessBody(pdf), p.Submitter));
        Assert.Equal(HttpStatusCode.BadRequest, l);
        Assert.Equal("Document pages in non-imageless mode exceed the limit: 2 got 4. Try using imageless mode to increase the limit to 3.",
            DocumentAiClients.ParseError(lBody).Message);

        var (i, iBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":process",
            DocumentAiClients.PythonProcessBody(pdf, """, "imagelessMode": true"""), p.Submitter));
        Assert.Equal("Document pages exceed the limit: 3 got 4.", DocumentAiClients.ParseError(iBody).Message);
        Assert.Equal(HttpStatusCode.BadRequest, i);

        // The limit counts the pages read: two of the four selected are within it.
        var (s, sBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":process",
            DocumentAiClients.PythonProcessBody(pdf, """, "processOptions": {"fromStart": 2}"""), p.Submitter));
        Assert.True(s == HttpStatusCode.OK, sBody);
        Assert.Equal([1, 2], DocumentAiClients.ParseProcessResponse(sBody).Pages);

        var (bad, badBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/a:b", ":process", "{}", p.Submitter));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_ARGUMENT"), (bad, DocumentAiClients.ParseError(badBody).Status));
    }

    [Fact]
    public async Task Process_PastTheDeadline_IsDeadlineExceeded()
    {
        await using var p = await StartAsync(new() { ["Workers"] = "0", ["DocumentAi:ProcessDeadline"] = "00:00:00.5" });
        var (status, body) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":process",
            DocumentAiClients.PythonProcessBody(Sample("receipt-digital.pdf")), p.Submitter));
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        var error = DocumentAiClients.ParseError(body);
        Assert.Equal("DEADLINE_EXCEEDED", error.Status);
        Assert.Contains("still being processed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Processors_AndProcessorTypes_AreListed_AsTheClientsExpect()
    {
        await using var p = await StartAsync();
        var (status, body) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Get, Processors, "", null, p.Reader));
        Assert.True(status == HttpStatusCode.OK, body);
        var processors = JsonDocument.Parse(body).RootElement.GetProperty("processors").EnumerateArray().ToList();
        Assert.Equal(["EXPENSE_PROCESSOR", "FORM_PARSER_PROCESSOR", "INVOICE_PROCESSOR", "LAYOUT_PARSER_PROCESSOR", "OCR_PROCESSOR"],
            processors.Select(x => x.GetProperty("type").GetString()).Order(StringComparer.Ordinal));
        Assert.All(processors, x => Assert.Equal(1, x.GetProperty("state").GetInt32())); // ENABLED, as an integer for Python

        var (one, oneBody) = await p.SendAsync(DocumentAiClients.DotNet(HttpMethod.Get, $"{Processors}/invoice", "", null, p.Reader));
        Assert.Equal(HttpStatusCode.OK, one);
        var invoice = JsonDocument.Parse(oneBody).RootElement;
        Assert.Equal($"{Processors}/invoice", invoice.GetProperty("name").GetString());
        Assert.Equal("ENABLED", invoice.GetProperty("state").GetString());
        Assert.EndsWith($"/v1/{Processors}/invoice:process", invoice.GetProperty("processEndpoint").GetString(), StringComparison.Ordinal);

        var (types, typesBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Get, "projects/demo/locations/us", ":fetchProcessorTypes", null, p.Reader));
        Assert.Equal(HttpStatusCode.OK, types);
        Assert.Equal(5, JsonDocument.Parse(typesBody).RootElement.GetProperty("processorTypes").GetArrayLength());
    }

    [Fact]
    public async Task BatchProcess_PolledToDone_WritesOutputs_AndARepeatedRequestReturnsTheSameOperation()
    {
        await using var p = await StartAsync();
        Directory.CreateDirectory(Path.Combine(p.Input, "batch"));
        File.Copy(Path.Combine(Repo.Samples, "receipt-digital.pdf"), Path.Combine(p.Input, "batch", "a.pdf"));
        File.Copy(Path.Combine(Repo.Samples, "invoice-digital.pdf"), Path.Combine(p.Input, "batch", "b.pdf"));
        const string body = """{"inputDocuments": {"gcsPrefix": {"gcsUriPrefix": "gs://scans/batch/"}}, "documentOutputConfig": {"gcsOutputConfig": {"gcsUri": "gs://results/run1/"}}, "skipHumanReview": true}""";

        var (status, first) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":batchProcess", body, p.Submitter));
        Assert.True(status == HttpStatusCode.OK, first);
        var operation = DocumentAiClients.ParseOperation(first);
        Assert.False(operation.Done);
        // The client re-sends after a 503: the same operation, not a second batch.
        var (_, again) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":batchProcess", body, p.Submitter));
        Assert.Equal(operation.Name, DocumentAiClients.ParseOperation(again).Name);

        var done = await PollAsync(p, operation.Name, p.Reader);
        Assert.Equal("SUCCEEDED", done.State);
        Assert.Equal("type.googleapis.com/google.cloud.documentai.v1.BatchProcessResponse", done.ResponseType);
        Assert.Equal(["gs://scans/batch/a.pdf", "gs://scans/batch/b.pdf"], done.Statuses.Select(s => s.Input));
        Assert.All(done.Statuses, s => Assert.Equal(0, s.Code));
        var id = operation.Name.Split('/').Last();
        var written = Directory.GetFiles(Path.Combine(p.Output, "run1", id), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["a-0.json", "b-0.json"], written.Select(Path.GetFileName));
        Assert.Equal($"gs://results/run1/{id}/0", done.Statuses[0].Output);
        Assert.Contains("TOTAL", DocumentJson.Deserialize(await File.ReadAllTextAsync(written[0])).Text, StringComparison.OrdinalIgnoreCase);

        // The .NET client lists operations and finds it; another tenant does not see it.
        var (_, list) = await p.SendAsync(DocumentAiClients.DotNet(HttpMethod.Get, "projects/demo/locations/us/operations", "", null, p.Reader));
        Assert.Contains(operation.Name, list, StringComparison.Ordinal);
        var (other, otherBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Get, operation.Name, "", null, p.OtherTenant));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), (other, DocumentAiClients.ParseError(otherBody).Status));
        var (otherList, otherListBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Get, "projects/demo/locations/us/operations", "", null, p.OtherTenant));
        Assert.Equal(HttpStatusCode.OK, otherList);
        Assert.DoesNotContain(operation.Name, otherListBody, StringComparison.Ordinal);
        // Nor may it read the bucket of another tenant.
        var (denied, deniedBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":batchProcess", body, p.OtherTenant));
        Assert.Equal((HttpStatusCode.Forbidden, "PERMISSION_DENIED"), (denied, DocumentAiClients.ParseError(deniedBody).Status));
    }

    [Fact]
    public async Task BatchProcess_Cancelled_BeforeItsDocumentsStart_EndsCancelled()
    {
        await using var p = await StartAsync(new() { ["Workers"] = "0" });
        File.Copy(Path.Combine(Repo.Samples, "receipt-digital.pdf"), Path.Combine(p.Input, "a.pdf"));
        var body = """{"name": "projects/demo/locations/us/processors/ocr", "inputDocuments": {"gcsDocuments": {"documents": [{"gcsUri": "gs://scans/a.pdf", "mimeType": "application/pdf"}]}}}""";

        var (status, created) = await p.SendAsync(DocumentAiClients.DotNet(HttpMethod.Post, $"{Processors}/ocr", ":batchProcess", body, p.Submitter));
        Assert.True(status == HttpStatusCode.OK, created);
        var operation = DocumentAiClients.ParseOperation(created);
        Assert.Equal("WAITING", operation.State);

        var (cancel, cancelBody) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Post, operation.Name, ":cancel", null, p.Submitter));
        Assert.True(cancel == HttpStatusCode.OK, cancelBody);
        Assert.Equal("{}", cancelBody);

        var (_, polled) = await p.SendAsync(DocumentAiClients.DotNet(HttpMethod.Get, operation.Name, "", null, p.Reader));
        var done = DocumentAiClients.ParseOperation(polled);
        Assert.True(done.Done);
        Assert.Equal("CANCELLED", done.State);
        Assert.Equal(1, done.ErrorCode); // google.rpc.Code CANCELLED
        Assert.Equal(1, Assert.Single(done.Statuses).Code);
    }

    [Fact]
    public async Task BatchOperation_SurvivesARestart_ItsOutputsAndItsDedupToo()
    {
        var data = Repo.NewTempDirectory("docai-restart");
        var folders = Repo.NewTempDirectory("docai-restart-buckets");
        const string body = """{"inputDocuments": {"gcsDocuments": {"documents": [{"gcsUri": "gs://scans/a.pdf"}]}}, "documentOutputConfig": {"gcsOutputConfig": {"gcsUri": "gs://results/out", "fieldMask": "text"}}}""";
        string name, submitter;
        await using (var first = await StartAsync(new() { ["DataDirectory"] = data, ["Workers"] = "0" }, folders))
        {
            submitter = first.Submitter;
            File.Copy(Path.Combine(Repo.Samples, "receipt-digital.pdf"), Path.Combine(first.Input, "a.pdf"));
            var (status, created) = await first.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":batchProcess", body, first.Submitter));
            Assert.True(status == HttpStatusCode.OK, created);
            name = DocumentAiClients.ParseOperation(created).Name;
        }

        await using var second = await StartAsync(new() { ["DataDirectory"] = data, ["Workers"] = "1" }, folders);
        var done = await PollAsync(second, name, second.Reader);
        Assert.Equal("SUCCEEDED", done.State);
        var output = Assert.Single(Directory.GetFiles(Path.Combine(second.Output, "out"), "*.json", SearchOption.AllDirectories));
        var written = JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement;
        Assert.Equal(["text"], written.EnumerateObject().Select(o => o.Name)); // the output fieldMask
        // The request re-sent after the restart by the same caller (the same key, kept in the store) is the same operation;
        // from another caller it is another.
        var (_, again) = await second.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":batchProcess", body, submitter));
        Assert.Equal(name, DocumentAiClients.ParseOperation(again).Name);
        var (_, other) = await second.SendAsync(DocumentAiClients.Python(HttpMethod.Post, $"{Processors}/ocr", ":batchProcess", body, second.Submitter));
        Assert.NotEqual(name, DocumentAiClients.ParseOperation(other).Name);
    }

    private static async Task<ParsedOperation> PollAsync(Platform p, string name, string key)
    {
        for (var i = 0; i < 900; i++)
        {
            var (status, body) = await p.SendAsync(DocumentAiClients.Python(HttpMethod.Get, name, "", null, key));
            Assert.True(status == HttpStatusCode.OK, body);
            var operation = DocumentAiClients.ParseOperation(body);
            if (operation.Done) return operation;
            await Task.Delay(200);
        }
        throw new TimeoutException(name);
    }
}
