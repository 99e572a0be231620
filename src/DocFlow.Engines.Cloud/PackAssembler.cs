using DocFlow.Processing;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace DocFlow.Engines.Cloud;

/// <summary>Assembles the documents of a pack into one PDF with PDFsharp: a PDF's pages imported as they are, a JPEG or
/// PNG image drawn as one page of its own size.</summary>
internal static class PackAssembler
{
    /// <summary>Media types that can go into a pack (the local sniffer's names).</summary>
    public static bool CanPack(string mimeType) => mimeType is "application/pdf" or "image/jpeg" or "image/png";

    /// <summary>The pack's PDF. A document PDFsharp cannot take (encrypted, damaged, a page count other than the local
    /// inspection's, an image it cannot decode) is left out and reported in <paramref name="refused"/>; the rest keep their order.</summary>
    /// <returns>The PDF, and the documents in it in page order (empty when none could be taken: then no PDF).</returns>
    public static (byte[]? Pdf, IReadOnlyList<T> Packed) Assemble<T>(IReadOnlyList<T> items, Func<T, (DocumentInput Input, DocumentOutline Outline)> document,
        List<(T Item, string Reason)> refused)
    {
        using var output = new PdfDocument();
        output.Options.CompressContentStreams = true;
        var packed = new List<T>(items.Count);
        foreach (var item in items)
        {
            var (input, outline) = document(item);
            var before = output.PageCount;
            try
            {
                if (outline.MimeType == "application/pdf")
                {
                    using var source = PdfReader.Open(new MemoryStream(input.Content.ToArray(), writable: false), PdfDocumentOpenMode.Import);
                    if (source.PageCount != outline.Pages)
                    {
                        refused.Add((item, $"PDFsharp reads {source.PageCount} pages, the inspection {outline.Pages}"));
                        continue;
                    }
                    for (var p = 0; p < source.PageCount; p++) output.AddPage(source.Pages[p]);
                }
                else
                {
                    using var stream = new MemoryStream(input.Content.ToArray(), writable: false);
                    using var image = XImage.FromStream(stream);
                    var page = output.AddPage();
                    page.Width = XUnit.FromPoint(image.PointWidth);
                    page.Height = XUnit.FromPoint(image.PointHeight);
                    using var gfx = XGraphics.FromPdfPage(page);
                    gfx.DrawImage(image, 0, 0, image.PointWidth, image.PointHeight);
                }
                packed.Add(item);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Pages added before the failure go again, so the pack holds whole documents only.
                while (output.PageCount > before) output.Pages.RemoveAt(output.PageCount - 1);
                refused.Add((item, $"{ex.GetType().Name}: {ex.Message}"));
            }
        }
        if (packed.Count == 0) return (null, packed);
        using var ms = new MemoryStream();
        output.Save(ms, closeStream: false);
        return (ms.ToArray(), packed);
    }
}
