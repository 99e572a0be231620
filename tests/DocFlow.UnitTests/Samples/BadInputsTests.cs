using System.Buffers.Binary;
using System.Text;
using DocFlow.Samples;
using UglyToad.PdfPig;

namespace DocFlow.UnitTests.Samples;

public sealed class BadInputsTests
{
    [Fact]
    public void Empty_file_is_empty() => Assert.Empty(BadInputs.EmptyFile());

    [Fact]
    public void Truncated_pdf_starts_like_a_pdf_but_has_no_end()
    {
        var bytes = BadInputs.TruncatedPdf();
        Assert.StartsWith("%PDF-", Encoding.Latin1.GetString(bytes, 0, 5), StringComparison.Ordinal);
        var text = Encoding.Latin1.GetString(bytes);
        Assert.DoesNotContain("%%EOF", text, StringComparison.Ordinal);
        Assert.DoesNotContain("startxref", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypted_pdf_needs_its_password()
    {
        var bytes = BadInputs.EncryptedPdf();
        Assert.Contains("/Encrypt", Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() =>
        {
            using var pdf = PdfDocument.Open(bytes);
            _ = pdf.GetPage(1).Text;
        });
        using var opened = PdfDocument.Open(bytes, new ParsingOptions { Password = "docflow" });
        Assert.Contains("Confidential", opened.GetPage(1).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_named_pdf_is_text()
    {
        var bytes = BadInputs.TextNamedPdf();
        Assert.Equal("unknown", SampleCorpusTests.Sniff(bytes));
        Assert.StartsWith("Meeting notes", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10000, 6000)]
    [InlineData(50000, 50000)]
    public void Png_claims_pixels_it_does_not_have(int width, int height)
    {
        var png = BadInputs.PngClaimingPixels(width, height);
        Assert.Equal("image/png", SampleCorpusTests.Sniff(png));
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.True(png.Length < 200, $"{png.Length} bytes");
        Assert.EndsWith("IEND", Encoding.ASCII.GetString(png, png.Length - 8, 4), StringComparison.Ordinal);
    }

    [Fact]
    public void Pdf_with_501_pages_has_501_pages()
    {
        var bytes = BadInputs.PdfWithPages(501);
        using var pdf = PdfDocument.Open(bytes);
        Assert.Equal(501, pdf.NumberOfPages);
        Assert.Equal("501", pdf.GetPage(501).Text);
        Assert.True(bytes.Length < 2_000_000, $"{bytes.Length} bytes");
    }

    /// <summary>Every chunk's CRC is the standard one: the IEND chunk's CRC is the constant AE 42 60 82 in every PNG,
    /// and System.IO.Hashing's Crc32 agrees with the stored value for each chunk (the samples and the test images).</summary>
    [Fact]
    public void Png_chunks_carry_the_standard_crc32()
    {
        foreach (var png in new[] { BadInputs.PngClaimingPixels(), Support.TestImages.Png(5, 3) })
        {
            Assert.Equal([0xAE, 0x42, 0x60, 0x82], png[^4..]);
            var chunks = 0;
            for (var at = 8; at < png.Length; chunks++)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
                var stored = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
                Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(png.AsSpan(at + 4, 4 + length)), stored);
                at += 12 + length;
            }
            Assert.Equal(3, chunks);
        }
    }
}
