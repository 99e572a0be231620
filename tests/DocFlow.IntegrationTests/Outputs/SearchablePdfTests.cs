using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DocFlow.Documents;
using DocFlow.Outputs;

namespace DocFlow.IntegrationTests.Outputs;

/// <summary>
/// The searchable PDF of every bundled sample against poppler and qpdf: its text is the Document's text, its words sit on
/// the OCR boxes, its pages render as the input does, the file is valid and its font embedded.
/// </summary>
[Collection(OutputsCollection.Name)]
public sealed partial class SearchablePdfTests(OutputsFixture fixture)
{
    public static TheoryData<string> Samples => [.. OutputsFixture.Samples];

    public static TheoryData<string> ImageSamples =>
        [.. OutputsFixture.Samples.Where(s => !s.EndsWith(".pdf", StringComparison.Ordinal))];

    public static TheoryData<string> PdfSamples =>
        [.. OutputsFixture.Samples.Where(s => s.EndsWith(".pdf", StringComparison.Ordinal))];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private static string Normalise(string text) => Whitespace().Replace(text, " ").Trim();

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Extracted_text_is_the_documents_text_up_to_whitespace(string sample)
    {
        var (exit, text, error) = await OutputsFixture.RunAsync("pdftotext", "-raw", "-enc", "UTF-8", fixture.SearchablePdf(sample), "-");
        Assert.True(exit == 0, error);
        var expected = Normalise(fixture.Documents[sample].Text ?? "");
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Normalise(text));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Words_lie_on_their_OCR_boxes(string sample)
    {
        var document = fixture.Documents[sample];
        var (exit, xhtml, error) = await OutputsFixture.RunAsync("pdftotext", "-bbox", "-enc", "UTF-8", fixture.SearchablePdf(sample), "-");
        Assert.True(exit == 0, error);
        XNamespace ns = "http://www.w3.org/1999/xhtml";
        var pages = XDocument.Parse(xhtml).Descendants(ns + "page").ToList();
        Assert.Equal(document.Pages!.Count, pages.Count);
        var checkedWords = 0;
        foreach (var (page, xpage) in document.Pages.Zip(pages))
        {
            if (page.Dimension?.Unit != "pixels") continue; // text-layer pages keep their own text
            double pw = D(xpage, "width"), ph = D(xpage, "height");
            var words = xpage.Descendants(ns + "word")
                .Select(w => (Text: w.Value, Box: (D(w, "xMin"), D(w, "yMin"), D(w, "xMax"), D(w, "yMax")))).ToList();
            var toOriginal = Affine.FromTransforms(page.Transforms).Inverse();
            var turned = page.Transforms is { Count: > 0 } && Math.Abs(toOriginal.A) < 1e-9;
            double ow = turned ? page.Dimension.Height : page.Dimension.Width, oh = turned ? page.Dimension.Width : page.Dimension.Height;
            foreach (var token in page.Tokens ?? [])
            {
                var text = DocumentAssembler.TextOf(document, token.Layout?.TextAnchor);
                var n = token.Layout!.BoundingPoly!.NormalizedVertices!;
                // The OCR box in the original image's pixels (OCR may have read the page turned), then in points from the top-left.
                var corners = n.Select(v => toOriginal.Apply(v.X * page.Dimension.Width, v.Y * page.Dimension.Height)).ToList();
                var expected = (corners.Min(c => c.X) * pw / ow, corners.Min(c => c.Y) * ph / oh,
                    corners.Max(c => c.X) * pw / ow, corners.Max(c => c.Y) * ph / oh);
                var candidates = words.Where(w => w.Text == text).ToList();
                Assert.True(candidates.Count > 0, $"{sample} page {page.PageNumber}: '{text}' is not among the PDF's words");
                var distance = candidates.Min(w => Max(Math.Abs(w.Box.Item1 - expected.Item1), Math.Abs(w.Box.Item2 - expected.Item2),
                    Math.Abs(w.Box.Item3 - expected.Item3), Math.Abs(w.Box.Item4 - expected.Item4)));
                // Measured: at most 0.09 pt off on the samples (coordinates are written to 4 decimals); 0.5 pt is about 2 pixels at 300 dpi.
                Assert.True(distance <= 0.5, $"{sample} page {page.PageNumber}: '{text}' is {distance:F2} pt from its OCR box");
                checkedWords++;
            }
        }
        if (document.Pages.Any(p => p.Dimension?.Unit == "pixels")) Assert.True(checkedWords > 0);
    }

    private static double Max(params double[] values) => values.Max();

