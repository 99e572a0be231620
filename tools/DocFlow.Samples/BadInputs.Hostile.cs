using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace DocFlow.Samples;

/// <summary>
/// Hostile inputs built the way an attacker would (issue 12): files of a few kilobytes that make a naive PDF reader,
/// rasteriser or image decoder recurse, loop or allocate gigabytes. Each is a well-formed file, small on disk.
/// </summary>
public static partial class BadInputs
{
    /// <summary>A one-page PDF whose colour space uses a Type 4 (PostScript) function nested <paramref name="depth"/> levels deep
    /// (20,000 overflow PdfPig's stack, which kills the process). About 2 bytes per level; Flate-compressed when asked.</summary>
    public static byte[] NestedFunctionPdf(int depth = 20_000, bool compress = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        var code = new StringBuilder(depth * 2 + 8);
        code.Append('{', depth).Append(" 1 ").Append('}', depth);
        var function = Encoding.ASCII.GetBytes(code.ToString());
        return RawPdf.Build(
            RawPdf.Catalog(),
            RawPdf.Pages(3),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /ColorSpace << /CS0 [/Separation /Spot /DeviceRGB 5 0 R] >> >> /Contents 4 0 R >>", null),
            ("<< >>", "/CS0 cs 1 scn 100 100 200 200 re f"u8.ToArray()),
            (compress ? "<< /FunctionType 4 /Domain [0 1] /Range [0 1 0 1 0 1] /Filter /FlateDecode >>" : "<< /FunctionType 4 /Domain [0 1] /Range [0 1 0 1 0 1] >>",
                compress ? Deflate(function) : function));
    }

    /// <summary>A page of <paramref name="points"/> × <paramref name="points"/> points with nothing on it (455 bytes for 10,000 pt:
    /// at 300 dpi that is 41,667² pixels).</summary>
    public static byte[] HugeMediaBoxPdf(int points = 10_000) =>
        RawPdf.Build(
            RawPdf.Catalog(),
            RawPdf.Pages(3),
            (string.Create(CultureInfo.InvariantCulture, $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {points} {points}] /Contents 4 0 R >>"), null),
            ("<< >>", []));

    /// <summary>Form XObjects that each draw the next one twice, <paramref name="levels"/> deep: 2^levels paints from a few KB.</summary>
    /// <param name="hexEncoded">The forms' content streams under ASCIIHexDecode (a filter a scanner may not bother to decode).</param>
    /// <param name="pageDraws">How often the page's content draws the first form.</param>
    public static byte[] XObjectFanOutPdf(int levels = 40, int drawsPerLevel = 2, bool hexEncoded = false, int pageDraws = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(levels);
        var objects = new List<(string, byte[]?)>
        {
            RawPdf.Catalog(),
            RawPdf.Pages(3),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /X 5 0 R >> >> /Contents 4 0 R >>", null),
            ("<< /Filter /FlateDecode >>", Deflate(Encoding.ASCII.GetBytes(string.Join('\n', Enumerable.Repeat("/X Do", pageDraws))))),
        };
        var draw = string.Join(' ', Enumerable.Repeat("/X Do", drawsPerLevel));
        for (var level = 0; level < levels; level++)
        {
            var number = 5 + level;
            var last = level == levels - 1;
            var filter = hexEncoded ? " /Filter /ASCIIHexDecode" : "";
            var content = Encoding.ASCII.GetBytes(last ? "0 0 10 10 re f" : draw);
            objects.Add((last
                ? $"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792]{filter} >>"
                : string.Create(CultureInfo.InvariantCulture, $"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792]{filter} /Resources << /XObject << /X {number + 1} 0 R >> >> >>"),
                hexEncoded ? Encoding.ASCII.GetBytes(Convert.ToHexString(content) + ">") : content));
        }
        return RawPdf.Build([.. objects]);
    }

    /// <summary>A form XObject that draws itself (a loop, not a fan-out).</summary>
    public static byte[] XObjectLoopPdf() =>
        RawPdf.Build(
            RawPdf.Catalog(),
            RawPdf.Pages(3),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /X 5 0 R >> >> /Contents 4 0 R >>", null),
            ("<< >>", "/X Do"u8.ToArray()),
            ("<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X 5 0 R >> >> >>", "0 0 10 10 re f /X Do"u8.ToArray()));

    /// <summary>
    /// A one-page PDF whose page is one full-page image of <paramref name="width"/> × <paramref name="height"/> pixels, all white,
    /// Flate-compressed (a 20000² 8-bit image, 400 megapixels, is about 400 KB; 35000² at 1 bit, the classic bomb, about 150 KB).
    /// The samples are real: a reader that ignores the declared size and decodes them allocates the full amount.
    /// </summary>
    public static byte[] EmbeddedImagePdf(int width = 20_000, int height = 20_000, int bitsPerComponent = 8)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var rowBytes = ((long)width * bitsPerComponent + 7) / 8;
        const byte fill = 0xFF; // white in DeviceGray, at 1 or 8 bits
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
        {
            var chunk = new byte[1 << 20];
            Array.Fill(chunk, fill);
            for (var left = rowBytes * height; left > 0; left -= chunk.Length)
                zs.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }
        return RawPdf.Build(
            RawPdf.Catalog(),
            RawPdf.Pages(3),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>", null),
            ("<< >>", "q 612 0 0 792 0 0 cm /Im0 Do Q"u8.ToArray()),
            (string.Create(CultureInfo.InvariantCulture,
                $"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent {bitsPerComponent} /Filter /FlateDecode >>"),
                z.ToArray()));
    }

