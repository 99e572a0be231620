using System.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Graphics.Colors;
using UglyToad.PdfPig.Tokens;

namespace DocFlow.Engine.Pdf;

/// <summary>
/// Takes the page image out of a scanned PDF page when the page is essentially that one image, so it can
/// be OCR'd without rendering: JPEG streams as they are, Flate/raw gray, RGB and bilevel samples as PNM.
/// Anything else (JBIG2, CCITT, JPEG 2000, indexed or CMYK colour, rotated placement, several images) is
/// left to the rasteriser.
/// </summary>
internal static class PageImageExtractor
{
    /// <summary>Share of the page the image must cover to stand for the page.</summary>
    private const double FullPageCoverage = 0.85;

    /// <summary>Other images together may cover at most this share of the page (a small logo or stamp).</summary>
    private const double OtherImagesCoverage = 0.02;

    public static bool HasFullPageImage(Page page) => FindPageImage(page) is not null;

    public static EmbeddedPageImage? TryExtract(Page page, long maxPixels = long.MaxValue)
    {
        if (page.Rotation.Value != 0) return null; // pdftoppm applies /Rotate; the raw image would lie on its side
        var image = FindPageImage(page);
        if (image is null || image.IsImageMask || image.MaskImage is not null) return null;
        // Too big to decode here: pdftoppm streams the samples and down-samples them to the render budget instead.
        if ((long)image.WidthInSamples * image.HeightInSamples > maxPixels) return null;

        // Placed turned by 90 degrees (or squashed): the samples' aspect no longer matches the box on the page.
        var sampleAspect = (double)image.WidthInSamples / image.HeightInSamples;
        var boxAspect = image.BoundingBox.Width / image.BoundingBox.Height;
        if (Math.Abs(sampleAspect / boxAspect - 1) > 0.1) return null;

        var filters = Filters(image.ImageDictionary);
        if (filters is null) return null;
        var invert = image.Decode is { Count: >= 2 } d && d[0] > d[1];
        var components = Components(image.ColorSpaceDetails);

        if (filters is ["DCTDecode"] || filters is ["DCT"])
        {
            if (invert || components is not (1 or 3)) return null;
            var bytes = image.RawMemory.ToArray();
            return bytes.Length > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 ? new EmbeddedPageImage(bytes, "image/jpeg") : null;
        }

        if (filters.Any(f => f is not ("FlateDecode" or "Fl" or "LZWDecode" or "LZW" or "RunLengthDecode" or "RL" or "ASCIIHexDecode" or "AHx" or "ASCII85Decode" or "A85")))
            return null;
        if (components is not (1 or 3) || !image.TryGetBytesAsMemory(out var samples)) return null;
        return Pnm.TryEncode(samples.Span, image.WidthInSamples, image.HeightInSamples, image.BitsPerComponent, components, invert);
    }

    private static IPdfImage? FindPageImage(Page page)
    {
        var pageArea = page.CropBox.Bounds.Area;
        if (pageArea <= 0) return null;
        IPdfImage? best = null;
        double others = 0;
        foreach (var image in page.GetImages())
        {
            var coverage = Math.Abs(image.BoundingBox.Area) / pageArea;
            if (coverage >= FullPageCoverage && best is null) best = image;
            else others += coverage;
        }
        return best is not null && others <= OtherImagesCoverage ? best : null;
    }

    private static int Components(ColorSpaceDetails? details) => details?.Type switch
    {
        ColorSpace.DeviceGray or ColorSpace.CalGray => 1,
        ColorSpace.DeviceRGB or ColorSpace.CalRGB => 3,
        ColorSpace.ICCBased => details.NumberOfColorComponents,
        null => 1, // image masks and undeclared spaces: treat as gray only when decoding confirms the sizes
        _ => 0,
    };

    /// <summary>The filter names, or null when they cannot be told (an indirect reference, say).</summary>
    private static string[]? Filters(DictionaryToken dictionary)
    {
        if (!dictionary.TryGet(NameToken.Filter, out var token) && !dictionary.TryGet(NameToken.F, out token))
            return [];
        return token switch
        {
            NameToken name => [name.Data],
            ArrayToken array when array.Data.All(t => t is NameToken) => [.. array.Data.Cast<NameToken>().Select(n => n.Data)],
            _ => null,
        };
    }
}

/// <summary>Writes decoded samples as binary PNM (P4 bilevel, P5 gray, P6 RGB), which leptonica reads directly.</summary>
internal static class Pnm
{
    public static EmbeddedPageImage? TryEncode(ReadOnlySpan<byte> samples, int width, int height, int bitsPerComponent, int components, bool invert)
    {
        if (width <= 0 || height <= 0) return null;
        if (bitsPerComponent == 8 && components is 1 or 3)
        {
            var rowBytes = (long)width * components;
            if (samples.Length < rowBytes * height) return null;
            var header = Encoding.ASCII.GetBytes($"{(components == 1 ? "P5" : "P6")}\n{width} {height}\n255\n");
            var data = samples[..(int)(rowBytes * height)];
            var result = new byte[header.Length + data.Length];
            header.CopyTo(result, 0);
            data.CopyTo(result.AsSpan(header.Length));
            if (invert)
                foreach (ref var b in result.AsSpan(header.Length)) b = (byte)(255 - b);
            return new EmbeddedPageImage(result, components == 1 ? "image/x-portable-graymap" : "image/x-portable-pixmap");
        }
        if (bitsPerComponent == 1 && components == 1)
        {
            var rowBytes = (width + 7) / 8;
            if (samples.Length < (long)rowBytes * height) return null;
            var header = Encoding.ASCII.GetBytes($"P4\n{width} {height}\n");
            var result = new byte[header.Length + rowBytes * height];
            header.CopyTo(result, 0);
            samples[..(rowBytes * height)].CopyTo(result.AsSpan(header.Length));
            // In PDF DeviceGray a 1 bit is white; in PBM a 1 bit is black. Decode [1 0] flips PDF's meaning.
            if (!invert)
                foreach (ref var b in result.AsSpan(header.Length)) b = (byte)~b;
            return new EmbeddedPageImage(result, "image/x-portable-bitmap");
        }
        return null;
    }
}
