using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace DocFlow.Engine.Sniffing;

/// <summary>What the engine can do with a file, judged from its bytes.</summary>
public enum InputKind
{
    Pdf,
    Image,
    Unsupported,
}

/// <summary>The sniffed type of a file: its kind, media type and a short phrase for messages ("a PNG image").</summary>
public sealed record SniffResult(InputKind Kind, string MimeType, string Description);

/// <summary>
/// Tells a file's type from its magic bytes alone; a file name or extension is never consulted,
/// so a lying extension cannot smuggle anything past it.
/// </summary>
public static class FileSniffer
{
    /// <summary>How far into the file a PDF header may start (Acrobat accepts junk before it, up to 1 KB).</summary>
    private const int PdfHeaderWindow = 1024;

    /// <summary>How much of a file is looked at to decide whether it is text and what kind.</summary>
    private const int TextSampleBytes = 8 * 1024;

    /// <summary>How much of a file is parsed to confirm it is JSON.</summary>
    private const int JsonSampleBytes = 1024 * 1024;

    /// <summary>How much of a ZIP or OLE container is scanned for part names.</summary>
    private const int ContainerScanBytes = 4 * 1024 * 1024;

    public const string OctetStream = "application/octet-stream";

    public static SniffResult Sniff(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
            return Unsupported("application/x-empty", "an empty file (0 bytes)");

        if (content.StartsWith("%PDF-"u8))
            return new(InputKind.Pdf, "application/pdf", "a PDF document");

        if (SniffImage(content) is { } image)
            return image;

        if (content[..Math.Min(content.Length, PdfHeaderWindow)].IndexOf("%PDF-"u8) >= 0)
            return new(InputKind.Pdf, "application/pdf", "a PDF document");

        return SniffBinary(content) ?? SniffText(content) ?? Unsupported(OctetStream, "unrecognised binary data");
    }

    private static bool Has(ReadOnlySpan<byte> content, ReadOnlySpan<byte> magic) => content.StartsWith(magic);

    private static SniffResult Unsupported(string mime, string description) => new(InputKind.Unsupported, mime, description);

