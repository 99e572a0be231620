using DocFlow.Engine.Pdf;
using DocFlow.Processing;
using DocFlow.Samples;
using DocFlow.UnitTests.Support;

namespace DocFlow.UnitTests.Engine.Pdf;

public sealed class PdfPreflightTests
{
    private static readonly EngineLimits Defaults = new();

    private static DocumentException Refused(byte[] pdf, EngineLimits? limits = null) =>
        Assert.Throws<DocumentException>(() => PdfPreflight.Check(pdf, limits ?? Defaults));

    private static string SamplesFolder()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "DocFlow.slnx"))) root = Path.GetDirectoryName(root)!;
        return Path.Combine(root, "samples");
    }

    [Fact]
    public void EverySamplePdf_PassesWithRoomToSpare()
    {
        var pdfs = Directory.EnumerateFiles(SamplesFolder(), "*.pdf").ToList();
        Assert.NotEmpty(pdfs);
        foreach (var path in pdfs)
        {
            var report = PdfPreflight.Check(File.ReadAllBytes(path), Defaults);
            Assert.True(report.Objects > 3, path);
            Assert.InRange(report.MaxNesting, 1, Defaults.MaxPdfNesting / 4);
            Assert.InRange(report.MaxPaints, 0, 1_000);
        }
    }

    [Fact]
    public void GeneratedPdfs_Pass()
    {
        PdfPreflight.Check(TestPdf.WithPages(4), Defaults);
        PdfPreflight.Check(BadInputs.PdfWithPages(30), Defaults);
        PdfPreflight.Check(BadInputs.EncryptedPdf(), Defaults); // encrypted streams do not inflate: left to PdfPig
    }

    [Fact]
    public void NestedType4Function_IsRefusedAsTooLarge_NamingTheObjectAndTheLimit()
    {
        var e = Refused(BadInputs.NestedFunctionPdf(20_000));
        Assert.Equal(DocumentErrorCode.TooLarge, e.Code);
        Assert.Equal("application/pdf", e.MimeType);
        Assert.Contains("object 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("Engine:Limits:MaxFunctionNesting", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public void NestedType4Function_InAFlateStream_IsRefusedToo() =>
        Assert.Contains("MaxFunctionNesting", Refused(BadInputs.NestedFunctionPdf(20_000, compress: true)).Message, StringComparison.Ordinal);

    [Fact]
    public void ShallowType4Function_Passes_AndTheLimitIsConfigurable()
    {
        var pdf = BadInputs.NestedFunctionPdf(10);
        Assert.Equal(10, PdfPreflight.Check(pdf, Defaults).MaxFunctionNesting);
        Refused(pdf, new EngineLimits { MaxFunctionNesting = 5 });
    }

    [Fact]
    public void XObjectFanOut_IsRefused_ButAModestOnePasses()
    {
        var e = Refused(BadInputs.XObjectFanOutPdf(40));
        Assert.Equal(DocumentErrorCode.TooLarge, e.Code);
        Assert.Contains("Engine:Limits:MaxXObjectPaints", e.Message, StringComparison.Ordinal);

        var report = PdfPreflight.Check(BadInputs.XObjectFanOutPdf(5), Defaults);
        Assert.Equal(5, report.Forms);
        Assert.Equal(1 + 2 + 4 + 8 + 16, report.MaxPaints); // the page draws the first form: 2 draws, each drawing 2, four levels down
        Refused(BadInputs.XObjectFanOutPdf(5), new EngineLimits { MaxXObjectPaints = 20 });
    }

    [Fact]
    public void XObjectFanOut_UnderAnAsciiHexFilter_IsRefusedToo()
    {
        Assert.Contains("MaxXObjectPaints", Refused(BadInputs.XObjectFanOutPdf(40, hexEncoded: true)).Message, StringComparison.Ordinal);
        Assert.Equal(1 + 2 + 4 + 8 + 16, PdfPreflight.Check(BadInputs.XObjectFanOutPdf(5, hexEncoded: true), Defaults).MaxPaints);
    }

    [Fact]
    public void PageDrawingAFormTooOften_IsRefused_CountingWhatTheFormPaints()
    {
        // 3 levels: the first form paints 2 + 4 = 6; drawn 10,000 times by the page: 70,000 paints.
        var pdf = BadInputs.XObjectFanOutPdf(3, pageDraws: 10_000);
        var e = Refused(pdf);
        Assert.Contains("A page of the PDF (object 3) paints 70,000", e.Message, StringComparison.Ordinal);
        Assert.Equal(70_000, PdfPreflight.Check(pdf, new EngineLimits { MaxXObjectPaints = 70_000 }).MaxPaints);
    }

    [Fact]
    public void FormDrawingItself_IsRefusedAsALoop() =>
        Assert.Contains("loop", Refused(BadInputs.XObjectLoopPdf()).Message, StringComparison.Ordinal);

    [Fact]
    public void DeepArrayNesting_IsRefused_InTheFileAndInsideAnObjectStream()
    {
        Assert.Contains("Engine:Limits:MaxPdfNesting", Refused(BadInputs.DeepNestingPdf(100_000)).Message, StringComparison.Ordinal);
        Assert.Contains("object stream 5", Refused(BadInputs.DeepNestingInObjectStreamPdf(100_000)).Message, StringComparison.Ordinal);
        Assert.Equal(20, PdfPreflight.Check(BadInputs.DeepNestingInObjectStreamPdf(20), Defaults).MaxNesting - 1);
    }

    [Fact]
    public void HugeEmbeddedImages_AreRefusedFromTheirDictionary_AsTooManyPixels()
    {
        var e = Refused(BadInputs.EmbeddedImagePdf(35_000, 35_000, 1));
        Assert.Equal(DocumentErrorCode.TooManyPixels, e.Code);
        Assert.Contains("35,000 x 35,000", e.Message, StringComparison.Ordinal);
        Assert.Contains("Engine:Limits:MaxPdfImagePixels", e.Message, StringComparison.Ordinal);

        Assert.Equal(1, PdfPreflight.Check(BadInputs.EmbeddedImagePdf(2_000, 2_000, 8), Defaults).Images);
        Refused(BadInputs.EmbeddedImagePdf(2_000, 2_000, 8), new EngineLimits { MaxPdfImagePixels = 1_000_000 });
    }

    [Fact]
    public void DeflateBomb_IsStoppedAtTheStreamLimit_AndTheTotalLimit()
    {
        var bomb = BadInputs.DeflateBombPdf(64L * 1024 * 1024);
        Assert.Contains("Engine:Limits:MaxStreamBytes", Refused(bomb, new EngineLimits { MaxStreamBytes = 16L * 1024 * 1024 }).Message, StringComparison.Ordinal);
        Assert.Contains("Engine:Limits:MaxTotalStreamBytes",
            Refused(bomb, new EngineLimits { MaxTotalStreamBytes = 32L * 1024 * 1024 }).Message, StringComparison.Ordinal);
        Assert.Equal(64L * 1024 * 1024, PdfPreflight.Check(bomb, Defaults).DecodedBytes);
    }

    [Fact]
    public void ObjectCount_IsLimited()
    {
        var e = Refused(BadInputs.PdfWithPages(30), new EngineLimits { MaxPdfObjects = 20 });
        Assert.Contains("Engine:Limits:MaxPdfObjects", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValuesGivenByReferenceToLaterObjects_AreResolved()
    {
        // /Width, /Height and /Filter point to objects defined after the stream.
        var bomb = new byte[64 * 1024 * 1024];
        using var z = new MemoryStream();
        using (var zs = new System.IO.Compression.ZLibStream(z, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            zs.Write(bomb);
        static byte[] A(string s) => System.Text.Encoding.ASCII.GetBytes(s);
        byte[] pdf = [
            .. A("%PDF-1.7\n1 0 obj\n<< /Type /XObject /Subtype /Image /Width 8 0 R /Height 8 0 R /BitsPerComponent 1 /Length 1 >>\nstream\nx\nendstream\nendobj\n"),
            .. A($"2 0 obj\n<< /Filter 9 0 R /Length {z.Length} >>\nstream\n"), .. z.ToArray(), .. A("\nendstream\nendobj\n"),
            .. A("8 0 obj\n40000\nendobj\n9 0 obj\n/FlateDecode\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"),
        ];

        Assert.Contains("40,000 x 40,000", Refused(pdf).Message, StringComparison.Ordinal);
        var limits = new EngineLimits { MaxPdfImagePixels = long.MaxValue, MaxStreamBytes = 16L * 1024 * 1024 };
        Assert.Contains("MaxStreamBytes", Refused(pdf, limits).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesLookingLikeKeywords_DoNotConfuseTheScan()
    {
        // "/stream" and "/obj" as names, and "endstream" inside a string, must not be taken for structure.
        var pdf = System.Text.Encoding.ASCII.GetBytes(
            "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /stream /obj /Note (not endstream, not [[[ nor <<) >>\nendobj\n" +
            "2 0 obj\n<< /Length 5 >>\nstream\n[[[[[\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
        var report = PdfPreflight.Check(pdf, new EngineLimits { MaxPdfNesting = 4 });
        Assert.Equal(2, report.Objects);
        Assert.Equal(1, report.MaxNesting);
    }
}
