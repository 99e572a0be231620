using System.IO.Compression;
using System.Text;
using PdfSharp.Pdf;

namespace DocFlow.Outputs;

/// <summary>
/// The invisible text layer's font, as Tesseract's PDF renderer makes it: a Type0 font (Identity-H, two-byte codes that are
/// the text's UTF-16 code units) over a CIDFontType2 whose every CID maps to the one blank glyph of GlyphLessFont (0.5 em
/// wide), with a ToUnicode map that turns each code back into itself, so copy and search give the text.
/// </summary>
internal static class GlyphLessFont
{
    public const string ResourceName = "/FDocFlowOcr";

    /// <summary>Advance of every glyph, in text space units per unit of font size.</summary>
    public const double GlyphWidth = 0.5;

    private static readonly Lazy<byte[]> FontFile = new(() =>
    {
        using var stream = typeof(GlyphLessFont).Assembly.GetManifestResourceStream("DocFlow.Outputs.GlyphLessFont.ttf")
            ?? throw new InvalidOperationException("The GlyphLessFont resource is missing from DocFlow.Outputs.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    private static readonly Lazy<byte[]> CidToGidMap = new(() =>
    {
        var map = new byte[65536 * 2];
        for (var i = 0; i < 65536; i++) map[2 * i + 1] = 1;
        return Deflate(map);
    });

    private const string ToUnicodeCMap = """
        /CIDInit /ProcSet findresource begin
        12 dict begin
        begincmap
        /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
        /CMapName /Adobe-Identity-UCS def
        /CMapType 2 def
        1 begincodespacerange
        <0000> <FFFF>
        endcodespacerange
        1 beginbfrange
        <0000> <FFFF> <0000>
        endbfrange
        endcmap
        CMapName currentdict /CMap defineresource pop
        end
        end
        """;

    /// <summary>Adds the font's objects to <paramref name="pdf"/> and returns the Type0 font dictionary (an indirect object).</summary>
    public static PdfDictionary AddTo(PdfDocument pdf)
    {
        var fontFile = Indirect(pdf, new PdfDictionary(pdf));
        fontFile.Elements.SetInteger("/Length1", FontFile.Value.Length);
        fontFile.CreateStream(FontFile.Value);

        var descriptor = Indirect(pdf, new PdfDictionary(pdf));
        descriptor.Elements.SetName("/Type", "/FontDescriptor");
        descriptor.Elements.SetName("/FontName", "/GlyphLessFont");
        descriptor.Elements.SetInteger("/Flags", 5);
        descriptor.Elements["/FontBBox"] = new PdfArray(pdf, new PdfInteger(0), new PdfInteger(0), new PdfInteger(500), new PdfInteger(1000));
        descriptor.Elements.SetInteger("/ItalicAngle", 0);
        descriptor.Elements.SetInteger("/Ascent", 1000);
        descriptor.Elements.SetInteger("/Descent", -1);
        descriptor.Elements.SetInteger("/CapHeight", 1000);
        descriptor.Elements.SetInteger("/StemV", 80);
        descriptor.Elements.SetReference("/FontFile2", fontFile);

        var gidMap = Indirect(pdf, new PdfDictionary(pdf));
        gidMap.Elements.SetName("/Filter", "/FlateDecode");
        gidMap.CreateStream(CidToGidMap.Value);

        var systemInfo = new PdfDictionary(pdf);
        systemInfo.Elements.SetString("/Registry", "Adobe");
        systemInfo.Elements.SetString("/Ordering", "Identity");
        systemInfo.Elements.SetInteger("/Supplement", 0);

        var cidFont = Indirect(pdf, new PdfDictionary(pdf));
        cidFont.Elements.SetName("/Type", "/Font");
        cidFont.Elements.SetName("/Subtype", "/CIDFontType2");
        cidFont.Elements.SetName("/BaseFont", "/GlyphLessFont");
        cidFont.Elements["/CIDSystemInfo"] = systemInfo;
        cidFont.Elements.SetReference("/FontDescriptor", descriptor);
        cidFont.Elements.SetInteger("/DW", (int)(GlyphWidth * 1000));
        cidFont.Elements.SetReference("/CIDToGIDMap", gidMap);

        var toUnicode = Indirect(pdf, new PdfDictionary(pdf));
        toUnicode.Elements.SetName("/Filter", "/FlateDecode");
        toUnicode.CreateStream(Deflate(Encoding.ASCII.GetBytes(ToUnicodeCMap.Replace("\r", "", StringComparison.Ordinal))));

        var type0 = Indirect(pdf, new PdfDictionary(pdf));
        type0.Elements.SetName("/Type", "/Font");
        type0.Elements.SetName("/Subtype", "/Type0");
        type0.Elements.SetName("/BaseFont", "/GlyphLessFont");
        type0.Elements.SetName("/Encoding", "/Identity-H");
        type0.Elements["/DescendantFonts"] = new PdfArray(pdf, cidFont.Reference!);
        type0.Elements.SetReference("/ToUnicode", toUnicode);
        return type0;
    }

    private static PdfDictionary Indirect(PdfDocument pdf, PdfDictionary dictionary)
    {
        pdf.Internals.AddObject(dictionary);
        return dictionary;
    }

    internal static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(data);
        return output.ToArray();
    }
}
