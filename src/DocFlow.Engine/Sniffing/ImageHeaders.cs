using System.Buffers.Binary;
using DocFlow.Processing;

namespace DocFlow.Engine.Sniffing;

/// <summary>The pixel size of one frame (page) of an image.</summary>
public readonly record struct ImageFrameSize(int Width, int Height)
{
    public long Pixels => (long)Width * Height;
}

/// <summary>
/// Reads frame sizes from image headers without decoding a single pixel, so page and pixel limits
/// are enforced before a decompression bomb can allocate anything.
/// </summary>
public static class ImageHeaders
{
    /// <summary>The size of every frame: one for most formats, one per page (IFD) for TIFF.</summary>
    /// <param name="content">The whole file.</param>
    /// <param name="mimeType">The sniffed type (<see cref="FileSniffer"/>).</param>
    /// <param name="maxFrames">Stop reading after this many frames plus one (enough to tell the page limit was passed).</param>
    /// <exception cref="DocumentException">Corrupt when a header is truncated or garbled.</exception>
    public static IReadOnlyList<ImageFrameSize> ReadFrames(ReadOnlySpan<byte> content, string mimeType, int maxFrames = int.MaxValue)
    {
        try
        {
            return mimeType switch
            {
                "image/png" => [Png(content)],
                "image/jpeg" => [Jpeg(content)],
                "image/tiff" => Tiff(content, maxFrames),
                "image/bmp" => [Bmp(content)],
                "image/gif" => [Gif(content)],
                "image/webp" => [WebP(content)],
                _ => throw new ArgumentException($"Not a supported image type: {mimeType}", nameof(mimeType)),
            };
        }
        catch (HeaderException e)
        {
            throw new DocumentException(DocumentErrorCode.Corrupt,
                $"The {Name(mimeType)} image is damaged: {e.Message}. Export or scan it again and resubmit.")
            { MimeType = mimeType };
        }
    }

    private static string Name(string mimeType) => mimeType switch
    {
        "image/png" => "PNG",
        "image/jpeg" => "JPEG",
        "image/tiff" => "TIFF",
        "image/bmp" => "BMP",
        "image/gif" => "GIF",
        "image/webp" => "WebP",
        _ => mimeType,
    };

    /// <summary>Internal signal for a bad header; turned into a Corrupt DocumentException with the format's name.</summary>
    private sealed class HeaderException(string message) : Exception(message);

    private static void Need(ReadOnlySpan<byte> c, long end, string what)
    {
        if (end > c.Length) throw new HeaderException($"the file ends inside the {what}");
    }

    private static ImageFrameSize Checked(long width, long height, string what)
    {
        if (width <= 0 || height <= 0 || width > int.MaxValue || height > int.MaxValue)
            throw new HeaderException($"the {what} gives an impossible size of {width} x {height} pixels");
        return new ImageFrameSize((int)width, (int)height);
    }

    private static ImageFrameSize Png(ReadOnlySpan<byte> c)
    {
        Need(c, 24, "IHDR header");
        if (!c.Slice(12, 4).SequenceEqual("IHDR"u8))
            throw new HeaderException("the first chunk is not IHDR");
        return Checked(BinaryPrimitives.ReadUInt32BigEndian(c[16..]), BinaryPrimitives.ReadUInt32BigEndian(c[20..]), "IHDR header");
    }

