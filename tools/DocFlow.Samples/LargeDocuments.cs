using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace DocFlow.Samples;

/// <summary>Long documents for benchmarks and tests of page-level parallelism, made from the corpus' own pages.</summary>
public static class LargeDocuments
{
    /// <summary>A PDF of <paramref name="pages"/> pages, the pages of <paramref name="source"/> repeated in order.</summary>
    public static byte[] Repeat(byte[] source, int pages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pages, 1);
        using var input = PdfReader.Open(new MemoryStream(source), PdfDocumentOpenMode.Import);
        using var output = new PdfDocument();
        for (var i = 0; i < pages; i++)
            output.AddPage(input.Pages[i % input.PageCount]);
        return PdfRender.Save(output);
    }
}
