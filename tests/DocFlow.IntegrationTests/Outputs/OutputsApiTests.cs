using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Outputs;

/// <summary>The output routes of `docflow serve`, with encryption at rest on (the original is read back through the sealed blob store).</summary>
public sealed partial class OutputsApiTests : IDisposable
{
    private readonly string _data = Repo.NewTempDirectory("outputs-api");

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private async Task<(ServerHarness Server, string Id)> StartWithDocumentAsync(string sample)
    {
        var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["DataDirectory"] = _data,
            ["Encryption:Keys:k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        var response = await server.Client.PostAsync("api/v1/documents",
            ServerHarness.Form("file", (sample, await File.ReadAllBytesAsync(Path.Combine(Repo.Samples, sample)))));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        for (var i = 0; i < 900; i++)
        {
            var record = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
            if (record.GetProperty("status").GetString() is "succeeded" or "failed") break;
            await Task.Delay(200);
        }
        return (server, id);
    }

    [Fact]
    public async Task A_scan_comes_back_as_searchable_pdf_hocr_markdown_and_chunks()
    {
        var (server, id) = await StartWithDocumentAsync("receipt-shop.jpg");
        await using var owned = server;
        var text = await server.Client.GetStringAsync($"api/v1/documents/{id}/text");

        var pdf = await server.Client.GetAsync($"api/v1/documents/{id}/searchable.pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        Assert.Equal("receipt-shop.searchable.pdf", pdf.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        var file = Path.Combine(_data, "out.pdf");
        await File.WriteAllBytesAsync(file, await pdf.Content.ReadAsByteArrayAsync());
        var extracted = await OutputsFixture.RunAsync("pdftotext", "-raw", "-enc", "UTF-8", file, "-");
        Assert.Equal(Whitespace().Replace(text, " ").Trim(), Whitespace().Replace(extracted.Output, " ").Trim());
        Assert.Equal(0, (await OutputsFixture.RunAsync("qpdf", "--check", file)).Exit);

        var hocr = await server.Client.GetAsync($"api/v1/documents/{id}/hocr");
        Assert.Equal("application/xhtml+xml", hocr.Content.Headers.ContentType!.MediaType);
        var words = XDocument.Parse(await hocr.Content.ReadAsStringAsync()).Descendants()
            .Where(e => (string?)e.Attribute("class") == "ocrx_word").Select(e => e.Value);
        Assert.Equal(Whitespace().Replace(text, " ").Trim(), string.Join(' ', words));

        var md = await server.Client.GetAsync($"api/v1/documents/{id}/markdown");
        Assert.Equal("text/markdown", md.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("<!-- page 1 -->", await md.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var chunks = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}/chunks?chunkSize=40&overlap=5");
        var list = chunks.GetProperty("chunks").EnumerateArray().ToList();
        Assert.NotEmpty(list);
        Assert.All(list, c => Assert.True(c.GetProperty("content").GetString()!.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length <= 40));
        Assert.Equal(1, list[0].GetProperty("pageSpan").GetProperty("pageStart").GetInt32());

        var result = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}/result?chunks=true");
        Assert.True(result.TryGetProperty("chunkedDocument", out _));
        var plain = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}/result");
        Assert.False(plain.TryGetProperty("chunkedDocument", out _));
    }

    [Fact]
    public async Task Bad_requests_are_problem_details()
    {
        var (server, id) = await StartWithDocumentAsync("receipt-digital.pdf");
        await using var owned = server;
        foreach (var (url, status) in new[]
        {
            ($"api/v1/documents/{id}/chunks?chunkSize=lots", HttpStatusCode.BadRequest),
            ($"api/v1/documents/{id}/chunks?chunkSize=100&overlap=60", HttpStatusCode.BadRequest),
            ("api/v1/documents/nope/searchable.pdf", HttpStatusCode.NotFound),
            ("api/v1/documents/nope/hocr", HttpStatusCode.NotFound),
            ("api/v1/documents/nope/markdown", HttpStatusCode.NotFound),
        })
        {
            var response = await server.Client.GetAsync(url);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()));
        }
        // A document whose pages all had a text layer: the searchable PDF is its own pages again, text unchanged.
        var pdf = await server.Client.GetByteArrayAsync($"api/v1/documents/{id}/searchable.pdf");
        var file = Path.Combine(_data, "digital.pdf");
        await File.WriteAllBytesAsync(file, pdf);
        Assert.Equal((await OutputsFixture.RunAsync("pdftotext", "-layout", Path.Combine(Repo.Samples, "receipt-digital.pdf"), "-")).Output,
            (await OutputsFixture.RunAsync("pdftotext", "-layout", file, "-")).Output);
    }
}
