using System.Diagnostics;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Cli;

/// <summary>The docflow executable itself, as a user runs it.</summary>
public sealed class CommandLineTests
{
    private static Task<(int Exit, string Output)> RunAsync(params string[] args) => RunWithAsync(new Dictionary<string, string>(), args);

    private static async Task<(int Exit, string Output)> RunWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "docflow.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (p.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var (exit, output) = await RunAsync("--version");
        Assert.Equal(0, exit);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Theory]
    [InlineData("process", "--jobs")]
    [InlineData("demo", "--samples")]
    [InlineData("serve", "--allowed-hosts")]
    [InlineData("worker", "--slots")]
    public async Task EveryCommand_HasHelp(string command, string option)
    {
        var (exit, output) = await RunAsync(command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains(option, output);
    }

    [Fact]
    public async Task Process_MissingPath_NamesIt_AndFails()
    {
        var (exit, output) = await RunAsync("process", "/nonexistent/scan.png", "--out", Repo.NewTempDirectory("cli-out"));
        Assert.NotEqual(0, exit);
        Assert.Contains("/nonexistent/scan.png", output);
    }

    [Theory]
    [InlineData("bogus-flag", "process", "{dir}", "--out", "{out}", "--bogus-flag", "3")]
    [InlineData("langs", "process", "{dir}", "--out", "{out}", "--langs", "deu")]
    [InlineData("slots", "process", "{dir}", "--out", "{out}", "--slots", "2")]
    [InlineData("wait", "status", "b_1", "--wait")]
    [InlineData("routs", "worker", "--routs", "pdf")]
    [InlineData("x", "demo", "--out", "{out}", "-x")]
    public async Task UnknownOption_IsAnError_ThatNamesIt(string unknown, params string[] args)
    {
        var dir = Repo.NewTempDirectory("cli-strict");
        File.WriteAllBytes(Path.Combine(dir, "a.png"), OcrTestImages.Render("Hello"));
        var output = Path.Combine(dir, "out");

        var (exit, text) = await RunAsync([.. args.Select(a => a.Replace("{dir}", dir, StringComparison.Ordinal).Replace("{out}", output, StringComparison.Ordinal))]);

        Assert.NotEqual(0, exit);
        Assert.Contains($"Unknown option '{unknown}'", text);
        Assert.False(Directory.Exists(output), "nothing ran");
    }

    [Fact]
    public async Task Process_KnownOptions_StillParse()
    {
        var dir = Repo.NewTempDirectory("cli-known");
        File.WriteAllBytes(Path.Combine(dir, "a.png"), OcrTestImages.Render("Hello strict parsing"));
        var output = Path.Combine(dir, "out");

        var (exit, text) = await RunAsync("process", Path.Combine(dir, "a.png"), "-o", output, "-j", "1", "-l", "eng", "--force", "-q");

        Assert.True(exit == 0, text);
        Assert.True(File.Exists(Path.Combine(output, "a.png.json")), text);
    }

    [Fact]
    public async Task Process_UnknownLanguage_SaysHowToInstallIt()
    {
        var dir = Repo.NewTempDirectory("cli-lang");
        File.WriteAllBytes(Path.Combine(dir, "a.png"), OcrTestImages.Render("Hello"));
        var (exit, output) = await RunAsync("process", dir, "--out", Path.Combine(dir, "out"), "--lang", "zzz");
        Assert.NotEqual(0, exit);
        Assert.Contains("tesseract-ocr-zzz", output);
    }

    [Fact]
    public async Task Process_MixedBatch_WritesOutputsAndErrors_AndSucceeds()
    {
        var dir = Repo.NewTempDirectory("cli-mixed");
        File.WriteAllBytes(Path.Combine(dir, "page.png"), OcrTestImages.Render("A short page of text for the command line test."));
        File.WriteAllText(Path.Combine(dir, "index.html"), "<!DOCTYPE html><html><body>hi</body></html>");
        var output = Path.Combine(dir, "out");

        var (exit, text) = await RunAsync("process", Path.Combine(dir, "page.png"), Path.Combine(dir, "index.html"), "--out", output);

        Assert.Equal(0, exit);
        Assert.True(File.Exists(Path.Combine(output, "page.png.json")), text);
        var error = File.ReadAllText(Path.Combine(output, "index.html.error.json"));
        Assert.Contains("\"unsupported_type\"", error);
        Assert.Contains("text/html", error);
        Assert.Contains("1 succeeded", text);
    }

    [Fact]
    public async Task Process_ADamagedImage_GetsItsErrorFile_WithoutLeptonicasMessagesOnStderr()
    {
        // A PNG whose header is sound and whose pixel data is not: it passes the sniffer and the size check and fails in
        // leptonica's decoder, which prints "Error in pixReadMemPng ..." to stderr unless told not to.
        var dir = Repo.NewTempDirectory("cli-damaged");
        File.WriteAllBytes(Path.Combine(dir, "damaged.png"), DamagedPng());
        var (exit, quiet) = await RunAsync("process", dir, "--out", Path.Combine(dir, "out"), "-q");
        Assert.Equal(1, exit);
        Assert.Contains("\"corrupt\"", File.ReadAllText(Path.Combine(dir, "out", "damaged.png.error.json")));
        Assert.DoesNotContain("Error in pix", quiet);
        // Leptonica's own switch still shows them (so the assertion above can fail).
        var (_, loud) = await RunWithAsync(new Dictionary<string, string> { ["LEPT_MSG_SEVERITY"] = "3" },
            "process", dir, "--out", Path.Combine(dir, "out2"), "-q");
        Assert.Contains("Error in pixReadMem", loud);
    }

    private static byte[] DamagedPng()
    {
        static byte[] Chunk(string type, byte[] data)
        {
            var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            var length = new byte[4];
            var crc = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
            return [.. length, .. typed, .. crc];
        }
        static uint Crc32(byte[] bytes)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
            return ~crc;
        }
        byte[] header = [0, 0, 0, 64, 0, 0, 0, 64, 8, 0, 0, 0, 0]; // 64 × 64, 8-bit grey
        byte[] pixels = [0x78, 0x9c, .. Enumerable.Repeat((byte)0xff, 40)]; // a zlib header, then no valid deflate block
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a, .. Chunk("IHDR", header), .. Chunk("IDAT", pixels), .. Chunk("IEND", [])];
    }

    [Fact]
    public async Task Process_NothingProcessable_ExitsNonZero()
    {
        var dir = Repo.NewTempDirectory("cli-bad");
        File.WriteAllText(Path.Combine(dir, "notes.pdf"), "just text");
        var (exit, _) = await RunAsync("process", dir, "--out", Path.Combine(dir, "out"));
        Assert.Equal(1, exit);
    }
}
