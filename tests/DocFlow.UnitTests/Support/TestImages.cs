using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DocFlow.UnitTests.Support;

/// <summary>Builds image files byte by byte: real small images, and headers that claim any size (nothing behind them).</summary>
public static class TestImages
{
    /// <summary>A real 8-bit grayscale PNG; <paramref name="pixel"/> gives the value at (x, y).</summary>
    public static byte[] Png(int width, int height, Func<int, int, byte>? pixel = null)
    {
        pixel ??= (x, y) => (byte)((x + y) % 2 == 0 ? 255 : 0);
        var raw = new byte[(width + 1) * height];
        for (var y = 0; y < height; y++)
        {
            raw[y * (width + 1)] = 0; // filter: none
            for (var x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = pixel(x, y);
        }
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", Ihdr(width, height));
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A PNG signature and IHDR claiming the given size, with no image data: a decompression bomb's header.</summary>
    public static byte[] PngHeader(uint width, uint height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", Ihdr(width, height));
        return png.ToArray();
    }

    private static byte[] Ihdr(long width, long height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // grayscale
        return ihdr;
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)data.Length);
        s.Write(len);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(len, System.IO.Hashing.Crc32.HashToUInt32(typeAndData));
        s.Write(len);
    }

    /// <summary>A baseline JPEG header (SOI, APP0, DQT stand-in, SOF0) claiming the given size; <paramref name="sof"/> picks the SOFn marker.</summary>
    public static byte[] JpegHeader(ushort width, ushort height, byte sof = 0xC0)
    {
        using var s = new MemoryStream();
        s.Write([0xFF, 0xD8]);
        s.Write([0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        s.Write([0xFF, 0xFE, 0x00, 0x06, (byte)'t', (byte)'e', (byte)'s', (byte)'t']); // a comment segment to skip
        s.Write([0xFF, 0xFF]); // a fill byte before the next marker
        s.Write([0xFF, sof, 0x00, 0x0B, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
        s.Write([0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0]);
        s.Write([0xFF, 0xD9]);
        return s.ToArray();
    }

    /// <summary>A TIFF with one IFD per page; SHORT or LONG size fields, either byte order. Pixel data is not included.</summary>
    public static byte[] Tiff(IReadOnlyList<(int Width, int Height)> pages, bool bigEndian = false, bool longFields = false)
    {
        var buffer = new List<byte>();
        void U16(int v) { var b = new byte[2]; if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); buffer.AddRange(b); }
        void U32(long v) { var b = new byte[4]; if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)v); buffer.AddRange(b); }
        void Entry(int tag, long value)
        {
            U16(tag);
            if (longFields) { U16(4); U32(1); U32(value); }
            else { U16(3); U32(1); U16((int)value); U16(0); }
        }

        buffer.AddRange(bigEndian ? "MM"u8.ToArray() : "II"u8.ToArray());
        U16(42);
        U32(8);
        for (var i = 0; i < pages.Count; i++)
        {
            var start = buffer.Count;
            U16(4);
            Entry(254, 2); // NewSubfileType: page of a multi-page image
            Entry(256, pages[i].Width);
            Entry(257, pages[i].Height);
            Entry(259, 1); // Compression: none
            var next = i == pages.Count - 1 ? 0 : start + 2 + 4 * 12 + 4;
            U32(next);
        }
        return [.. buffer];
    }

    public static byte[] Bmp(int width, int height, bool core = false)
    {
        var b = new byte[core ? 26 : 54];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(2), (uint)b.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(10), (uint)b.Length);
        if (core)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(14), 12);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), (ushort)width);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20), (ushort)height);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(14), 40);
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), width);
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), height);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(26), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(28), 24);
        }
        return b;
    }

    public static byte[] Gif(int width, int height, bool gif87 = false)
    {
        var b = new byte[14];
        Encoding.ASCII.GetBytes(gif87 ? "GIF87a" : "GIF89a").CopyTo(b, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), (ushort)height);
        b[13] = 0x3B; // trailer
        return b;
    }

    /// <summary>A lossy (VP8) WebP header.</summary>
    public static byte[] WebPLossy(int width, int height)
    {
        var chunk = new byte[10];
        chunk[3] = 0x9D; chunk[4] = 0x01; chunk[5] = 0x2A;
        BinaryPrimitives.WriteUInt16LittleEndian(chunk.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(chunk.AsSpan(8), (ushort)height);
        return Riff("VP8 ", chunk);
    }

    /// <summary>A lossless (VP8L) WebP header.</summary>
    public static byte[] WebPLossless(int width, int height)
    {
        var chunk = new byte[5];
        chunk[0] = 0x2F;
        var bits = (uint)(width - 1) | ((uint)(height - 1) << 14);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(1), bits);
        return Riff("VP8L", chunk);
    }

    /// <summary>An extended (VP8X) WebP header.</summary>
    public static byte[] WebPExtended(int width, int height)
    {
        var chunk = new byte[10];
        var w = width - 1; var h = height - 1;
        chunk[4] = (byte)w; chunk[5] = (byte)(w >> 8); chunk[6] = (byte)(w >> 16);
        chunk[7] = (byte)h; chunk[8] = (byte)(h >> 8); chunk[9] = (byte)(h >> 16);
        return Riff("VP8X", chunk);
    }

    private static byte[] Riff(string chunkType, byte[] chunk)
    {
        var b = new byte[20 + chunk.Length];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(b, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)(b.Length - 8));
        Encoding.ASCII.GetBytes("WEBP").CopyTo(b, 8);
        Encoding.ASCII.GetBytes(chunkType).CopyTo(b, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), (uint)chunk.Length);
        chunk.CopyTo(b, 20);
        return b;
    }
}
