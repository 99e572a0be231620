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

    /// <summary>As <see cref="Repeat"/>, but every page its own copy (its own image objects, as in a real scan), where
    /// <see cref="Repeat"/> lets the repeated pages share the source's objects.</summary>
    public static byte[] RepeatDistinct(byte[] source, int pages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pages, 1);
        using var output = new PdfDocument();
        PdfDocument? input = null;
        try
        {
            for (var i = 0; i < pages; i++)
            {
                // PDFsharp imports each object of a source document once; a fresh source per round copies it again.
                if (i % GetPageCount(source) == 0)
                {
                    input?.Dispose();
                    input = PdfReader.Open(new MemoryStream(source), PdfDocumentOpenMode.Import);
                }
                output.AddPage(input!.Pages[i % input.PageCount]);
            }
        }
        finally
        {
            input?.Dispose();
        }
        return PdfRender.Save(output);
    }

    private static int GetPageCount(byte[] source)
    {
        using var input = PdfReader.Open(new MemoryStream(source), PdfDocumentOpenMode.Import);
        return input.PageCount;
    }
}
