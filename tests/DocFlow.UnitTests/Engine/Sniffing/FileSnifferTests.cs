using System.Text;
using DocFlow.Engine.Sniffing;
using DocFlow.UnitTests.Support;

namespace DocFlow.UnitTests.Engine.Sniffing;

public sealed class FileSnifferTests
{
    public static TheoryData<string, byte[], InputKind, string> Supported() => new()
    {
        { "pdf", TestPdf.WithPages(1), InputKind.Pdf, "application/pdf" },
        { "pdf after junk", [.. Encoding.ASCII.GetBytes(new string('x', 500)), .. TestPdf.WithPages(1)], InputKind.Pdf, "application/pdf" },
        { "png", TestImages.Png(4, 3), InputKind.Image, "image/png" },
        { "jpeg", TestImages.JpegHeader(10, 20), InputKind.Image, "image/jpeg" },
        { "tiff little-endian", TestImages.Tiff([(10, 20)]), InputKind.Image, "image/tiff" },
        { "tiff big-endian", TestImages.Tiff([(10, 20)], bigEndian: true), InputKind.Image, "image/tiff" },
        { "bmp", TestImages.Bmp(10, 20), InputKind.Image, "image/bmp" },
        { "bmp core header", TestImages.Bmp(10, 20, core: true), InputKind.Image, "image/bmp" },
        { "gif87a", TestImages.Gif(10, 20, gif87: true), InputKind.Image, "image/gif" },
        { "gif89a", TestImages.Gif(10, 20), InputKind.Image, "image/gif" },
        { "webp lossy", TestImages.WebPLossy(10, 20), InputKind.Image, "image/webp" },
        { "webp lossless", TestImages.WebPLossless(10, 20), InputKind.Image, "image/webp" },
    };

    [Theory]
    [MemberData(nameof(Supported))]
    public void Sniff_SupportedContent_ReturnsKindAndMimeType(string name, byte[] content, InputKind kind, string mime)
    {
        var result = FileSniffer.Sniff(content);
        Assert.True(result.Kind == kind && result.MimeType == mime, $"{name}: got {result}");
    }

    public static TheoryData<string, byte[], string> Unsupported() => new()
    {
        { "empty", [], "application/x-empty" },
        { "html", TestFiles.Text("<!DOCTYPE html>\n<html><body>Invoice</body></html>"), "text/html" },
        { "html without doctype", TestFiles.Text("  <html lang=\"en\"><head><title>x</title></head></html>"), "text/html" },
        { "xml", TestFiles.Text("<?xml version=\"1.0\"?>\n<invoice><total>12</total></invoice>"), "application/xml" },
        { "xml without declaration", TestFiles.Text("<invoice><total>12</total></invoice>"), "application/xml" },
        { "svg", TestFiles.Text("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\"/>"), "image/svg+xml" },
        { "json object", TestFiles.Text("{\"invoice\": 12, \"lines\": [1, 2]}"), "application/json" },
        { "json array", TestFiles.Text("[1, 2, 3]"), "application/json" },
        { "brace text is not json", TestFiles.Text("{ this is not json }"), "text/plain" },
        { "plain ascii", TestFiles.Text("Invoice 12\nTotal 30.00 EUR\n"), "text/plain" },
        { "plain utf-8", TestFiles.Text("Rechnung Nr. 12 – Größe ½\n"), "text/plain" },
        { "utf-8 with bom", [0xEF, 0xBB, 0xBF, .. TestFiles.Text("hello")], "text/plain" },
        { "utf-16", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("hello")], "text/plain" },
        { "rtf", TestFiles.Text(@"{\rtf1\ansi Hello}"), "application/rtf" },
        { "zip", TestFiles.Zip(("a.txt", "hello")), "application/zip" },
        { "docx", TestFiles.Docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
        { "xlsx", TestFiles.Xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
        { "pptx", TestFiles.Pptx(), "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
        { "odt", TestFiles.Odt(), "application/vnd.oasis.opendocument.text" },
        { "doc", TestFiles.Ole("WordDocument"), "application/msword" },
        { "xls", TestFiles.Ole("Workbook"), "application/vnd.ms-excel" },
        { "other ole", TestFiles.Ole("Something"), "application/x-ole-storage" },
        { "gzip", TestFiles.Gzip("hello"), "application/gzip" },
        { "postscript", TestFiles.Text("%!PS-Adobe-3.0\n%%Pages: 1\nshowpage\n"), "application/postscript" },
        { "heic", TestFiles.Ftyp("heic", "mif1", "heic"), "image/heic" },
        { "avif", TestFiles.Ftyp("avif", "mif1", "avif"), "image/avif" },
        { "avif behind mif1", TestFiles.Ftyp("mif1", "avif", "miaf"), "image/avif" },
        { "mp4", TestFiles.Ftyp("isom", "isom", "mp41"), "video/mp4" },
        { "jpeg 2000", [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A, 0, 0, 0, 0x14], "image/jp2" },
        { "jpeg 2000 codestream", [0xFF, 0x4F, 0xFF, 0x51, 0, 0x2F], "image/jp2" },
        { "bigtiff", [(byte)'I', (byte)'I', 0x2B, 0x00, 8, 0, 0, 0], "image/tiff" },
        { "riff wave", [.. Encoding.ASCII.GetBytes("RIFF"), 4, 0, 0, 0, .. Encoding.ASCII.GetBytes("WAVEfmt ")], "application/x-riff" },
        { "elf", [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0], "application/x-executable" },
        { "random binary", [0x13, 0x00, 0x99, 0xFE, 0x42, 0x00, 0x00, 0x07, 0x80], "application/octet-stream" },
        { "BM text is not a bitmap", TestFiles.Text("BMW service invoice, total 300 EUR"), "text/plain" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void Sniff_UnsupportedContent_SaysWhatItIs(string name, byte[] content, string mime)
    {
        var result = FileSniffer.Sniff(content);
        Assert.True(result.Kind == InputKind.Unsupported && result.MimeType == mime, $"{name}: got {result}");
        Assert.False(string.IsNullOrWhiteSpace(result.Description));
    }

    [Fact]
    public void Sniff_PdfHeaderPastFirstKilobyte_IsNotPdf()
    {
        var content = Encoding.ASCII.GetBytes(new string('x', 1100) + "%PDF-1.7\n");
        Assert.Equal(InputKind.Unsupported, FileSniffer.Sniff(content).Kind);
    }

    [Fact]
    public void Sniff_JudgesBytesNotWhatTheTextSays()
    {
        // A text file whose own content claims to be a PDF (as a file named invoice.pdf would) is still text.
        var result = FileSniffer.Sniff(TestFiles.Text("invoice.pdf\nPDF document, total 12.00\n"));
        Assert.Equal(("text/plain", InputKind.Unsupported), (result.MimeType, result.Kind));
    }

    [Fact]
    public void Sniff_LargeBinaryWithZeroBytes_IsUnrecognisedBinary()
    {
        var content = new byte[100_000];
        new Random(7).NextBytes(content);
        content[0] = 0x01; content[1] = 0x00;
        var result = FileSniffer.Sniff(content);
        Assert.Equal(("application/octet-stream", "unrecognised binary data"), (result.MimeType, result.Description));
    }
}
