using System.Text;

namespace DocFlow.IntegrationTests.Support;

/// <summary>A one-page PDF written by hand with an uncompressed content stream, so its bytes hold the text as it is
/// (PdfPig's writer encodes it): what "is this file plaintext on disk?" tests search for.</summary>
public static class UncompressedPdf
{
    /// <summary>One line of text on a small page (400 × 200 pt).</summary>
    public static byte[] WithText(string text) => Page($"BT /F1 14 Tf 30 120 Td ({text}) Tj ET", 400, 200);

    /// <summary>Lines of text, one under the other, on a Letter page.</summary>
    public static byte[] WithLines(params string[] lines) =>
        Page("BT /F1 14 Tf 72 720 Td " + string.Join(" 0 -24 Td ", lines.Select(l => $"({l}) Tj")) + " ET", 612, 792);

    private static byte[] Page(string content, int width, int height)
    {
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
        ];
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) pdf.Append($"{offset:D10} 00000 n \n");
        pdf.Append($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }
}