    private static double D(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(PdfSamples))]
    public async Task Pdf_pages_render_pixel_identical_to_the_input(string sample)
    {
        var dir = Directory.CreateTempSubdirectory("docflow-render-").FullName;
        try
        {
            Assert.Equal(0, (await OutputsFixture.RunAsync("pdftoppm", "-r", "100", fixture.Input(sample), Path.Combine(dir, "in"))).Exit);
            Assert.Equal(0, (await OutputsFixture.RunAsync("pdftoppm", "-r", "100", fixture.SearchablePdf(sample), Path.Combine(dir, "out"))).Exit);
            var inputs = Directory.GetFiles(dir, "in-*.ppm").Order().ToList();
            var outputs = Directory.GetFiles(dir, "out-*.ppm").Order().ToList();
            Assert.Equal(fixture.Documents[sample].Pages!.Count, inputs.Count);
            Assert.Equal(inputs.Count, outputs.Count);
            foreach (var (a, b) in inputs.Zip(outputs))
                Assert.True(File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b)), $"{sample}: {Path.GetFileName(b)} differs from the input's render");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Image inputs: the page rendered at the image's own size is the image, pixel for pixel. Rendered with poppler's Cairo
    /// backend (pdftocairo): its Splash backend (pdftoppm) resamples images even at 1:1 and moves ~5 % of the pixels of any
    /// PDF's image (the embedded image itself is untouched: pdfimages gives it back identical, checked below).
    /// </summary>
    [Theory]
    [MemberData(nameof(ImageSamples))]
    public async Task Image_pages_render_pixel_identical_to_the_image(string sample)
    {
        var dir = Directory.CreateTempSubdirectory("docflow-render-").FullName;
        try
        {
            var document = fixture.Documents[sample];
            for (var i = 0; i < document.Pages!.Count; i++)
            {
                var (width, height) = await ImageSizeAsync(fixture.Input(sample), i);
                var prefix = Path.Combine(dir, $"page{i + 1}");
                var (exit, _, error) = await OutputsFixture.RunAsync("pdftocairo", "-png", "-singlefile", "-f", $"{i + 1}", "-l", $"{i + 1}",
                    "-scale-to-x", $"{width}", "-scale-to-y", $"{height}", fixture.SearchablePdf(sample), prefix);
                Assert.True(exit == 0, error);
                var diff = await OutputsFixture.RunAsync("compare", "-metric", "AE", $"{fixture.Input(sample)}[{i}]", prefix + ".png", "null:");
                Assert.True(diff.Error.Trim().Split(' ')[0] == "0", $"{sample} page {i + 1}: {diff.Error.Trim()} pixels differ");

                Assert.Equal(0, (await OutputsFixture.RunAsync("pdfimages", "-png", "-f", $"{i + 1}", "-l", $"{i + 1}", fixture.SearchablePdf(sample), prefix + "-img")).Exit);
                var embedded = await OutputsFixture.RunAsync("compare", "-metric", "AE", $"{fixture.Input(sample)}[{i}]", prefix + "-img-000.png", "null:");
                Assert.True(embedded.Error.Trim().Split(' ')[0] == "0", $"{sample} page {i + 1}: the embedded image differs in {embedded.Error.Trim()} pixels");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_jpeg_is_embedded_byte_for_byte()
    {
        var dir = Directory.CreateTempSubdirectory("docflow-jpeg-").FullName;
        try
        {
            Assert.Equal(0, (await OutputsFixture.RunAsync("pdfimages", "-j", fixture.SearchablePdf("receipt-shop.jpg"), Path.Combine(dir, "img"))).Exit);
            Assert.Equal(await File.ReadAllBytesAsync(fixture.Input("receipt-shop.jpg")), await File.ReadAllBytesAsync(Path.Combine(dir, "img-000.jpg")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(int Width, int Height)> ImageSizeAsync(string path, int frame)
    {
        var (exit, output, error) = await OutputsFixture.RunAsync("identify", "-format", "%w %h", $"{path}[{frame}]");
        Assert.True(exit == 0, error);
        var parts = output.Trim().Split(' ');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>qpdf --check: no errors; no warnings, except those the input PDF already had (the samples' own PDFsharp streams).</summary>
    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Qpdf_check_passes(string sample)
    {
        var output = await OutputsFixture.RunAsync("qpdf", "--check", fixture.SearchablePdf(sample));
        Assert.True(output.Exit is 0 or 3, output.Output + output.Error);
        var warnings = Regex.Matches(output.Output + output.Error, "WARNING").Count;
        var allowed = 0;
        if (sample.EndsWith(".pdf", StringComparison.Ordinal))
        {
            var input = await OutputsFixture.RunAsync("qpdf", "--check", fixture.Input(sample));
            allowed = Regex.Matches(input.Output + input.Error, "WARNING").Count;
        }
        Assert.True(warnings <= allowed, $"{sample}: {warnings} qpdf warnings, the input had {allowed}: {output.Output}{output.Error}");
        if (output.Exit == 0)
            Assert.Contains("No syntax or stream encoding errors found", output.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task The_text_layer_font_is_embedded_with_a_unicode_map_and_text_layer_pages_are_kept(string sample)
    {
        var (exit, fonts, error) = await OutputsFixture.RunAsync("pdffonts", fixture.SearchablePdf(sample));
        Assert.True(exit == 0, error);
        var ours = fonts.Split('\n').Where(l => l.Contains("GlyphLessFont", StringComparison.Ordinal)).ToList();
        var ocrPages = fixture.Documents[sample].Pages!.Count(p => p.Dimension?.Unit == "pixels");
        if (ocrPages == 0)
        {
            // Every page had its own text layer: nothing of ours is added, and the text is the input's.
            Assert.Empty(ours);
            var before = await OutputsFixture.RunAsync("pdftotext", "-layout", fixture.Input(sample), "-");
            var after = await OutputsFixture.RunAsync("pdftotext", "-layout", fixture.SearchablePdf(sample), "-");
            Assert.Equal(before.Output, after.Output);
            return;
        }
        Assert.Single(ours);
        // name type encoding emb sub uni object ID: embedded yes, Unicode map yes.
        var columns = ours[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["yes", "no", "yes"], columns[^5..^2]);
    }

    [Fact]
    public void An_encrypted_pdf_is_refused_with_a_reason()
    {
        var document = fixture.Documents["scanned-contract.pdf"];
        var encrypted = DocFlow.Samples.BadInputs.EncryptedPdf();
        var ex = Assert.Throws<NotSupportedException>(() => SearchablePdf.Write(document, encrypted, CancellationToken.None));
        Assert.Contains("cannot be opened", ex.Message, StringComparison.Ordinal);
    }
}
