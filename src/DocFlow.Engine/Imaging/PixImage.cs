using System.Buffers.Binary;
using DocFlow.Engine.Imaging.Interop;
using DocFlow.Processing;
using static DocFlow.Engine.Imaging.Interop.LeptonicaNative;

namespace DocFlow.Engine.Imaging;

/// <summary>A decoded raster image held by leptonica (a PIX), the form Tesseract reads.</summary>
/// <remarks>Decoding goes through leptonica because Tesseract consumes its PIX directly: no copy or
/// conversion between decoder and OCR. The native pointer stays inside <see cref="LeptonicaNative"/>.</remarks>
public sealed class PixImage : IDisposable
{
    private readonly PixHandle _pix;

    private PixImage(PixHandle pix) => _pix = pix;

    /// <summary>Width in pixels.</summary>
    public int Width => pixGetWidth(Pix);

    /// <summary>Height in pixels.</summary>
    public int Height => pixGetHeight(Pix);

    /// <summary>Bits per pixel: 1, 2, 4, 8, 16 or 32 (RGB).</summary>
    public int Depth => pixGetDepth(Pix);

    /// <summary>Horizontal resolution in pixels per inch, 0 when the file does not say.</summary>
    public int XResolution => pixGetXRes(Pix);

    /// <summary>Vertical resolution in pixels per inch, 0 when the file does not say.</summary>
    public int YResolution => pixGetYRes(Pix);

