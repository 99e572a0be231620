using System.Diagnostics;
using DocFlow.Engine.Pdf;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;
using UglyToad.PdfPig;

namespace DocFlow.Fuzz;

/// <summary>
/// The fuzzing targets: each feeds one input to one decoder the way ingest and the engine do, treats the documented
/// refusals as a normal outcome, and lets anything else escape (afl-fuzz records an escaping exception, a process
/// death such as a stack overflow, and an input that runs past the time limit).
/// </summary>
/// <remarks>
/// The documented refusals: <see cref="DocumentException"/> everywhere. In the PDF targets also exceptions thrown
/// inside PdfPig itself (not in DocFlow's code), since <see cref="PdfSource"/> turns those into a final <c>corrupt</c>;
/// an <see cref="OutOfMemoryException"/>, a stack overflow, a hang or an exception thrown by DocFlow's own code
/// (TextLayerBuilder, PageImageExtractor, the pre-scan, the sniffers) is a finding.
/// </remarks>
public static class FuzzTargets
{
    /// <summary>The target names, as run.sh and the corpus folders (tools/fuzz/corpus/NAME) spell them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sniff", "image-headers", "pdf-preflight", "pdf-text", "pdf-image"];

    /// <summary>Pages read per PDF at most (the budget is per input; the pre-scan has already bounded the file).</summary>
    private const int MaxPages = 8;

    /// <summary>The limits the engine runs with by default.</summary>
    private static readonly EngineOptions Options = new();