    private static SniffResult? SniffImage(ReadOnlySpan<byte> c)
    {
        if (Has(c, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
            return new(InputKind.Image, "image/png", "a PNG image");
        if (Has(c, [0xFF, 0xD8, 0xFF]))
            return new(InputKind.Image, "image/jpeg", "a JPEG image");
        if (c.StartsWith("II*\0"u8) || c.StartsWith("MM\0*"u8))
            return new(InputKind.Image, "image/tiff", "a TIFF image");
        if (c.StartsWith("II+\0"u8) || c.StartsWith("MM\0+"u8))
            return Unsupported("image/tiff", "a BigTIFF image (64-bit TIFF, not supported; save it as a classic TIFF)");
        if (c.StartsWith("GIF87a"u8) || c.StartsWith("GIF89a"u8))
            return new(InputKind.Image, "image/gif", "a GIF image");
        if (c.Length >= 12 && c.StartsWith("RIFF"u8) && c[8..12].SequenceEqual("WEBP"u8))
            return new(InputKind.Image, "image/webp", "a WebP image");
        if (IsBmp(c))
            return new(InputKind.Image, "image/bmp", "a BMP image");
        return null;
    }

    /// <summary>"BM" alone is too weak (plain text can start with it), so the DIB header size must be a known one.</summary>
    private static bool IsBmp(ReadOnlySpan<byte> c)
    {
        if (c.Length < 18 || c[0] != 'B' || c[1] != 'M') return false;
        var dibSize = BinaryPrimitives.ReadUInt32LittleEndian(c[14..]);
        return dibSize is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;
    }

    private static SniffResult? SniffBinary(ReadOnlySpan<byte> c)
    {
        if (c.StartsWith("PK\x03\x04"u8) || c.StartsWith("PK\x05\x06"u8))
            return SniffZip(c);
        if (Has(c, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
            return SniffOle(c);
        if (Has(c, [0x1F, 0x8B]))
            return Unsupported("application/gzip", "a gzip-compressed file");
        if (c.StartsWith("%!PS"u8) || Has(c, [0xC5, 0xD0, 0xD3, 0xC6]))
            return Unsupported("application/postscript", "a PostScript document (convert it to PDF first)");
        if (c.StartsWith(@"{\rtf"u8))
            return Unsupported("application/rtf", "an RTF document");
        if (Has(c, [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]))
            return Unsupported("image/jp2", "a JPEG 2000 image");
        if (Has(c, [0xFF, 0x4F, 0xFF, 0x51]))
            return Unsupported("image/jp2", "a JPEG 2000 codestream");
        if (c.Length >= 12 && c[4..8].SequenceEqual("ftyp"u8))
            return SniffIsoMedia(c);
        if (Has(c, [(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C]))
            return Unsupported("application/x-7z-compressed", "a 7-Zip archive");
        if (c.StartsWith("Rar!\x1A\x07"u8))
            return Unsupported("application/vnd.rar", "a RAR archive");
        if (c.StartsWith("BZh"u8) && c.Length >= 4 && c[3] is >= (byte)'1' and <= (byte)'9')
            return Unsupported("application/x-bzip2", "a bzip2-compressed file");
        if (Has(c, [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]))
            return Unsupported("application/x-xz", "an xz-compressed file");
        if (Has(c, [0x7F, (byte)'E', (byte)'L', (byte)'F']))
            return Unsupported("application/x-executable", "an ELF executable");
        if (c.StartsWith("MZ"u8) && c.Length >= 64)
            return Unsupported("application/vnd.microsoft.portable-executable", "a Windows executable");
        if (c.StartsWith("RIFF"u8) && c.Length >= 12)
            return Unsupported("application/x-riff", $"a RIFF container ({Ascii(c[8..12])}), not a WebP image");
        if (c.StartsWith("ID3"u8))
            return Unsupported("audio/mpeg", "an MP3 audio file");
        if (c.StartsWith("OggS"u8))
            return Unsupported("audio/ogg", "an Ogg media file");
        if (c.StartsWith("8BPS"u8))
            return Unsupported("image/vnd.adobe.photoshop", "a Photoshop document");
        if (Has(c, [0x00, 0x00, 0x01, 0x00]) && c.Length >= 6 && c[4] != 0)
            return Unsupported("image/vnd.microsoft.icon", "a Windows icon");
        return null;
    }

    private static string Ascii(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder(b.Length);
        foreach (var x in b) sb.Append(x is >= 0x20 and < 0x7F ? (char)x : '?');
        return sb.ToString().Trim();
    }

    /// <summary>HEIC, AVIF and friends are ISO base media files; the major and compatible brands say which.</summary>
    private static SniffResult SniffIsoMedia(ReadOnlySpan<byte> c)
    {
        var boxSize = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(c), (uint)Math.Min(c.Length, 4096));
        var brands = new List<string> { Ascii(c[8..12]) };
        for (var i = 16; i + 4 <= boxSize; i += 4)
            brands.Add(Ascii(c.Slice(i, 4)));
        if (brands.Exists(b => b is "avif" or "avis"))
            return Unsupported("image/avif", "an AVIF image");
        if (brands.Exists(b => b is "heic" or "heix" or "heim" or "heis" or "hevc" or "hevx"))
            return Unsupported("image/heic", "a HEIC image (convert it to JPEG first)");
        if (brands.Exists(b => b is "mif1" or "msf1"))
            return Unsupported("image/heif", "a HEIF image (convert it to JPEG first)");
        if (brands[0] == "qt")
            return Unsupported("video/quicktime", "a QuickTime video");
        if (brands.Exists(b => b is "crx"))
            return Unsupported("image/x-canon-cr3", "a Canon raw photo");
        return Unsupported("video/mp4", "an MP4 media file");
    }

    /// <summary>Walks the ZIP local file headers (no central directory needed) and judges by part names.</summary>
    private static SniffResult SniffZip(ReadOnlySpan<byte> c)
    {
        var scan = c[..Math.Min(c.Length, ContainerScanBytes)];
        bool word = false, excel = false, powerpoint = false, contentTypes = false;
        var offset = 0;
        var first = true;
        while (offset + 30 <= scan.Length && scan.Slice(offset, 4).SequenceEqual("PK\x03\x04"u8))
        {
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(scan[(offset + 6)..]);
            var compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(scan[(offset + 18)..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(scan[(offset + 26)..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(scan[(offset + 28)..]);
            var nameStart = offset + 30;
            if (nameStart + nameLength > scan.Length) break;
            var name = Encoding.UTF8.GetString(scan.Slice(nameStart, nameLength));
            var dataStart = nameStart + nameLength + extraLength;
            // An extra field running past the end (a truncated or crafted ZIP) crashed the sniffer (found by fuzzing).
            if (dataStart > scan.Length) break;

            if (first && name == "mimetype" && dataStart + compressedSize <= scan.Length && compressedSize < 200)
            {
                var mime = Encoding.ASCII.GetString(scan.Slice(dataStart, (int)compressedSize)).Trim();
                if (mime.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal))
                    return Unsupported(mime, $"an OpenDocument {OpenDocumentKind(mime)}");
                if (mime == "application/epub+zip")
                    return Unsupported(mime, "an EPUB e-book");
            }
            first = false;

            if (name.StartsWith("word/", StringComparison.Ordinal)) word = true;
            else if (name.StartsWith("xl/", StringComparison.Ordinal)) excel = true;
            else if (name.StartsWith("ppt/", StringComparison.Ordinal)) powerpoint = true;
            else if (name == "[Content_Types].xml") contentTypes = true;

            // With a data descriptor (bit 3) the size is not in the local header; the next header must be searched for.
            if ((flags & 0x08) != 0 || compressedSize == uint.MaxValue)
            {
                var next = scan[dataStart..].IndexOf("PK\x03\x04"u8);
                if (next < 0) break;
                offset = dataStart + next;
            }
            else
            {
                var nextOffset = (long)dataStart + compressedSize;
                if (nextOffset > scan.Length) break;
                offset = (int)nextOffset;
            }
        }

        if (word) return Unsupported("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a Word document (.docx)");
        if (excel) return Unsupported("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "an Excel workbook (.xlsx)");
        if (powerpoint) return Unsupported("application/vnd.openxmlformats-officedocument.presentationml.presentation", "a PowerPoint presentation (.pptx)");
        if (contentTypes) return Unsupported("application/x-ooxml", "an Office Open XML package");
        return Unsupported("application/zip", "a ZIP archive (unpack it and submit the documents inside)");
    }

    private static string OpenDocumentKind(string mime) => mime["application/vnd.oasis.opendocument.".Length..] switch
    {
        var k when k.StartsWith("text", StringComparison.Ordinal) => "text document (.odt)",
        var k when k.StartsWith("spreadsheet", StringComparison.Ordinal) => "spreadsheet (.ods)",
        var k when k.StartsWith("presentation", StringComparison.Ordinal) => "presentation (.odp)",
        var k when k.StartsWith("graphics", StringComparison.Ordinal) => "drawing (.odg)",
        _ => "document",
    };

    /// <summary>Legacy Office files are OLE compound files; the stream names (UTF-16) in the directory say which.</summary>
    private static SniffResult SniffOle(ReadOnlySpan<byte> c)
    {
        var scan = c[..Math.Min(c.Length, ContainerScanBytes)];
        if (scan.IndexOf(Utf16("WordDocument")) >= 0)
            return Unsupported("application/msword", "a Word 97-2003 document (.doc)");
        if (scan.IndexOf(Utf16("Workbook")) >= 0 || scan.IndexOf(Utf16("Book\0")) >= 0)
            return Unsupported("application/vnd.ms-excel", "an Excel 97-2003 workbook (.xls)");
        if (scan.IndexOf(Utf16("PowerPoint Document")) >= 0)
            return Unsupported("application/vnd.ms-powerpoint", "a PowerPoint 97-2003 presentation (.ppt)");
        if (scan.IndexOf(Utf16("__substg1.0_")) >= 0)
            return Unsupported("application/vnd.ms-outlook", "an Outlook message (.msg)");
        return Unsupported("application/x-ole-storage", "a legacy Microsoft Office (OLE) file");
    }

    private static byte[] Utf16(string s) => Encoding.Unicode.GetBytes(s);

    private static SniffResult? SniffText(ReadOnlySpan<byte> c)
    {
        var sample = c[..Math.Min(c.Length, TextSampleBytes)];
        if (Has(sample, [0xFF, 0xFE]) || Has(sample, [0xFE, 0xFF]))
            return Unsupported("text/plain", "a UTF-16 text file");
        if (Has(sample, [0xEF, 0xBB, 0xBF]))
            sample = sample[3..];
        if (!LooksLikeText(sample, truncated: c.Length > TextSampleBytes))
            return null;

        var text = Encoding.UTF8.GetString(sample).TrimStart();
        var head = text.Length > 2048 ? text[..2048] : text;
        if (head.StartsWith('<'))
        {
            if (head.Contains("<html", StringComparison.OrdinalIgnoreCase)
                || head.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase)
                || head.StartsWith("<head", StringComparison.OrdinalIgnoreCase)
                || head.StartsWith("<body", StringComparison.OrdinalIgnoreCase))
                return Unsupported("text/html", "an HTML document");
            if (head.Contains("<svg", StringComparison.Ordinal))
                return Unsupported("image/svg+xml", "an SVG image");
            if (head.StartsWith("<?xml", StringComparison.Ordinal) || IsXmlStart(head))
                return Unsupported("application/xml", "an XML document");
        }
        if ((head.StartsWith('{') || head.StartsWith('[')) && IsJson(c))
            return Unsupported("application/json", "a JSON document");
        return Unsupported("text/plain", "a plain text file");
    }

    private static bool IsXmlStart(string head) =>
        head.Length > 1 && (char.IsLetter(head[1]) || head[1] is '!' or '_');

    private static bool IsJson(ReadOnlySpan<byte> c)
    {
        if (Has(c, [0xEF, 0xBB, 0xBF])) c = c[3..];
        var isFinal = c.Length <= JsonSampleBytes;
        var reader = new Utf8JsonReader(c[..Math.Min(c.Length, JsonSampleBytes)], isFinal, default);
        try
        {
            var tokens = 0;
            while (reader.Read()) tokens++;
            return tokens > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Valid UTF-8 (a sequence cut by the sample's end is fine) without NULs and with few control characters.</summary>
    private static bool LooksLikeText(ReadOnlySpan<byte> sample, bool truncated)
    {
        if (sample.IsEmpty) return false;
        var controls = 0;
        foreach (var b in sample)
        {
            if (b == 0) return false;
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C or 0x1B)) controls++;
        }
        if (controls > sample.Length / 100) return false;

        var status = System.Text.Unicode.Utf8.ToUtf16(sample, new char[sample.Length], out var read, out _, replaceInvalidSequences: false, isFinalBlock: !truncated);
        return status == System.Buffers.OperationStatus.Done || (truncated && status == System.Buffers.OperationStatus.NeedMoreData && read >= sample.Length - 3);
    }
}
