using System.Buffers.Binary;
using DocFlow.Engine.Imaging;
using PdfSharp.Pdf;

namespace DocFlow.Outputs;

/// <summary>A page image as a PDF image XObject, its pixels untouched: JPEG data passed through (DCTDecode), PNG data
/// passed through (its zlib stream under FlateDecode with the PNG predictors), other formats (TIFF, BMP, GIF, WebP, PNM)
/// decoded once and written losslessly the PNG way.</summary>
internal sealed record PageImage(int Width, int Height, int XResolution, int YResolution, PdfDictionary XObject);

internal static class PdfImages
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static PageImage Create(PdfDocument pdf, ReadOnlySpan<byte> content, int frame)
    {
        int xRes, yRes;
        using (var pix = PixImage.Decode(content, frame))
        {
            (xRes, yRes) = (pix.XResolution, pix.YResolution);
            if (frame == 0 && IsJpeg(content) && Jpeg(pdf, content) is { } jpeg)
                return new PageImage(jpeg.Width, jpeg.Height, xRes, yRes, jpeg.XObject);
            if (frame == 0 && content.StartsWith(PngSignature) && Png(pdf, content) is { } png)
                return new PageImage(png.Width, png.Height, xRes, yRes, png.XObject);
            var encoded = pix.EncodePng();
            var again = Png(pdf, encoded)
                ?? throw new NotSupportedException("The page image has an alpha channel, which the searchable PDF cannot keep untouched.");
            return new PageImage(again.Width, again.Height, xRes, yRes, again.XObject);
        }
    }

    private static bool IsJpeg(ReadOnlySpan<byte> data) => data.Length > 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    private static (int Width, int Height, PdfDictionary XObject)? Jpeg(PdfDocument pdf, ReadOnlySpan<byte> data)
    {
        int width = 0, height = 0, components = 0, bits = 8;
        var adobe = false;
        var i = 2;
        while (i + 4 <= data.Length)
        {
            if (data[i] != 0xFF) return null;
            var marker = data[i + 1];
            if (marker == 0xFF) { i++; continue; }
            if (marker is 0xD8 or 0x01 || marker is >= 0xD0 and <= 0xD7) { i += 2; continue; }
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(i + 2)..]);
            if (marker == 0xEE && length >= 7 && data.Slice(i + 4, 5).SequenceEqual("Adobe"u8)) adobe = true;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (i + 10 > data.Length) return null;
                bits = data[i + 4];
                height = BinaryPrimitives.ReadUInt16BigEndian(data[(i + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(data[(i + 7)..]);
                components = data[i + 9];
                break;
            }
            if (marker == 0xDA) return null;
            i += 2 + length;
        }
        if (width == 0 || height == 0 || components is not (1 or 3 or 4)) return null;
        var x = NewImage(pdf, width, height, bits);
        x.Elements.SetName("/ColorSpace", components switch { 1 => "/DeviceGray", 3 => "/DeviceRGB", _ => "/DeviceCMYK" });
        if (components == 4 && adobe)
            x.Elements["/Decode"] = new PdfArray(pdf, [.. Enumerable.Range(0, 8).Select(k => new PdfInteger(k % 2 == 0 ? 1 : 0))]);
        x.Elements.SetName("/Filter", "/DCTDecode");
        x.CreateStream(data.ToArray());
        return (width, height, x);
    }

    /// <summary>A non-interlaced PNG without alpha, its IDAT data as it is; null for other PNGs.</summary>
    private static (int Width, int Height, PdfDictionary XObject)? Png(PdfDocument pdf, ReadOnlySpan<byte> data)
    {
        int width = 0, height = 0, depth = 0, colorType = -1, interlace = 0;
        byte[]? palette = null;
        using var idat = new MemoryStream();
        var i = 8;
        while (i + 8 <= data.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
            var type = data.Slice(i + 4, 4);
            if (length < 0 || i + 12 + length > data.Length) return null;
            var body = data.Slice(i + 8, length);
            if (type.SequenceEqual("IHDR"u8))
            {
                width = (int)BinaryPrimitives.ReadUInt32BigEndian(body);
                height = (int)BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                depth = body[8];
                colorType = body[9];
                interlace = body[12];
            }
            else if (type.SequenceEqual("PLTE"u8)) palette = body.ToArray();
            else if (type.SequenceEqual("IDAT"u8)) idat.Write(body);
            else if (type.SequenceEqual("IEND"u8)) break;
            i += 12 + length;
        }
        if (width <= 0 || height <= 0 || interlace != 0 || colorType is not (0 or 2 or 3) || (colorType == 3 && palette is null))
            return null;
        var colors = colorType == 2 ? 3 : 1;
        var x = NewImage(pdf, width, height, depth);
        if (colorType == 3)
        {
            var entries = palette!.Length / 3;
            var lookup = new PdfDictionary(pdf);
            pdf.Internals.AddObject(lookup);
            lookup.CreateStream(palette.AsSpan(0, entries * 3).ToArray());
            x.Elements["/ColorSpace"] = new PdfArray(pdf, new PdfName("/Indexed"), new PdfName("/DeviceRGB"), new PdfInteger(entries - 1),
                lookup.Reference!);
        }
        else
        {
            x.Elements.SetName("/ColorSpace", colors == 3 ? "/DeviceRGB" : "/DeviceGray");
        }
        var parms = new PdfDictionary(pdf);
        parms.Elements.SetInteger("/Predictor", 15);
        parms.Elements.SetInteger("/Colors", colors);
        parms.Elements.SetInteger("/BitsPerComponent", depth);
        parms.Elements.SetInteger("/Columns", width);
        x.Elements.SetName("/Filter", "/FlateDecode");
        x.Elements["/DecodeParms"] = parms;
        x.CreateStream(idat.ToArray());
        return (width, height, x);
    }

    private static PdfDictionary NewImage(PdfDocument pdf, int width, int height, int bits)
    {
        var x = new PdfDictionary(pdf);
        pdf.Internals.AddObject(x);
        x.Elements.SetName("/Type", "/XObject");
        x.Elements.SetName("/Subtype", "/Image");
        x.Elements.SetInteger("/Width", width);
        x.Elements.SetInteger("/Height", height);
        x.Elements.SetInteger("/BitsPerComponent", bits);
        return x;
    }
}