    internal PixHandle Pix
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pix.IsClosed, this);
            return _pix;
        }
    }

    /// <summary>Decodes PNG, JPEG, TIFF (frame <paramref name="frame"/>), BMP, GIF, WebP, PNM/PGM.</summary>
    /// <exception cref="DocumentException">Corrupt: the bytes cannot be decoded as an image.</exception>
    public static unsafe PixImage Decode(ReadOnlySpan<byte> encoded, int frame = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        LeptonicaNative.Quiet();
        if (encoded.IsEmpty)
            throw new DocumentException(DocumentErrorCode.Corrupt, "The image is empty (0 bytes).");

        var isTiff = IsTiff(encoded);
        if (frame > 0 && !isTiff)
            throw new ArgumentOutOfRangeException(nameof(frame), frame, "Only TIFF images have more than one frame.");

        PixHandle pix;
        fixed (byte* data = encoded)
        {
            pix = isTiff
                ? pixReadMemTiff(data, (nuint)encoded.Length, frame)
                : pixReadMem(data, (nuint)encoded.Length);
        }

        if (pix.IsInvalid)
        {
            pix.Dispose();
            var what = isTiff ? $"TIFF frame {frame + 1}" : "the image";
            throw new DocumentException(DocumentErrorCode.Corrupt,
                $"Could not decode {what}: the data is damaged, truncated or not in a supported image format.");
        }

        return new PixImage(pix);
    }

    /// <summary>Number of frames (pages) of a TIFF, read from its directory chain without decoding; 1 for other formats.</summary>
    /// <exception cref="DocumentException">Corrupt: a TIFF whose directory chain is broken.</exception>
    public static int CountFrames(ReadOnlySpan<byte> encoded)
    {
        if (!IsTiff(encoded))
            return 1;

        var little = encoded[0] == (byte)'I';
        var magic = ReadUInt16(encoded, 2, little);
        if (magic == 43)
            throw new DocumentException(DocumentErrorCode.Corrupt, "BigTIFF files are not supported.");

        var count = 0;
        long offset = ReadUInt32(encoded, 4, little);
        var seen = new HashSet<long>();
        while (offset != 0)
        {
            // An IFD is a 2-byte entry count, 12-byte entries and a 4-byte offset of the next IFD.
            if (offset < 8 || offset + 2 > encoded.Length || !seen.Add(offset))
                throw new DocumentException(DocumentErrorCode.Corrupt, "The TIFF's page directory is damaged or truncated.");
            var entries = ReadUInt16(encoded, (int)offset, little);
            var next = offset + 2 + 12L * entries;
            if (next + 4 > encoded.Length)
                throw new DocumentException(DocumentErrorCode.Corrupt, "The TIFF's page directory is damaged or truncated.");
            count++;
            offset = ReadUInt32(encoded, (int)next, little);
        }

        if (count == 0)
            throw new DocumentException(DocumentErrorCode.Corrupt, "The TIFF has no pages.");
        return count;
    }

    /// <summary>A new image turned by <paramref name="quarterTurnsClockwise"/> × 90° clockwise (any integer; taken modulo 4).</summary>
    public PixImage Rotate(int quarterTurnsClockwise)
    {
        var quads = ((quarterTurnsClockwise % 4) + 4) % 4;
        return Wrap(pixRotateOrth(Pix, quads), "rotate");
    }

    /// <summary>A grey (8 bpp) copy scaled by <paramref name="factor"/> (0 &lt; factor ≤ 1), for cheap analysis.</summary>
    internal PixImage ScaledGrey(float factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(factor, 1f);
        using var grey = Wrap(pixConvertTo8(Pix, 0), "convert to grey");
        return factor == 1f ? grey.Rotate(0) : Wrap(pixScaleAreaMap(grey.Pix, factor, factor), "scale");
    }

    /// <summary>
    /// A grey (8 bpp) copy scaled by <paramref name="factor"/>: area-mapped when reducing (antialiased); when enlarging,
    /// linearly interpolated and, below 1.4×, sharpened a little (leptonica's <c>pixScale</c>: an unsharp mask that gives
    /// back the edge contrast a small interpolation step blurs). The resolution is scaled with it.
    /// </summary>
    /// <remarks>
    /// Measured against plain linear interpolation (<c>pixScaleGrayLI</c>) on the dev sets, models retrained on each OCR
    /// (docs/benchmarks.md, "Session 18"): forms soft pair F1 cross-validated 0.3224 → 0.3277 (fold seed 0) and
    /// 0.3148 → 0.3227 (seed 2), OCR token F1 0.6914 → 0.6933; receipts (few are enlarged) key F1 unchanged. Cubic
    /// filters and a stronger unsharp mask lost (session 17, "ocr17").
    /// </remarks>
    internal PixImage ScaledGreyAny(float factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        if (factor <= 1f)
            return ScaledGrey(factor);
        using var grey = Wrap(pixConvertTo8(Pix, 0), "convert to grey");
        return Wrap(pixScale(grey.Pix, factor, factor), "scale");
    }

    /// <summary>The grey level (0-255) at (<paramref name="x"/>, <paramref name="y"/>) of this 8 bpp image.</summary>
    internal int GreyAt(int x, int y)
    {
        if (Depth != 8)
            throw new InvalidOperationException("GreyAt reads 8 bpp images.");
        if (pixGetPixel(Pix, x, y, out var value) != 0)
            throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside the {Width} x {Height} image.");
        return (int)value;
    }

    /// <summary>A 1 bpp copy of this 8 bpp image: Otsu's threshold per tile of about <paramref name="tile"/> pixels, ink = 1.</summary>
    internal PixImage Binarized(int tile)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tile);
        using var grey = Depth == 8 ? Rotate(0) : Wrap(pixConvertTo8(Pix, 0), "convert to grey");
        // scorefract 0.1: the threshold may move towards the background a little, which keeps faint strokes whole.
        if (pixOtsuAdaptiveThreshold(grey.Pix, tile, tile, 0, 0, 0.1f, 0, out var binary) != 0)
        {
            binary.Dispose();
            throw new InvalidOperationException("leptonica failed to binarise the image.");
        }
        return Wrap(binary, "binarise");
    }

    /// <summary>Bounding boxes (x, y, width, height) of the 8-connected ink components of this 1 bpp image.</summary>
    internal List<(int X, int Y, int Width, int Height)> ComponentBoxes()
    {
        if (Depth != 1)
            throw new InvalidOperationException("Connected components need a 1 bpp image.");
        using var boxa = pixConnCompBB(Pix, 8);
        if (boxa.IsInvalid)
            throw new InvalidOperationException("leptonica failed to find connected components.");
        var count = boxaGetCount(boxa);
        var boxes = new List<(int, int, int, int)>(count);
        for (var i = 0; i < count; i++)
        {
            if (boxaGetBoxGeometry(boxa, i, out var x, out var y, out var w, out var h) == 0)
                boxes.Add((x, y, w, h));
        }
        return boxes;
    }

    /// <summary>Morphological opening of this 1 bpp image by a <paramref name="width"/> × <paramref name="height"/> brick: keeps only ink that contains such a brick.</summary>
    internal PixImage Opened(int width, int height) => Wrap(pixOpenBrick(0, Pix, width, height), "open");

    /// <summary>Union of this and <paramref name="other"/> (1 bpp, same size).</summary>
    internal PixImage Or(PixImage other) => Wrap(pixOr(0, Pix, other.Pix), "combine");

    /// <summary>Morphological closing of this 1 bpp image by a <paramref name="width"/> × <paramref name="height"/> brick: fills gaps narrower than the brick.</summary>
    internal PixImage Closed(int width, int height) => Wrap(pixCloseBrick(0, Pix, width, height), "close");

    /// <summary>Dilation of this 1 bpp image by a <paramref name="width"/> × <paramref name="height"/> brick.</summary>
    internal PixImage Dilated(int width, int height) => Wrap(pixDilateBrick(0, Pix, width, height), "dilate");

    /// <summary>This 1 bpp image scaled by <paramref name="factor"/> (pixels replicated or subsampled).</summary>
    internal PixImage ScaledBinary(float factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        return Wrap(pixScale(Pix, factor, factor), "scale");
    }

    /// <summary>A copy of this image with every pixel under the 1 bpp <paramref name="mask"/> (same size) set to <paramref name="value"/> (8 bpp grey).</summary>
    internal PixImage WithMaskedSet(PixImage mask, byte value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var copy = Wrap(pixCopy(0, Pix), "copy");
        if (pixSetMasked(copy.Pix, mask.Pix, value) != 0)
        {
            copy.Dispose();
            throw new InvalidOperationException("leptonica failed to paint the masked pixels.");
        }
        return copy;
    }

    /// <summary>Records the resolution (e.g. the rasterising DPI of a PDF page) for files that carry none.</summary>
    public void SetResolution(int xResolution, int yResolution)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(xResolution);
        ArgumentOutOfRangeException.ThrowIfNegative(yResolution);
        pixSetResolution(Pix, xResolution, yResolution);
    }

    /// <summary>The image as PNG, scaled down (never up) to at most <paramref name="maxWidth"/> pixels wide, for display.</summary>
    public unsafe byte[] EncodePng(int maxWidth = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxWidth);
        var factor = Width > maxWidth ? (float)maxWidth / Width : 1f;
        using var scaled = factor < 1f ? Wrap(pixScale(Pix, factor, factor), "scale") : Rotate(0);
        byte* data = null;
        nuint size = 0;
        if (pixWriteMem(&data, &size, scaled.Pix, FormatPng) != 0 || data is null)
            throw new InvalidOperationException("leptonica could not encode the image as PNG.");
        try
        {
            return new ReadOnlySpan<byte>(data, checked((int)size)).ToArray();
        }
        finally
        {
            lept_free(data);
        }
    }

    public void Dispose() => _pix.Dispose();

    private static PixImage Wrap(PixHandle pix, string operation)
    {
        if (pix.IsInvalid)
        {
            pix.Dispose();
            throw new InvalidOperationException($"leptonica failed to {operation} the image.");
        }
        return new PixImage(pix);
    }

    private static bool IsTiff(ReadOnlySpan<byte> b) =>
        b.Length >= 8 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) ||
                          (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42) ||
                          (b[0] == 'I' && b[1] == 'I' && b[2] == 43 && b[3] == 0) ||
                          (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 43));

    private static ushort ReadUInt16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);

    private static uint ReadUInt32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
}
