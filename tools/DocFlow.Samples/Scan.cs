using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace DocFlow.Samples;

/// <summary>A greyscale raster, one byte per pixel, 0 = black.</summary>
internal sealed record GrayImage(int Width, int Height, byte[] Pixels);

/// <summary>How much "scanner" to apply to a rendered page.</summary>
internal sealed record ScanStyle(
    double SkewDegrees,
    bool Blur = true,
    int PaperBase = 242,
    int PaperVariation = 8,
    double SpecklesPerMegapixel = 30,
    byte Ink = 28);

/// <summary>Renders <see cref="PageLayout"/>s with SkiaSharp and makes them look scanned.</summary>
internal static class Scan
{
    public static GrayImage Render(PageLayout page, int dpi, ScanStyle style, Random rng)
    {
        var s = dpi / 72.0;
        var w = (int)Math.Round(page.Width * s);
        var h = (int)Math.Round(page.Height * s);
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            canvas.Translate(w / 2f, h / 2f);
            canvas.RotateDegrees((float)style.SkewDegrees);
            canvas.Translate(-w / 2f, -h / 2f);
            canvas.Scale((float)s);
            Draw(canvas, page, new SKColor(style.Ink, style.Ink, style.Ink));
        }

        var rgba = bitmap.GetPixelSpan();
        var gray = new byte[w * h];
        for (var i = 0; i < gray.Length; i++)
        {
            // Text is drawn in grey on white, so the red channel is the luminance.
            gray[i] = rgba[i * 4];
        }
        if (style.Blur)
        {
            gray = Blur121(gray, w, h);
        }
        ApplyPaper(gray, w, h, style, rng);
        AddSpeckles(gray, w, h, style.SpecklesPerMegapixel, rng);
        return new GrayImage(w, h, gray);
    }

    private static void Draw(SKCanvas canvas, PageLayout page, SKColor ink)
    {
        using var fill = new SKPaint { Color = ink, IsAntialias = true, Style = SKPaintStyle.Fill };
        using var stroke = new SKPaint { Color = ink, IsAntialias = true, Style = SKPaintStyle.Stroke };
        foreach (var op in page.Ops)
        {
            switch (op)
            {
                case TextOp t:
                    using (var font = new SKFont(Fonts.Typeface(t.Face), (float)t.Size) { Edging = SKFontEdging.Antialias, Subpixel = true })
                    {
                        var align = t.Align switch { Align.Right => SKTextAlign.Right, Align.Center => SKTextAlign.Center, _ => SKTextAlign.Left };
                        canvas.DrawText(t.Text, (float)t.X, (float)t.Y, align, font, fill);
                    }
                    break;
                case LineOp l:
                    stroke.StrokeWidth = (float)l.Width;
                    canvas.DrawLine((float)l.X1, (float)l.Y1, (float)l.X2, (float)l.Y2, stroke);
                    break;
                case BoxOp b:
                    stroke.StrokeWidth = 0.9f;
                    canvas.DrawRect((float)b.X, (float)b.Y, (float)b.Size, (float)b.Size, stroke);
                    if (b.Checked)
                    {
                        var inset = (float)(b.Size * 0.2);
                        stroke.StrokeWidth = 1.3f;
                        canvas.DrawLine((float)b.X + inset, (float)b.Y + inset, (float)(b.X + b.Size) - inset, (float)(b.Y + b.Size) - inset, stroke);
                        canvas.DrawLine((float)(b.X + b.Size) - inset, (float)b.Y + inset, (float)b.X + inset, (float)(b.Y + b.Size) - inset, stroke);
                    }
                    break;
            }
        }
    }

    /// <summary>Separable [1 2 1]/4 blur: the slight softness of a scanner's optics.</summary>
    private static byte[] Blur121(byte[] src, int w, int h)
    {
        var tmp = new byte[src.Length];
        for (var y = 0; y < h; y++)
        {
            var row = y * w;
            for (var x = 0; x < w; x++)
            {
                int l = src[row + Math.Max(x - 1, 0)], c = src[row + x], r = src[row + Math.Min(x + 1, w - 1)];
                tmp[row + x] = (byte)((l + 2 * c + r + 2) >> 2);
            }
        }
        var dst = new byte[src.Length];
        for (var y = 0; y < h; y++)
        {
            int up = Math.Max(y - 1, 0) * w, row = y * w, dn = Math.Min(y + 1, h - 1) * w;
            for (var x = 0; x < w; x++)
            {
                dst[row + x] = (byte)((tmp[up + x] + 2 * tmp[row + x] + tmp[dn + x] + 2) >> 2);
            }
        }
        return dst;
    }

    /// <summary>Multiplies the page by an off-white paper tone that varies slowly across the sheet.</summary>
    private static void ApplyPaper(byte[] gray, int w, int h, ScanStyle style, Random rng)
    {
        double p1 = rng.NextDouble() * Math.Tau, p2 = rng.NextDouble() * Math.Tau, p3 = rng.NextDouble() * Math.Tau;
        double fx = 0.6 + rng.NextDouble(), fy = 0.5 + rng.NextDouble();
        var colTerm = new double[w];
        for (var x = 0; x < w; x++)
        {
            colTerm[x] = Math.Cos(Math.Tau * fx * x / w + p1);
        }
        for (var y = 0; y < h; y++)
        {
            var rowTerm = Math.Cos(Math.Tau * fy * y / h + p2);
            var diag = Math.Cos(Math.Tau * (double)y / (h * 1.7) + p3);
            var row = y * w;
            for (var x = 0; x < w; x++)
            {
                var v = (colTerm[x] * 0.45 + rowTerm * 0.35 + diag * 0.2) * 0.5 + 0.5; // 0..1
                var paper = Math.Round(style.PaperBase - style.PaperVariation * v);
                gray[row + x] = (byte)Math.Clamp(Math.Round(gray[row + x] * paper / 255.0), 0, 255);
            }
        }
    }

    private static void AddSpeckles(byte[] gray, int w, int h, double perMegapixel, Random rng)
    {
        var count = (int)(perMegapixel * w * h / 1_000_000.0);
        for (var i = 0; i < count; i++)
        {
            int cx = rng.Next(w), cy = rng.Next(h), size = rng.Next(1, 3);
            var value = (byte)rng.Next(70, 150);
            for (var dy = 0; dy < size; dy++)
            {
                for (var dx = 0; dx < size; dx++)
                {
                    int x = cx + dx, y = cy + dy;
                    if (x < w && y < h)
                    {
                        gray[y * w + x] = Math.Min(gray[y * w + x], value);
                    }
                }
            }
        }
    }

    /// <summary>Turns the whole image 90° clockwise (a page fed sideways into the scanner).</summary>
    public static GrayImage Rotate90Clockwise(GrayImage img)
    {
        int w = img.Width, h = img.Height;
        var dst = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                // (x, y) -> (h - 1 - y, x) in an image h wide and w high.
                dst[x * h + (h - 1 - y)] = img.Pixels[y * w + x];
            }
        }
        return new GrayImage(h, w, dst);
    }

    private static SKBitmap ToBitmap(GrayImage img)
    {
        var bmp = new SKBitmap(new SKImageInfo(img.Width, img.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        if (bmp.RowBytes != img.Width)
        {
            throw new InvalidOperationException("Unexpected row padding in a Gray8 bitmap.");
        }
        Marshal.Copy(img.Pixels, 0, bmp.GetPixels(), img.Pixels.Length);
        return bmp;
    }

    public static byte[] EncodePng(GrayImage img, int dpi)
    {
        using var bmp = ToBitmap(img);
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        return Png.InsertPhys(data.ToArray(), dpi);
    }

    public static byte[] EncodeJpeg(GrayImage img, int quality, int dpi)
    {
        using var bmp = ToBitmap(img);
        using var data = bmp.Encode(SKEncodedImageFormat.Jpeg, quality);
        var bytes = data.ToArray();
        SetJfifDensity(bytes, dpi);
        return bytes;
    }

    /// <summary>Writes the resolution into the JFIF APP0 segment (Skia leaves it at 1:1 aspect, no units).</summary>
    private static void SetJfifDensity(byte[] jpeg, int dpi)
    {
        // FF D8 FF E0 len(2) "JFIF\0" version(2) units(1) xdensity(2) ydensity(2)
        if (jpeg.Length > 20 && jpeg[2] == 0xFF && jpeg[3] == 0xE0 && jpeg[6] == (byte)'J' && jpeg[7] == (byte)'F')
        {
            jpeg[13] = 1;
            BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(14), (ushort)dpi);
            BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(16), (ushort)dpi);
        }
    }
}

/// <summary>Minimal PNG chunk helpers (CRC-32, pHYs, hand-made headers for bad inputs).</summary>
internal static class Png
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The PNG chunk CRC (ISO 3309 / ITU-T V.42, the same polynomial as zlib's).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);

    public static byte[] Chunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        for (var i = 0; i < 4; i++)
        {
            chunk[4 + i] = (byte)type[i];
        }
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    public static byte[] InsertPhys(byte[] png, int dpi)
    {
        const int afterIhdr = 8 + 25;
        var ppm = (uint)Math.Round(dpi / 0.0254);
        var data = new byte[9];
        BinaryPrimitives.WriteUInt32BigEndian(data, ppm);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), ppm);
        data[8] = 1;
        var phys = Chunk("pHYs", data);
        return [.. png.AsSpan(0, afterIhdr), .. phys, .. png.AsSpan(afterIhdr)];
    }
}
