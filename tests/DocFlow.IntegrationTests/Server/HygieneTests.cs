using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.IO;
using DocFlow.Samples;
using DocFlow.Storage;
using Microsoft.Extensions.DependencyInjection;
using static DocFlow.IntegrationTests.Support.ProblemAssert;

namespace DocFlow.IntegrationTests.Server;

/// <summary>State and hygiene (issue 12, item 3): requeue of what is not a dead letter, rejected uploads, temp files,
/// the documented upload limits with problem details, the page-image endpoint's limits, attempts across restarts.</summary>
public sealed class HygieneTests
{
    private static readonly byte[] Html = "<!DOCTYPE html><html><body>not a document</body></html>"u8.ToArray();

    private static Dictionary<string, string?> NoWorkers(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Workers"] = "0" };
        foreach (var (k, v) in more) settings[k] = v;
        return settings;
    }

    [Fact]
    public async Task Requeue_OfAFailedJobThatIsNotADeadLetter_Is404_AndChangesNothing()
    {
        await using var server = await ServerHarness.StartAsync();
        var upload = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("page.pdf", Html)));
        var accepted = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = accepted.GetProperty("batchId").GetString()!;
        var id = accepted.GetProperty("documents")[0].GetProperty("id").GetString()!;
        await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));

        using var requeue = await server.Client.PostAsync($"api/v1/dead-letters/{id}/requeue", null);

        await AssertProblem(requeue, HttpStatusCode.NotFound, "dead letter");
        var document = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
        Assert.Equal("failed", document.GetProperty("status").GetString());
        Assert.Equal("unsupported_type", document.GetProperty("error").GetProperty("code").GetString());
        var batch = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}");
        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Assert.Equal(1, batch.GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task RejectedUpload_LeavesNoBlobBehind()
    {
        await using var server = await ServerHarness.StartAsync(NoWorkers());

        using var response = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("page.pdf", Html)));

        await AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "HTML");
        var blobs = Path.Combine(server.DataDirectory, "blobs");
        Assert.Empty(Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories));
        var problem = await server.Client.GetAsync($"api/v1/documents/{await LastDocumentIdAsync(server)}/original");
        Assert.Equal(HttpStatusCode.NotFound, problem.StatusCode);
    }

    [Fact]
    public async Task StartUp_RemovesTempFilesOfDeadProcesses_AndKeepsThoseOfLiveOnes()
    {
        var data = Repo.NewTempDirectory("sweep");
        var tmp = Directory.CreateDirectory(Path.Combine(data, "blobs", "tmp")).FullName;
        var pid = Environment.ProcessId;
        // The blob store's tmp folder may be a volume shared with other containers: judged by age only.
        var oldBlob = Touch(Path.Combine(tmp, $"docflow-{pid}-1-blob-{Guid.NewGuid():N}"), TimeSpan.FromHours(1));
        var freshOfOtherHost = Touch(Path.Combine(tmp, $"docflow-{pid}-1-blob-{Guid.NewGuid():N}"));
        var liveBlob = Touch(Path.Combine(tmp, TempFiles.NewName("blob")));
        var oldUntagged = Touch(Path.Combine(tmp, Guid.NewGuid().ToString("N")), TimeSpan.FromHours(1));
        var freshUntagged = Touch(Path.Combine(tmp, Guid.NewGuid().ToString("N")));
        var system = Path.GetTempPath();
        // Start time 1 (1970): this pid, but not this process — a killed process whose pid was reused.
        var deadPdf = Touch(Path.Combine(system, $"docflow-{pid}-1-pdf-{Guid.NewGuid():N}.pdf"));
        var deadPageDir = Directory.CreateDirectory(Path.Combine(system, $"docflow-{pid}-1-page-{Guid.NewGuid():N}")).FullName;
        Touch(Path.Combine(deadPageDir, "in.pdf"));
        var oldLegacy = Touch(Path.Combine(system, $"docflow-{Guid.NewGuid():N}.pdf"), TimeSpan.FromHours(1));
        var livePdf = Touch(TempFiles.NewPath("pdf", ".pdf"));
        var unrelated = Touch(Path.Combine(system, $"docflow-hygiene-test-{Guid.NewGuid():N}"), TimeSpan.FromHours(1));
        try
        {
            await using (await ServerHarness.StartAsync(NoWorkers(("DataDirectory", data))))
            {
                Assert.False(File.Exists(oldBlob));
                Assert.True(File.Exists(freshOfOtherHost));
                Assert.False(File.Exists(oldUntagged));
                Assert.False(File.Exists(deadPdf));
                Assert.False(Directory.Exists(deadPageDir));
                Assert.False(File.Exists(oldLegacy));
                Assert.True(File.Exists(liveBlob));
                Assert.True(File.Exists(freshUntagged));
                Assert.True(File.Exists(livePdf));
                Assert.True(File.Exists(unrelated));
            }
        }
        finally
        {
            foreach (var f in new[] { livePdf, unrelated, deadPdf, oldLegacy }) File.Delete(f);
            if (Directory.Exists(deadPageDir)) Directory.Delete(deadPageDir, true);
            Directory.Delete(data, true);
        }

        static string Touch(string path, TimeSpan? age = null)
        {
            File.WriteAllBytes(path, [1, 2, 3]);
            if (age is { } a) File.SetLastWriteTimeUtc(path, DateTime.UtcNow - a);
            return path;
        }
    }

    [Fact]
    public async Task FortyMegabyteFile_IsAccepted()
    {
        await using var server = await ServerHarness.StartAsync(NoWorkers());
        var big = new byte[40 * 1024 * 1024];
        "%PDF-1.7\n"u8.CopyTo(big);

        using var response = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("big.pdf", big)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task BatchOverItsLimit_Is413WithProblemDetails()
    {
        await using var server = await ServerHarness.StartAsync(NoWorkers(("MaxBatchBytes", (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var file = new byte[1024 * 1024];
        "%PDF-1.7\n"u8.CopyTo(file);

        using var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("a.pdf", file), ("b.pdf", file), ("c.pdf", file)));

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "larger than the server accepts");
    }

    [Fact]
    public async Task TruncatedMultipartBody_Is400WithProblemDetails()
    {
        await using var server = await ServerHarness.StartAsync(NoWorkers());
        // A part that never ends: no closing boundary.
        var body = new ByteArrayContent(Encoding.ASCII.GetBytes(
            "--cut\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n1 0 obj"));
        body.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=cut");

        using var response = await server.Client.PostAsync("api/v1/documents", body);

        await AssertProblem(response, HttpStatusCode.BadRequest, "multipart");
    }

    [Fact]
    public async Task OverlongTargetAndHeaders_Get414And431WithProblemDetails()
    {
        await using var server = await ServerHarness.StartAsync(NoWorkers());

        using var longUrl = await server.Client.GetAsync("api/v1/documents/" + new string('a', 10_000));
        await AssertProblem(longUrl, HttpStatusCode.RequestUriTooLong, "request target");

        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/queues");
        for (var i = 0; i < 5; i++) request.Headers.Add($"X-Filler-{i}", new string('h', 8_000));
        using var bigHeaders = await server.Client.SendAsync(request);
        await AssertProblem(bigHeaders, HttpStatusCode.RequestHeaderFieldsTooLarge, "headers");
    }

    [Fact]
    public async Task PageImage_OfAnImageOverThePixelLimit_Is422_WithoutDecodingIt()
    {
        await using var server = await ServerHarness.StartAsync(NoWorkers());
        var id = await UploadAsync(server, "huge.png", BadInputs.PngClaimingPixels(10_000, 6_000));

        using var response = await server.Client.GetAsync($"api/v1/documents/{id}/pages/1/image");

        var problem = await AssertProblem(response, HttpStatusCode.UnprocessableEntity, "pixels");
        Assert.Equal("too_many_pixels", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task PageImage_OfAHugeMediaBox_IsRenderedSmall()
    {
        await using var server = await ServerHarness.StartAsync(NoWorkers());
        var id = await UploadAsync(server, "poster.pdf", BadInputs.HugeMediaBoxPdf(10_000));

        using var response = await server.Client.GetAsync($"api/v1/documents/{id}/pages/1/image");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var png = await response.Content.ReadAsByteArrayAsync();
        var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.InRange(Math.Max(width, height), 1, 1100);
    }

    [Fact]
    public async Task PageImage_WhenEveryRenderSlotIsTaken_Is503WithRetryAfter()
    {
        await using var server = await ServerHarness.StartAsync(NoWorkers(("Dashboard:PageImageConcurrency", "1"), ("Dashboard:PageImageQueueWait", "00:00:00")));
        var id = await UploadAsync(server, "r.pdf", File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf")));
        var gate = server.Services.GetRequiredService<DocFlow.Server.Dashboard.PageImageGate>();
        Assert.True(await gate.TryEnterAsync(CancellationToken.None)); // a render in progress holds the only slot

        using (var busy = await server.Client.GetAsync($"api/v1/documents/{id}/pages/1/image"))
        {
            await AssertProblem(busy, HttpStatusCode.ServiceUnavailable, "try again");
            Assert.NotNull(busy.Headers.RetryAfter);
        }

        gate.Exit();
        using var free = await server.Client.GetAsync($"api/v1/documents/{id}/pages/1/image");
        Assert.Equal(HttpStatusCode.OK, free.StatusCode);
    }

    [Fact]
    public async Task PageImage_RenderPastItsTimeout_Is422Timeout()
    {
        await using var server = await ServerHarness.StartAsync(NoWorkers(("Dashboard:PageImageTimeout", "00:00:00.001")));
        var id = await UploadAsync(server, "r.pdf", File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf")));

        using var response = await server.Client.GetAsync($"api/v1/documents/{id}/pages/1/image");

        var problem = await AssertProblem(response, HttpStatusCode.UnprocessableEntity, "PageImageTimeout");
        Assert.Equal("timeout", problem.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(2, "queued", 3)]
    [InlineData(5, "failed", 5)]
    public async Task Recovery_CountsADeliveryForJobsLeftProcessing_AndFailsThemAtThePoisonLimit(int attempts, string status, int attemptsAfter)
    {
        var data = Repo.NewTempDirectory("recovery");
        try
        {
            string id;
            await using (var first = await ServerHarness.StartAsync(NoWorkers(("DataDirectory", data))))
            {
                id = await UploadAsync(first, "r.pdf", File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf")));
                // What a process that died on the job leaves behind: processing, with the attempts it recorded.
                var store = first.Services.GetRequiredService<IJobProcessingStore>();
                Assert.True(await store.TryTransitionAsync(id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None));
                await store.RecordAttemptAsync(id, attempts, CancellationToken.None);
            }

            await using var second = await ServerHarness.StartAsync(NoWorkers(("DataDirectory", data)));
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            JsonElement document;
            do
            {
                await Task.Delay(100);
                document = await second.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
            } while (document.GetProperty("status").GetString() == "processing" && DateTime.UtcNow < deadline);

            Assert.Equal(status, document.GetProperty("status").GetString());
            Assert.Equal(attemptsAfter, document.GetProperty("attempts").GetInt32());
            if (status == "failed") Assert.Contains("poison", document.GetProperty("error").GetProperty("message").GetString());
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    private static async Task<string> UploadAsync(ServerHarness server, string name, byte[] content)
    {
        using var response = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", (name, content)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.ToString().Split('/').Last();
    }

    private static async Task<string> LastDocumentIdAsync(ServerHarness server)
    {
        var store = server.Services.GetRequiredService<IJobMonitoringStore>();
        var page = await store.ListJobsAsync(new JobQuery(Limit: 1), CancellationToken.None);
        return Assert.Single(page.Items).Id;
    }
}
