using System.IO.Compression;
using System.Text;

namespace DocFlow.UnitTests.Support;

/// <summary>Files of types DocFlow does not accept, built in memory.</summary>
public static class TestFiles
{
    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A ZIP (stored entries) with the given part names, in order; OOXML and ODF are ZIPs told apart by their parts.</summary>
    public static byte[] Zip(params (string Name, string Content)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                using var s = entry.Open();
                s.Write(Encoding.UTF8.GetBytes(content));
            }
        return ms.ToArray();
    }

    public static byte[] Docx() => Zip(("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"), ("word/document.xml", "<w:document/>"));
    public static byte[] Xlsx() => Zip(("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"), ("xl/workbook.xml", "<workbook/>"));
    public static byte[] Pptx() => Zip(("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"), ("ppt/presentation.xml", "<presentation/>"));
    public static byte[] Odt() => Zip(("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<office:document-content/>"));

    /// <summary>An OLE compound file header followed by a directory entry name in UTF-16, as in .doc and .xls files.</summary>
    public static byte[] Ole(string streamName)
    {
        var header = new byte[512];
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(header, 0);
        return [.. header, .. Encoding.Unicode.GetBytes(streamName), .. new byte[64]];
    }

    public static byte[] Gzip(string content)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(content));
        return ms.ToArray();
    }

    /// <summary>An ISO base media file (HEIC, AVIF, MP4) with the given major and compatible brands.</summary>
    public static byte[] Ftyp(string major, params string[] compatible)
    {
        var size = 16 + 4 * compatible.Length;
        var b = new List<byte> { 0, 0, 0, (byte)size };
        b.AddRange(Encoding.ASCII.GetBytes("ftyp" + major));
        b.AddRange(new byte[4]);
        foreach (var c in compatible) b.AddRange(Encoding.ASCII.GetBytes(c));
        b.AddRange(new byte[32]);
        return [.. b];
    }
}
