using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace DocFlow.Samples;

/// <summary>Broken, hostile or misleading inputs for tests of ingest and the engine.</summary>
public static partial class BadInputs
{
    private static readonly DateTime Created = new(2026, 11, 29, 9, 30, 0, DateTimeKind.Utc);

    /// <summary>Zero bytes.</summary>
    public static byte[] EmptyFile() => [];

    /// <summary>A valid one-page PDF cut in half (no xref, no trailer, no %%EOF).</summary>
    public static byte[] TruncatedPdf()
    {
        var full = OnePagePdf("This document was cut in half.");
        return full[..(full.Length / 2)];
    }

    /// <summary>A PDF encrypted with a user password ("docflow"); it cannot be opened without it.</summary>
    public static byte[] EncryptedPdf(string userPassword = "docflow")
    {
        var doc = NewDocument("Encrypted");
        AddTextPage(doc, "Confidential: this page is encrypted.");
        doc.SecuritySettings.UserPassword = userPassword;
        doc.SecuritySettings.OwnerPassword = userPassword + "-owner";
        return PdfRender.Save(doc);
    }

    /// <summary>Plain UTF-8 text, as found in a file misleadingly named <c>something.pdf</c>.</summary>
    public static byte[] TextNamedPdf() =>
        Encoding.UTF8.GetBytes("Meeting notes\nThis is not a PDF, only text saved with a .pdf extension.\n");

    /// <summary>
    /// A small, well-formed greyscale PNG whose header claims <paramref name="width"/> × <paramref name="height"/>
    /// pixels; the image data is a few bytes (one row), so decoding it fails, and nothing that checks the
    /// header should ever allocate the pixels.
    /// </summary>
    public static byte[] PngClaimingPixels(int width = 10000, int height = 6000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 0;  // colour type: greyscale
        ihdr[10] = 0; // compression
        ihdr[11] = 0; // filter
        ihdr[12] = 0; // interlace
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zs.Write(new byte[1 + Math.Min(width, 64)]); // a filter byte and the start of one black row
        }
        return [.. Png.Signature, .. Png.Chunk("IHDR", ihdr), .. Png.Chunk("IDAT", z.ToArray()), .. Png.Chunk("IEND", [])];
    }

    /// <summary>A valid PDF with <paramref name="pages"/> A4 pages, each showing only its page number.</summary>
    public static byte[] PdfWithPages(int pages)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pages);
        var doc = NewDocument($"{pages} pages");
        var font = new XFont("DejaVu Sans", 12, XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));
        for (var i = 1; i <= pages; i++)
        {
            var page = doc.AddPage();
            page.Width = XUnit.FromPoint(PageBuilder.A4W);
            page.Height = XUnit.FromPoint(PageBuilder.A4H);
            using var gfx = XGraphics.FromPdfPage(page);
            gfx.DrawString(i.ToString(System.Globalization.CultureInfo.InvariantCulture), font, XBrushes.Black, 72, 72, XStringFormats.BaseLineLeft);
        }
        return PdfRender.Save(doc);
    }

    private static PdfDocument NewDocument(string title) => PdfRender.NewDocument(title, "DocFlow tests", Created);

    private static void AddTextPage(PdfDocument doc, string text)
    {
        var layout = new PageLayout(PageBuilder.A4W, PageBuilder.A4H);
        layout.Ops.Add(new TextOp(text, 72, 100, Face.Sans, 12, Align.Left));
        PdfRender.DrawPage(doc, layout);
    }

    private static byte[] OnePagePdf(string text)
    {
        var doc = NewDocument("Truncated");
        AddTextPage(doc, text);
        return PdfRender.Save(doc);
    }
}
