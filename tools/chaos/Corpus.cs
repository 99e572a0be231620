using System.Buffers.Binary;
using System.Text;
using DocFlow.Samples;

namespace DocFlow.Chaos;

/// <summary>One file to upload: its name (unique in the run), its bytes and whether it is one of the hostile files.</summary>
internal sealed record Upload(int Index, string Name, byte[] Bytes, bool Hostile);

/// <summary>
/// The documents of a run: the bundled samples repeated, each copy made unique so deduplication does not collapse them
/// (a trailing PDF comment, a PNG tEXt chunk, a JPEG COM segment), and every <c>hostileEvery</c>-th file one of the
/// hostile inputs (tools/DocFlow.Samples BadInputs: broken files and decode bombs), made unique the same way.
/// </summary>
internal sealed class Corpus
{
    private readonly List<(string Name, byte[] Bytes)> _benign;
    private readonly List<(string Name, byte[] Bytes)> _hostile;
    private readonly int _hostileEvery;
    private readonly string _run;

    public Corpus(string samples, string mix, int hostileEvery, string run)
    {
        _hostileEvery = hostileEvery;
        _run = run;
        if (!Directory.Exists(samples) || !Directory.EnumerateFiles(samples).Any())
        {
            Directory.CreateDirectory(samples);
            SampleCorpus.Generate(samples, SampleCorpus.DefaultSeed);
        }
        string[] names = mix switch
        {
            // Digital PDFs (text layer, no OCR) and one small photo: cheap enough for hundreds of documents on 2 cores.
            "cheap" => ["invoice-digital.pdf", "receipt-digital.pdf", "form-filled.pdf", "report-multipage.pdf", "invoice-digital.pdf",
                        "receipt-digital.pdf", "form-filled.pdf", "invoice-digital.pdf", "receipt-digital.pdf", "receipt-shop.jpg"],
            "samples" => [.. Directory.EnumerateFiles(samples).Select(Path.GetFileName).Where(n => !n!.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal)!],
            _ => throw new ChaosException($"--mix: {mix}: expected cheap or samples"),
        };
        _benign = [.. names.Select(n => (n, File.ReadAllBytes(Path.Combine(samples, n))))];
        _hostile = Hostile();
    }

    public int BenignKinds => _benign.Count;
    public int HostileKinds => _hostile.Count;
    public IEnumerable<string> HostileNames => _hostile.Select(h => h.Name);

    public Upload Make(int index)
    {
        var hostile = _hostileEvery > 0 && index % _hostileEvery == _hostileEvery - 1;
        var (name, bytes) = hostile ? _hostile[index / _hostileEvery % _hostile.Count] : _benign[index % _benign.Count];
        var tag = $"docflow-chaos {_run} {index}";
        return new Upload(index, $"{index:D6}-{(hostile ? "hostile-" : "")}{name}", Unique(bytes, name, tag), hostile);
    }

    /// <summary>The same document with a unique, harmless addition: PDFs a comment after %%EOF, PNGs a tEXt chunk before
    /// IEND, JPEGs a COM segment after SOI, anything else trailing bytes.</summary>
    public static byte[] Unique(byte[] bytes, string name, string tag)
    {
        var text = Encoding.ASCII.GetBytes(tag);
        if (bytes.Length > 12 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G')
        {
            var iend = bytes.Length - 12; // IEND is the last chunk: length(4) type(4) crc(4)
            var data = new byte[8 + 1 + text.Length]; // "Comment\0" + text
            Encoding.ASCII.GetBytes("Comment").CopyTo(data, 0);
            text.CopyTo(data, 9);
            var chunk = new byte[12 + data.Length];
            BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
            Encoding.ASCII.GetBytes("tEXt").CopyTo(chunk, 4);
            data.CopyTo(chunk, 8);
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
            return [.. bytes.AsSpan(0, iend), .. chunk, .. bytes.AsSpan(iend)];
        }
        if (bytes.Length > 4 && bytes[0] == 0xFF && bytes[1] == 0xD8)
        {
            var segment = new byte[4 + text.Length];
            segment[0] = 0xFF;
            segment[1] = 0xFE;
            BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + text.Length));
            text.CopyTo(segment, 4);
            return [.. bytes.AsSpan(0, 2), .. segment, .. bytes.AsSpan(2)];
        }
        if (name.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase))
            return [.. bytes, .. Encoding.ASCII.GetBytes($"\n%{tag}\n")];
        return [.. bytes, .. text];
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>The hostile set: every kind of issue 12 that ingest accepts or refuses, built once per run.</summary>
    private static List<(string, byte[])> Hostile() =>
    [
        ("truncated.pdf", BadInputs.TruncatedPdf()),
        ("encrypted.pdf", BadInputs.EncryptedPdf()),
        ("text-named.pdf", BadInputs.TextNamedPdf()),
        ("png-claiming-60mp.png", BadInputs.PngClaimingPixels()),
        ("nested-function.pdf", BadInputs.NestedFunctionPdf()),
        ("huge-mediabox.pdf", BadInputs.HugeMediaBoxPdf()),
        ("xobject-fanout.pdf", BadInputs.XObjectFanOutPdf()),
        ("xobject-loop.pdf", BadInputs.XObjectLoopPdf()),
        ("image-35000-1bit.pdf", BadInputs.EmbeddedImagePdf(35_000, 35_000, 1)),
        ("deep-nesting.pdf", BadInputs.DeepNestingPdf()),
        ("page-tree-loop.pdf", BadInputs.PageTreeLoopPdf()),
        ("deflate-bomb.pdf", BadInputs.DeflateBombPdf()),
        ("gif-screen-bypass.gif", BadInputs.GifLogicalScreenBypass()),
        ("gif-1000-frames.gif", BadInputs.GifWithFrames()),
    ];
}
