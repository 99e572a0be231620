using System.Buffers.Binary;

namespace DocFlow.Samples;

/// <summary>Writes a multi-page baseline TIFF: 1 bit per pixel, WhiteIsZero, PackBits, one strip per page.</summary>
internal static class Tiff
{
    public static byte[] WriteBilevel(IReadOnlyList<GrayImage> pages, int dpi, byte threshold = 140)
    {
        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        w.Write("II"u8);
        w.Write((ushort)42);
        w.Write(0u); // offset of the first IFD, patched below
        var previousNextPointer = 4L;

        for (var p = 0; p < pages.Count; p++)
        {
            var img = pages[p];
            var strip = PackRows(img, threshold);
            var stripOffset = ms.Position;
            w.Write(strip);
            if ((ms.Position & 1) != 0)
            {
                w.Write((byte)0);
            }
            var resOffset = ms.Position;
            w.Write((uint)dpi); w.Write(1u); // XResolution
            w.Write((uint)dpi); w.Write(1u); // YResolution

            var ifdOffset = ms.Position;
            Patch(ms, previousNextPointer, (uint)ifdOffset);
            var entries = new List<(ushort Tag, ushort Type, uint Count, uint Value)>
            {
                (254, 4, 1, 2),                      // NewSubfileType: page of a multi-page image
                (256, 4, 1, (uint)img.Width),        // ImageWidth
                (257, 4, 1, (uint)img.Height),       // ImageLength
                (258, 3, 1, 1),                      // BitsPerSample
                (259, 3, 1, 32773),                  // Compression: PackBits
                (262, 3, 1, 0),                      // PhotometricInterpretation: WhiteIsZero
                (273, 4, 1, (uint)stripOffset),      // StripOffsets
                (277, 3, 1, 1),                      // SamplesPerPixel
                (278, 4, 1, (uint)img.Height),       // RowsPerStrip
                (279, 4, 1, (uint)strip.Length),     // StripByteCounts
                (282, 5, 1, (uint)resOffset),        // XResolution
                (283, 5, 1, (uint)resOffset + 8),    // YResolution
                (296, 3, 1, 2),                      // ResolutionUnit: inch
                (297, 3, 2, (uint)p | ((uint)pages.Count << 16)), // PageNumber: page, total
            };
            w.Write((ushort)entries.Count);
            foreach (var (tag, type, count, value) in entries)
            {
                w.Write(tag);
                w.Write(type);
                w.Write(count);
                w.Write(value); // SHORT values sit left-justified in the 4 bytes (little-endian: low half)
            }
            previousNextPointer = ms.Position;
            w.Write(0u);
        }
        w.Flush();
        return ms.ToArray();
    }

    private static void Patch(MemoryStream ms, long at, uint value)
    {
        var buf = ms.GetBuffer();
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan((int)at), value);
    }

    private static byte[] PackRows(GrayImage img, byte threshold)
    {
        var rowBytes = (img.Width + 7) / 8;
        var row = new byte[rowBytes];
        using var ms = new MemoryStream();
        for (var y = 0; y < img.Height; y++)
        {
            Array.Clear(row);
            var src = y * img.Width;
            for (var x = 0; x < img.Width; x++)
            {
                if (img.Pixels[src + x] < threshold)
                {
                    row[x >> 3] |= (byte)(0x80 >> (x & 7));
                }
            }
            PackBits(row, ms);
        }
        return ms.ToArray();
    }

    /// <summary>Apple PackBits, one row at a time (TIFF compression 32773).</summary>
    internal static void PackBits(ReadOnlySpan<byte> data, Stream output)
    {
        var i = 0;
        while (i < data.Length)
        {
            // Run of identical bytes?
            var run = 1;
            while (i + run < data.Length && run < 128 && data[i + run] == data[i])
            {
                run++;
            }
            if (run >= 2)
            {
                output.WriteByte((byte)(257 - run));
                output.WriteByte(data[i]);
                i += run;
                continue;
            }
            // Literal run until the next repeat of 2+ identical bytes.
            var start = i;
            var len = 0;
            while (i < data.Length && len < 128 && !(i + 1 < data.Length && data[i] == data[i + 1]))
            {
                i++;
                len++;
            }
            output.WriteByte((byte)(len - 1));
            output.Write(data.Slice(start, len));
        }
    }
}
