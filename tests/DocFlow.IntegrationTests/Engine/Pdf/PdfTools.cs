using System.Diagnostics;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace DocFlow.IntegrationTests.Engine.Pdf;

/// <summary>PDFs built with PdfPig's writer, and the command-line tools (qpdf, pdfinfo) the tests check against.</summary>
internal static class PdfTools
{
    /// <summary>One page per entry, each with its lines of Helvetica text from the top-left.</summary>
    public static byte[] TextPdf(double width, double height, params string[][] pages)
    {
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(width, height);
            for (var i = 0; i < lines.Length; i++)
                page.AddText(lines[i], 12, new PdfPoint(20, height - 30 - i * 16), font);
        }
        return builder.Build();
    }

    /// <summary>Runs a tool to completion; throws with its error output when it fails.</summary>
    public static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        // qpdf exits with 3 for warnings, which still produce a usable file.
        if (process.ExitCode is not (0 or 3))
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    /// <summary>Encrypts with qpdf (AES-256); with an empty user password the file opens without one.</summary>
    public static async Task<byte[]> EncryptAsync(byte[] pdf, string userPassword, string ownerPassword)
    {
        var dir = Directory.CreateTempSubdirectory("docflow-qpdf-");
        try
        {
            var input = Path.Combine(dir.FullName, "in.pdf");
            var output = Path.Combine(dir.FullName, "out.pdf");
            await File.WriteAllBytesAsync(input, pdf);
            await RunAsync("qpdf", "--encrypt", userPassword, ownerPassword, "256", "--", input, output);
            return await File.ReadAllBytesAsync(output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Width, height and maxval of a binary PGM (P5), and the offset of its first sample.</summary>
    public static (string Magic, int Width, int Height, int MaxValue, int DataOffset) ParsePnmHeader(byte[] image)
    {
        var fields = new List<string>();
        var i = 0;
        while (fields.Count < 4)
        {
            while (char.IsWhiteSpace((char)image[i])) i++;
            if (image[i] == '#') { while (image[i] != '\n') i++; continue; }
            var start = i;
            while (!char.IsWhiteSpace((char)image[i])) i++;
            fields.Add(System.Text.Encoding.ASCII.GetString(image, start, i - start));
        }
        return (fields[0], int.Parse(fields[1]), int.Parse(fields[2]), int.Parse(fields[3]), i + 1);
    }
}
