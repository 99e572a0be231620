using System.Text.Json;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Outputs;

/// <summary>`docflow process --format` as a user runs it.</summary>
public sealed class ProcessFormatTests : IDisposable
{
    private readonly string _in = Repo.NewTempDirectory("format-in");
    private readonly string _out = Repo.NewTempDirectory("format-out");

    public void Dispose()
    {
        Directory.Delete(_in, recursive: true);
        Directory.Delete(_out, recursive: true);
    }

    [Fact]
    public async Task Every_format_is_written_per_document_and_chunks_go_into_the_json_when_asked()
    {
        foreach (var name in new[] { "receipt-shop.jpg", "receipt-digital.pdf" })
            File.Copy(Path.Combine(Repo.Samples, name), Path.Combine(_in, name));
        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(5),
            "process", _in, "--out", _out, "--format", "json,pdf,hocr,md,txt", "--chunks", "--chunk-size", "60", "--chunk-overlap", "10", "-q");
        Assert.True(exit == 0, output);
        foreach (var name in new[] { "receipt-shop.jpg", "receipt-digital.pdf" })
        {
            foreach (var suffix in new[] { ".json", ".searchable.pdf", ".hocr", ".md", ".txt" })
                Assert.True(File.Exists(Path.Combine(_out, name + suffix)), $"{name}{suffix} missing: {output}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, name + ".json")));
            Assert.Equal(json.RootElement.GetProperty("text").GetString(), await File.ReadAllTextAsync(Path.Combine(_out, name + ".txt")));
            var chunks = json.RootElement.GetProperty("chunkedDocument").GetProperty("chunks").EnumerateArray().ToList();
            Assert.NotEmpty(chunks);
            Assert.All(chunks, c => Assert.True(c.GetProperty("content").GetString()!.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length <= 60));
            Assert.StartsWith("%PDF-", await File.ReadAllTextAsync(Path.Combine(_out, name + ".searchable.pdf")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_default_is_json_alone_without_chunks()
    {
        File.Copy(Path.Combine(Repo.Samples, "receipt-digital.pdf"), Path.Combine(_in, "r.pdf"));
        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(5), "process", _in, "--out", _out, "-q");
        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(_out, "r.pdf.json")));
        Assert.DoesNotContain("chunkedDocument", await File.ReadAllTextAsync(Path.Combine(_out, "r.pdf.json")), StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFiles(_out, "r.pdf.*"), f => !f.EndsWith(".json", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("json,docx", "unknown format 'docx'")]
    [InlineData(",", "no format given")]
    public async Task An_unknown_format_is_refused_by_name(string format, string message)
    {
        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), "process", _in, "--out", _out, "--format", format);
        Assert.NotEqual(0, exit);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }
}
