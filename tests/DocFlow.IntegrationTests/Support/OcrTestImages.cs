using System.Diagnostics;

namespace DocFlow.IntegrationTests.Support;

/// <summary>Makes test images of known text at run time with ImageMagick's <c>convert</c>, and measures OCR error.</summary>
internal static class OcrTestImages
{
    public const string SampleText =
        "The quarterly report was delivered to the finance office on Monday morning.\n" +
        "Invoice number 48213 lists twelve items with a total amount of 1,284.50 euros.\n" +
        "Please confirm receipt of the signed contract before the end of next week.\n" +
        "Our warehouse in Rotterdam ships orders within two working days of payment.\n" +
        "Questions about delivery dates can be sent to the customer service team.\n" +
        "The committee approved the new budget after a short discussion in June.\n";

    /// <summary>PNG bytes of <paramref name="text"/> (one line per '\n') at 300 dpi, turned <paramref name="rotateClockwise"/> degrees.</summary>
    public static byte[] Render(string text, int rotateClockwise = 0, string format = "png", int pointSize = 11)
    {
        var args = new List<string> { "-density", "300", "-units", "PixelsPerInch", "-font", "DejaVu-Sans", "-pointsize", pointSize.ToString(), "-background", "white" };
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            args.Add("label:" + line);
        args.AddRange(["-gravity", "west", "-append", "+repage", "-bordercolor", "white", "-border", "120x150", "-colorspace", "Gray"]);
        if (rotateClockwise != 0)
            args.AddRange(["-rotate", rotateClockwise.ToString()]);
        return Convert(args, format);
    }

    /// <summary>PNG bytes of the image at <paramref name="path"/> reduced to <paramref name="percent"/> % and centred on a white
    /// <paramref name="width"/> × <paramref name="height"/> canvas: a low-resolution scan of it.</summary>
    public static byte[] Reduced(string path, int percent, int width, int height) =>
        Convert([path, "-resize", $"{percent}%", "-gravity", "center", "-background", "white", "-extent", $"{width}x{height}", "-colorspace", "Gray"], "png");

    /// <summary>A multi-page TIFF made of the given images (each written as a frame).</summary>
    public static byte[] MultiPageTiff(params byte[][] frames)
    {
        var dir = Directory.CreateTempSubdirectory("docflow-ocr-");
        try
        {
            var args = new List<string>();
            for (var i = 0; i < frames.Length; i++)
            {
                var path = Path.Combine(dir.FullName, $"f{i}.png");
                File.WriteAllBytes(path, frames[i]);
                args.Add(path);
            }
            args.AddRange(["-compress", "lzw"]);
            return Convert(args, "tiff", adjoin: true);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>A blank image of the given size, in the given format (png, jpg, bmp, gif, pgm, webp, tiff).</summary>
    public static byte[] Blank(int width, int height, string format) =>
        Convert(["-size", $"{width}x{height}", "xc:white", "-fill", "black", "-draw", $"rectangle 2,2 {width / 2},{height / 2}",
            // leptonica reads neither RLE-compressed BMP nor (from memory) 16-bit TIFF, which ImageMagick writes by default.
            "-depth", "8", "-compress", format is "bmp" or "tiff" ? "none" : "undefined"], format);

    /// <summary>Character error rate: edit distance between whitespace-normalised texts over the expected length.</summary>
    public static double CharacterErrorRate(string expected, string actual) => TextMetrics.CharacterErrorRate(expected, actual);

    private static byte[] Convert(IEnumerable<string> arguments, string format, bool adjoin = false)
    {
        var dir = Directory.CreateTempSubdirectory("docflow-ocr-");
        try
        {
            var output = Path.Combine(dir.FullName, "out." + format);
            var target = format == "bmp" ? "BMP3:" + output : output;
            var psi = new ProcessStartInfo("convert") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in arguments)
                psi.ArgumentList.Add(a);
            if (adjoin)
                psi.ArgumentList.Add("-adjoin");
            psi.ArgumentList.Add(target);
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start convert (ImageMagick)");
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(output))
                throw new InvalidOperationException($"convert failed ({process.ExitCode}): {stderr}");
            return File.ReadAllBytes(output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