    private static ImageFrameSize Jpeg(ReadOnlySpan<byte> c)
    {
        var i = 2;
        while (true)
        {
            Need(c, i + 2, "marker list");
            if (c[i] != 0xFF) throw new HeaderException($"expected a marker at byte {i}");
            while (c[i + 1] == 0xFF) { i++; Need(c, i + 2, "marker list"); } // fill bytes
            var marker = c[i + 1];
            i += 2;
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue; // standalone markers
            if (marker is 0xD9 or 0xDA) throw new HeaderException("no frame header (SOF) before the image data");
            Need(c, i + 2, "marker segment");
            int length = BinaryPrimitives.ReadUInt16BigEndian(c[i..]);
            if (length < 2) throw new HeaderException($"a marker segment has an invalid length {length}");
            if (marker is (>= 0xC0 and <= 0xC3) or (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF))
            {
                Need(c, i + 7, "frame header (SOF)");
                int height = BinaryPrimitives.ReadUInt16BigEndian(c[(i + 3)..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(c[(i + 5)..]);
                return Checked(width, height, "frame header (SOF)");
            }
            i += length;
        }
    }

    private static IReadOnlyList<ImageFrameSize> Tiff(ReadOnlySpan<byte> c, int maxFrames)
    {
        Need(c, 8, "TIFF header");
        var little = c[0] == 'I';
        static uint U16(ReadOnlySpan<byte> c, bool little, int at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(c[at..]) : BinaryPrimitives.ReadUInt16BigEndian(c[at..]);
        static uint U32(ReadOnlySpan<byte> c, bool little, int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(c[at..]) : BinaryPrimitives.ReadUInt32BigEndian(c[at..]);

        var frames = new List<ImageFrameSize>();
        var seen = new HashSet<uint>();
        var offset = U32(c, little, 4);
        while (offset != 0)
        {
            if (!seen.Add(offset)) throw new HeaderException("the page directory (IFD) chain loops back on itself");
            var at = (int)Math.Min(offset, int.MaxValue - 16);
            Need(c, (long)at + 2, $"directory of page {frames.Count + 1}");
            var count = (int)U16(c, little, at);
            Need(c, (long)at + 2 + count * 12L + 4, $"directory of page {frames.Count + 1}");
            long width = -1, height = -1;
            for (var e = 0; e < count; e++)
            {
                var entry = at + 2 + e * 12;
                var tag = U16(c, little, entry);
                if (tag is not (256 or 257)) continue;
                var type = U16(c, little, entry + 2);
                long value = type switch
                {
                    3 => U16(c, little, entry + 8), // SHORT, left-justified in the value field
                    4 => U32(c, little, entry + 8), // LONG
                    _ => throw new HeaderException($"page {frames.Count + 1} stores its {(tag == 256 ? "width" : "height")} with field type {type}"),
                };
                if (tag == 256) width = value; else height = value;
            }
            if (width < 0 || height < 0)
                throw new HeaderException($"page {frames.Count + 1} has no {(width < 0 ? "ImageWidth" : "ImageLength")} tag");
            frames.Add(Checked(width, height, $"directory of page {frames.Count + 1}"));
            if (frames.Count > maxFrames) break;
            offset = U32(c, little, at + 2 + count * 12);
        }
        if (frames.Count == 0) throw new HeaderException("it has no pages");
        return frames;
    }

    private static ImageFrameSize Bmp(ReadOnlySpan<byte> c)
    {
        Need(c, 18, "BMP header");
        var dibSize = BinaryPrimitives.ReadUInt32LittleEndian(c[14..]);
        if (dibSize == 12)
        {
            Need(c, 26, "BMP core header");
            return Checked(BinaryPrimitives.ReadUInt16LittleEndian(c[18..]), BinaryPrimitives.ReadUInt16LittleEndian(c[20..]), "BMP header");
        }
        Need(c, 26, "BMP info header");
        long width = BinaryPrimitives.ReadInt32LittleEndian(c[18..]);
        long height = BinaryPrimitives.ReadInt32LittleEndian(c[22..]);
        return Checked(width, Math.Abs(height), "BMP info header"); // negative height = top-down rows
    }

    /// <summary>What a GIF holds: giflib (under leptonica) reads every frame, each at its own size, whatever the logical screen says.</summary>
    /// <param name="Canvas">The largest width and height of the logical screen and of any frame.</param>
    /// <param name="Frames">The image descriptors read (stops after <c>maxFrames + 1</c>).</param>
    /// <param name="TotalPixels">The pixels of all frames read together.</param>
    public readonly record struct GifInfo(ImageFrameSize Canvas, int Frames, long TotalPixels);

    /// <summary>Walks a GIF's blocks (image descriptors and extensions, skipping the LZW data by its sub-block lengths).</summary>
    /// <exception cref="DocumentException">Corrupt when the header is truncated or garbled.</exception>
    public static GifInfo ReadGif(ReadOnlySpan<byte> content, int maxFrames = int.MaxValue)
    {
        try
        {
            return GifBlocks(content, maxFrames);
        }
        catch (HeaderException e)
        {
            throw new DocumentException(DocumentErrorCode.Corrupt,
                $"The GIF image is damaged: {e.Message}. Export or scan it again and resubmit.")
            { MimeType = "image/gif" };
        }
    }

    private static ImageFrameSize Gif(ReadOnlySpan<byte> c) => GifBlocks(c, int.MaxValue).Canvas;

    private static GifInfo GifBlocks(ReadOnlySpan<byte> c, int maxFrames)
    {
        Need(c, 13, "logical screen descriptor");
        long width = BinaryPrimitives.ReadUInt16LittleEndian(c[6..]);
        long height = BinaryPrimitives.ReadUInt16LittleEndian(c[8..]);
        var packed = c[10];
        long at = 13;
        if ((packed & 0x80) != 0) at += 3L << ((packed & 0x07) + 1);
        var frames = 0;
        long total = 0;
        while (at < c.Length && frames <= maxFrames)
        {
            var block = c[(int)at];
            if (block == 0x3B) break; // trailer
            if (block == 0x2C)
            {
                Need(c, at + 10, $"image descriptor of frame {frames + 1}");
                long w = BinaryPrimitives.ReadUInt16LittleEndian(c[(int)(at + 5)..]);
                long h = BinaryPrimitives.ReadUInt16LittleEndian(c[(int)(at + 7)..]);
                var local = c[(int)(at + 9)];
                frames++;
                total += w * h;
                width = Math.Max(width, w);
                height = Math.Max(height, h);
                at += 10;
                if ((local & 0x80) != 0) at += 3L << ((local & 0x07) + 1);
                at += 1; // LZW minimum code size
                at = SkipSubBlocks(c, at);
            }
            else if (block == 0x21)
            {
                at = SkipSubBlocks(c, at + 2);
            }
            else
            {
                break; // garbage after the last frame: giflib stops there too
            }
        }
        if (frames == 0 && at >= c.Length) throw new HeaderException("the file ends before the first image");
        return new GifInfo(Checked(width, height, "image descriptors"), frames, total);
    }

    private static long SkipSubBlocks(ReadOnlySpan<byte> c, long at)
    {
        while (at < c.Length)
        {
            var size = c[(int)at];
            at += 1 + size;
            if (size == 0) return at;
        }
        return at;
    }

    private static ImageFrameSize WebP(ReadOnlySpan<byte> c)
    {
        Need(c, 20, "WebP header");
        var chunk = c.Slice(12, 4);
        if (chunk.SequenceEqual("VP8 "u8))
        {
            Need(c, 30, "VP8 frame header");
            if (c[23] != 0x9D || c[24] != 0x01 || c[25] != 0x2A) throw new HeaderException("the VP8 start code is missing");
            return Checked(BinaryPrimitives.ReadUInt16LittleEndian(c[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(c[28..]) & 0x3FFF, "VP8 frame header");
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            Need(c, 25, "VP8L header");
            if (c[20] != 0x2F) throw new HeaderException("the VP8L signature is missing");
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(c[21..]);
            return Checked((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, "VP8L header");
        }
        if (chunk.SequenceEqual("VP8X"u8))
        {
            Need(c, 30, "VP8X header");
            long width = 1 + (c[24] | (c[25] << 8) | (c[26] << 16));
            long height = 1 + (c[27] | (c[28] << 8) | (c[29] << 16));
            return Checked(width, height, "VP8X header");
        }
        throw new HeaderException($"the first chunk '{System.Text.Encoding.ASCII.GetString(chunk)}' is not VP8, VP8L or VP8X");
    }
}
