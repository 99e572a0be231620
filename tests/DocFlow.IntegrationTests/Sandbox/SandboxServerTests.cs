using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Samples;
using Xunit;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Sandbox;

/// <summary>A real `docflow serve` process with the sandbox on (its default): hostile files beside normal ones.</summary>
public sealed class SandboxServerTests(ITestOutputHelper output)
{
    private static readonly string FindingsDirectory = Path.Combine(Repo.Root, "tests", "DocFlow.IntegrationTests", "Sandbox", "Findings");

    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    [Fact]
    public async Task Serve_SurvivesCrashingFiles_FinishesNormalOnes_AndNeverLoadsTheParserOrOcrItself()
    {
        var data = Repo.NewTempDirectory("sandbox-serve");
        var port = Ports.Free();
        await using var server = WorkerProcess.Start("serve", ["--urls", $"http://127.0.0.1:{port}", "--workers", "2"],
            new Dictionary<string, string> { ["DOCFLOW__DataDirectory"] = data });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(2) };
        await WaitUntilServingAsync(client, server);

        var crashers = Directory.EnumerateFiles(Path.Combine(FindingsDirectory, "pdf-text")).Order().Take(2).ToList();
        List<(string Name, byte[] Content)> files =
        [
            ("nested-function.pdf", BadInputs.NestedFunctionPdf(20_000)),
            ("fan-out.pdf", BadInputs.XObjectFanOutPdf(40)),
            .. crashers.Select(f => ("crasher-" + Path.GetFileName(f) + ".pdf", File.ReadAllBytes(f))),
            ("invoice-digital.pdf", Sample("invoice-digital.pdf")),
            ("form-scan.png", Sample("form-scan.png")),
        ];
        var response = await client.PostAsync("api/v1/batches", ServerHarness.Form("files", [.. files]));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;

        var deadline = Stopwatch.StartNew();
        JsonElement batch;
        do
        {
            Assert.False(server.HasExited, $"docflow serve died:\n{server.Output}");
            await Task.Delay(250);
            batch = await client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}");
        } while (batch.GetProperty("status").GetString() != "completed" && deadline.Elapsed < TimeSpan.FromMinutes(10));
        Assert.Equal("completed", batch.GetProperty("status").GetString());

        var docs = await client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/documents");
        foreach (var d in docs.EnumerateArray())
        {
            var name = d.GetProperty("fileName").GetString()!;
            var status = d.GetProperty("status").GetString();
            var error = d.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? $"{e.GetProperty("code")}: {e.GetProperty("message")}" : "";
            output.WriteLine($"{name}: {status} {error}");
            if (name is "invoice-digital.pdf" or "form-scan.png")
            {
                Assert.Equal("succeeded", status);
            }
            else
            {
                Assert.Equal("failed", status);
                Assert.DoesNotContain("internal", error, StringComparison.Ordinal);
            }
        }
        Assert.Contains(docs.EnumerateArray(), d => d.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object
            && e.GetProperty("code").GetString() == "engine_crashed");
        Assert.False(server.HasExited);

        // Crashed hosts are replaced when work comes: one more document starts a fresh host.
        var one = await client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("receipt-digital.pdf", Sample("receipt-digital.pdf"))));
        var id = one.Headers.Location!.ToString().Split('/').Last();
        string? last;
        do
        {
            await Task.Delay(250);
            last = (await client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}")).GetProperty("status").GetString();
        } while (last is "queued" or "processing" && deadline.Elapsed < TimeSpan.FromMinutes(11));
        Assert.Equal("succeeded", last);

        // The serving process mapped neither the PDF parser nor the native OCR libraries: only its engine hosts did.
        var maps = await File.ReadAllTextAsync($"/proc/{server.Id}/maps");
        Assert.DoesNotContain("PdfPig", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("libtesseract", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("liblept", maps, StringComparison.Ordinal);
        var hosts = Directory.EnumerateDirectories($"/proc/{server.Id}/task")
            .SelectMany(t => ReadOrEmpty(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => ReadOrEmpty($"/proc/{p}/cmdline").Contains("engine-host", StringComparison.Ordinal))
            .ToList();
        output.WriteLine($"engine hosts of {server.Id}: {string.Join(", ", hosts)}");
        Assert.NotEmpty(hosts);
        Assert.Contains(hosts, h => ReadOrEmpty($"/proc/{h}/maps").Contains("libtesseract", StringComparison.Ordinal));
    }

    private static string ReadOrEmpty(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static async Task WaitUntilServingAsync(HttpClient client, WorkerProcess server)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited) throw new InvalidOperationException($"docflow serve exited with {server.ExitCode}:\n{server.Output}");
            try
            {
                if ((await client.GetAsync("healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"docflow serve did not start:\n{server.Output}");
            await Task.Delay(200);
        }
    }
}