    /// <summary>A PDF whose catalog holds arrays nested <paramref name="depth"/> levels deep.</summary>
    public static byte[] DeepNestingPdf(int depth = 100_000) =>
        RawPdf.Build(
            ("<< /Type /Catalog /Pages 2 0 R /Deep " + new string('[', depth) + new string(']', depth) + " >>", null),
            RawPdf.Pages(3),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", null));

    /// <summary>Arrays nested <paramref name="depth"/> deep inside an object stream (compressed, so invisible to a scan of the raw bytes).</summary>
    public static byte[] DeepNestingInObjectStreamPdf(int depth = 100_000)
    {
        var inner = Encoding.ASCII.GetBytes("6 0 << /Deep " + new string('[', depth) + new string(']', depth) + " >>");
        return RawPdf.Build(
            ("<< /Type /Catalog /Pages 2 0 R /Extra 6 0 R >>", null),
            RawPdf.Pages(3),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", null),
            ("<< >>", []),
            ("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>", Deflate(inner)));
    }

    /// <summary>A page tree whose root lists itself among its kids (a loop a naive reader follows forever).</summary>
    public static byte[] PageTreeLoopPdf() =>
        RawPdf.Build(
            RawPdf.Catalog(),
            ("<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", null),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", null));

    /// <summary>A page whose content stream inflates to <paramref name="decompressedBytes"/> of spaces (a deflate bomb, ~1/1000 of it on disk).</summary>
    public static byte[] DeflateBombPdf(long decompressedBytes = 512L * 1024 * 1024)
    {
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
        {
            var chunk = new byte[1 << 20];
            Array.Fill(chunk, (byte)' ');
            for (var left = decompressedBytes; left > 0; left -= chunk.Length)
                zs.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }
        return RawPdf.Build(
            RawPdf.Catalog(),
            RawPdf.Pages(3),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>", null),
            ("<< /Filter /FlateDecode >>", z.ToArray()));
    }

    /// <summary>A GIF whose logical screen is <paramref name="screenSide"/>² but whose one frame is <paramref name="frameSide"/>²
    /// (giflib allocates the frame: 30000² is 900 MB); a few dozen bytes.</summary>
    public static byte[] GifLogicalScreenBypass(int frameSide = 30_000, int screenSide = 1) =>
        Gif(screenSide, Enumerable.Repeat(frameSide, 1));

    /// <summary>A GIF of <paramref name="frames"/> frames of <paramref name="side"/>² pixels each.</summary>
    public static byte[] GifWithFrames(int frames = 1_000, int side = 8) => Gif(side, Enumerable.Repeat(side, frames));

    private static byte[] Gif(int screenSide, IEnumerable<int> frameSides)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange(U16(screenSide));
        gif.AddRange(U16(screenSide));
        gif.AddRange([0x80, 0, 0]);                   // global colour table of 2 entries, background 0, no aspect
        gif.AddRange([0, 0, 0, 0xFF, 0xFF, 0xFF]);    // black, white
        foreach (var side in frameSides)
        {
            gif.Add(0x2C);
            gif.AddRange([0, 0, 0, 0]);               // left, top
            gif.AddRange(U16(side));
            gif.AddRange(U16(side));
            gif.Add(0);                               // no local colour table, not interlaced
            gif.Add(2);                               // LZW minimum code size
            gif.AddRange([1, 0x2C, 0]);               // one sub-block: clear (4) and end (5) as 3-bit codes; terminator
        }
        gif.Add(0x3B);
        return [.. gif];
    }

    /// <summary>A real, all-white 8-bit greyscale PNG of any size (ImageMagick's policy refuses widths over 16,000 or so).</summary>
    public static byte[] BlankPng(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8; // bit depth; colour type 0 (grey), no interlace
        var row = new byte[1 + width];
        Array.Fill(row, (byte)0xFF, 1, width); // filter byte 0, then white
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
            for (var y = 0; y < height; y++) zs.Write(row);
        return [.. Png.Signature, .. Png.Chunk("IHDR", ihdr), .. Png.Chunk("IDAT", z.ToArray()), .. Png.Chunk("IEND", [])];
    }

    private static byte[] U16(int value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
        return b;
    }

    private static byte[] Deflate(byte[] data)
    {
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
            zs.Write(data);
        return z.ToArray();
    }

    /// <summary>Writes a classic PDF (header, numbered objects, xref table, trailer) from dictionaries and optional stream data.</summary>
    private static class RawPdf
    {
        public static (string, byte[]?) Catalog() => ("<< /Type /Catalog /Pages 2 0 R >>", null);

        public static (string, byte[]?) Pages(int firstPage) =>
            (string.Create(CultureInfo.InvariantCulture, $"<< /Type /Pages /Kids [{firstPage} 0 R] /Count 1 >>"), null);

        /// <summary>Object i+1 is <paramref name="objects"/>[i]; a stream's /Length is added to its dictionary.</summary>
        public static byte[] Build(params (string Dictionary, byte[]? Stream)[] objects)
        {
            using var pdf = new MemoryStream();
            void Write(string s) => pdf.Write(Encoding.Latin1.GetBytes(s));
            Write("%PDF-1.7\n%\u00E2\u00E3\u00CF\u00D3\n");
            var offsets = new long[objects.Length];
            for (var i = 0; i < objects.Length; i++)
            {
                offsets[i] = pdf.Position;
                var (dictionary, stream) = objects[i];
                Write(string.Create(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n"));
                if (stream is null)
                {
                    Write(dictionary);
                }
                else
                {
                    var close = dictionary.LastIndexOf(">>", StringComparison.Ordinal);
                    Write(string.Create(CultureInfo.InvariantCulture, $"{dictionary[..close].TrimEnd()} /Length {stream.Length} >>\nstream\n"));
                    pdf.Write(stream);
                    Write("\nendstream");
                }
                Write("\nendobj\n");
            }
            var xref = pdf.Position;
            Write(string.Create(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n"));
            foreach (var offset in offsets)
                Write(string.Create(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n"));
            Write(string.Create(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"));
            return pdf.ToArray();
        }
    }
}