    public static Action<byte[]> Get(string name) => name switch
    {
        "sniff" => Sniff,
        "image-headers" => ImageHeadersTarget,
        "pdf-preflight" => Preflight,
        "pdf-text" => PdfText,
        "pdf-image" => PdfImage,
        "selftest" => SelfTest,
        _ => throw new ArgumentException($"Unknown target '{name}'; targets: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>Not a decoder: checks the afl plumbing (run.sh min selftest ...). An input starting with "throw" throws,
    /// "overflow" overflows the stack, "hang" never ends; anything else passes.</summary>
    public static void SelfTest(byte[] input)
    {
        var text = System.Text.Encoding.ASCII.GetString(input);
        if (text.StartsWith("throw", StringComparison.Ordinal)) throw new InvalidOperationException("selftest: throw");
        if (text.StartsWith("overflow", StringComparison.Ordinal)) Recurse(input.Length);
        if (text.StartsWith("hang", StringComparison.Ordinal)) Thread.Sleep(Timeout.Infinite);
    }

    private static int Recurse(int n) => n == int.MinValue ? 0 : Recurse(n + 1) + 1;

    /// <summary>FileSniffer never throws: every byte sequence is some kind (maybe unsupported).</summary>
    public static void Sniff(byte[] input)
    {
        var result = FileSniffer.Sniff(input);
        if (result.MimeType.Length == 0 || result.Description.Length == 0)
            throw new InvalidOperationException("FileSniffer returned an empty media type or description.");
        _ = InputInspector.UnsupportedMessage(result);
    }

    /// <summary>The image header readers for the sniffed type (as ingest calls them), and the GIF block walk.</summary>
    public static void ImageHeadersTarget(byte[] input)
    {
        var sniff = FileSniffer.Sniff(input);
        if (sniff.Kind != InputKind.Image) return;
        try
        {
            var frames = ImageHeaders.ReadFrames(input, sniff.MimeType, Options.MaxPages);
            if (frames.Count == 0 || frames.Any(f => f.Width <= 0 || f.Height <= 0))
                throw new InvalidOperationException($"ImageHeaders returned an impossible frame list ({frames.Count} frames).");
            if (sniff.MimeType == "image/gif")
            {
                var gif = ImageHeaders.ReadGif(input, Options.Limits.MaxGifFrames);
                if (gif.Frames < 0 || gif.TotalPixels < 0)
                    throw new InvalidOperationException("ReadGif returned negative counts.");
            }
        }
        catch (DocumentException)
        {
            // a refusal: the documented outcome for a damaged header
        }
    }

    /// <summary>The bounded pre-scan alone.</summary>
    public static void Preflight(byte[] input)
    {
        try
        {
            PdfPreflight.Check(input, Options.Limits);
        }
        catch (DocumentException)
        {
        }
    }

    /// <summary>What ingest and the engine do with a PDF: pre-scan, open with PdfPig, read each page's text layer
    /// (TextLayerBuilder) or its page image, as <see cref="PdfSource.ReadPage"/> does.</summary>
    public static void PdfText(byte[] input)
    {
        if (!PassesPreflight(input)) return;
        try
        {
            using var pdf = PdfSource.Open(input);
            pdf.MaxExtractedImagePixels = Options.Limits.MaxRenderPixels;
            for (var page = 1; page <= Math.Min(pdf.PageCount, MaxPages); page++)
                _ = pdf.ReadPage(page);
        }
        catch (DocumentException)
        {
        }
    }

    /// <summary>Page-image extraction on each page PdfPig opens (after the pre-scan), with PdfPig's own failures
    /// treated as the <c>corrupt</c> refusal PdfSource makes of them, and DocFlow's own failures as findings.</summary>
    public static void PdfImage(byte[] input)
    {
        if (!PassesPreflight(input)) return;
        PdfDocument document;
        try
        {
            document = PdfDocument.Open(input, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
        }
        catch (Exception e) when (IsRefusal(e))
        {
            return;
        }
        using (document)
        {
            int pages;
            try
            {
                pages = document.NumberOfPages;
            }
            catch (Exception e) when (IsRefusal(e))
            {
                return;
            }
            for (var n = 1; n <= Math.Min(pages, MaxPages); n++)
            {
                try
                {
                    var page = document.GetPage(n);
                    var image = PageImageExtractor.TryExtract(page, Options.Limits.MaxRenderPixels);
                    if (image is { Bytes.Length: 0 })
                        throw new InvalidOperationException($"PageImageExtractor returned an empty {image.MimeType} for page {n}.");
                }
                catch (Exception e) when (IsRefusal(e))
                {
                }
            }
        }
    }

    private static bool PassesPreflight(byte[] input)
    {
        if (FileSniffer.Sniff(input).Kind != InputKind.Pdf) return false;
        try
        {
            PdfPreflight.Check(input, Options.Limits);
            return true;
        }
        catch (DocumentException)
        {
            return false;
        }
    }

    /// <summary>A documented refusal: a DocumentException, or an ordinary exception thrown inside PdfPig (PdfSource wraps
    /// those as <c>corrupt</c>). Out-of-memory and any exception thrown from DocFlow's own code are findings.</summary>
    public static bool IsRefusal(Exception e)
    {
        if (e is DocumentException) return true;
        if (e is OutOfMemoryException or InsufficientExecutionStackException) return false;
        return ThrownIn(e) is { } ns && ns.StartsWith("UglyToad.PdfPig", StringComparison.Ordinal);
    }

    /// <summary>The namespace of the innermost frame outside the base library (System.*), where the fault lies.</summary>
    private static string? ThrownIn(Exception e)
    {
        foreach (var frame in new StackTrace(e, false).GetFrames())
        {
            var ns = frame.GetMethod()?.DeclaringType?.Namespace;
            // The runtime's own frames (System.*, Microsoft.*, Internal.Runtime.* throw helpers: an IndexOutOfRangeException
            // inside PdfPig starts in Internal.Runtime.CompilerHelpers.ThrowHelpers) are not where the fault is.
            if (ns is null || ns.StartsWith("System", StringComparison.Ordinal) || ns.StartsWith("Microsoft", StringComparison.Ordinal) ||
                ns.StartsWith("Internal.", StringComparison.Ordinal)) continue;
            return ns;
        }
        return null;
    }
}
