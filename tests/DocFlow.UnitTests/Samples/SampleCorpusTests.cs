using System.Buffers.Binary;
using DocFlow.Samples;
using UglyToad.PdfPig;

namespace DocFlow.UnitTests.Samples;

public sealed class CorpusFixture : IDisposable
{
    public CorpusFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "docflow-samples-" + Guid.NewGuid().ToString("N"));
        Paths = SampleCorpus.Generate(Directory);
    }

    public string Directory { get; }

    public IReadOnlyList<string> Paths { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class SampleCorpusTests(CorpusFixture corpus) : IClassFixture<CorpusFixture>
{
    internal static string Sniff(byte[] b) => b switch
    {
        [0x25, 0x50, 0x44, 0x46, 0x2D, ..] => "application/pdf",
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x49, 0x49, 0x2A, 0x00, ..] or [0x4D, 0x4D, 0x00, 0x2A, ..] => "image/tiff",
        [0x42, 0x4D, ..] => "image/bmp",
        _ => "unknown",
    };

    [Fact]
    public void Generates_twelve_documents_six_images_and_six_pdfs()
    {
        Assert.Equal(12, corpus.Paths.Count);
        var types = corpus.Paths.Select(p => Sniff(File.ReadAllBytes(p))).ToList();
        Assert.Equal(6, types.Count(t => t == "application/pdf"));
        Assert.Equal(6, types.Count(t => t.StartsWith("image/", StringComparison.Ordinal)));
        Assert.DoesNotContain("unknown", types);
        // Only documents and their truth: anything else would be taken for a document by `docflow process`.
        Assert.All(Directory.EnumerateFiles(corpus.Directory), f =>
            Assert.True(corpus.Paths.Contains(f) || f.EndsWith(".truth.json", StringComparison.Ordinal), f));
        var total = corpus.Paths.Sum(p => new FileInfo(p).Length);
        Assert.True(total < 12_000_000, $"corpus is {total} bytes");
    }

    [Fact]
    public void Generating_twice_gives_identical_bytes()
    {
        var other = Path.Combine(Path.GetTempPath(), "docflow-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            SampleCorpus.Generate(other);
            var a = System.IO.Directory.GetFiles(corpus.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            var b = System.IO.Directory.GetFiles(other).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(a, b);
            foreach (var name in a)
            {
                var left = File.ReadAllBytes(Path.Combine(corpus.Directory, name!));
                var right = File.ReadAllBytes(Path.Combine(other, name!));
                Assert.True(left.AsSpan().SequenceEqual(right), $"{name} differs between two runs");
            }
        }
        finally
        {
            System.IO.Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void Another_seed_gives_other_documents()
    {
        var other = Path.Combine(Path.GetTempPath(), "docflow-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            SampleCorpus.Generate(other, seed: 7);
            var a = GroundTruth.Load(Path.Combine(corpus.Directory, "invoice-digital.truth.json"));
            var b = GroundTruth.Load(Path.Combine(other, "invoice-digital.truth.json"));
            Assert.NotEqual(a.Fields["invoice_id"], b.Fields["invoice_id"]);
        }
        finally
        {
            System.IO.Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void Every_truth_file_loads_and_follows_the_text_convention()
    {
        foreach (var path in corpus.Paths)
        {
            var truthPath = Path.Combine(corpus.Directory, SampleCorpus.TruthFileName(Path.GetFileName(path)));
            var truth = GroundTruth.Load(truthPath);
            Assert.Equal(Path.GetFileName(path), truth.File);
            Assert.Equal(Sniff(File.ReadAllBytes(path)), truth.MimeType);
            Assert.Contains(truth.DocumentType, new[] { "invoice", "receipt", "form", "letter", "report", "other" });
            Assert.NotEmpty(truth.Pages);
            for (var i = 0; i < truth.Pages.Count; i++)
            {
                var page = truth.Pages[i];
                Assert.Equal(i + 1, page.PageNumber);
                Assert.Contains(page.Kind, new[] { "text", "ocr" });
                Assert.Contains(page.Rotation, new[] { 0, 90, 180, 270 });
                Assert.EndsWith("\n", page.Text, StringComparison.Ordinal);
                foreach (var line in page.Text[..^1].Split('\n'))
                {
                    Assert.False(string.IsNullOrEmpty(line), $"{truth.File}: empty line");
                    Assert.Equal(line.Trim(), line);
                    Assert.DoesNotContain("  ", line, StringComparison.Ordinal);
                }
            }
            foreach (var e in truth.Entities)
            {
                Assert.Contains(e.MentionText, truth.Text, StringComparison.Ordinal);
                Assert.False(string.IsNullOrWhiteSpace(e.Normalized));
            }
            foreach (var table in truth.Tables)
            {
                var pageText = truth.Pages[table.PageNumber - 1].Text;
                Assert.Contains(string.Join(' ', table.Header) + "\n", pageText, StringComparison.Ordinal);
                foreach (var row in table.Rows)
                {
                    Assert.Equal(table.Header.Count, row.Count);
                    Assert.Contains(string.Join(' ', row) + "\n", pageText, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void Invoice_truth_has_the_invoice_fields()
    {
        foreach (var name in new[] { "invoice-scan.truth.json", "invoice-digital.truth.json" })
        {
            var truth = GroundTruth.Load(Path.Combine(corpus.Directory, name));
            Assert.Equal("invoice", truth.DocumentType);
            foreach (var key in new[] { "invoice_id", "invoice_date", "due_date", "supplier_name", "receiver_name", "net_amount", "total_tax_amount", "total_amount", "currency" })
            {
                Assert.True(truth.Fields.ContainsKey(key), $"{name}: {key}");
            }
            var table = Assert.Single(truth.Tables);
            Assert.Equal(["Description", "Qty", "Unit price", "Amount"], table.Header);
            Assert.InRange(table.Rows.Count, 4, 6);
            var net = decimal.Parse(truth.Entities.First(e => e.Type == "net_amount").Normalized, System.Globalization.CultureInfo.InvariantCulture);
            var tax = decimal.Parse(truth.Entities.First(e => e.Type == "total_tax_amount").Normalized, System.Globalization.CultureInfo.InvariantCulture);
            var total = decimal.Parse(truth.Entities.First(e => e.Type == "total_amount").Normalized, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(net + tax, total);
        }
    }

    [Fact]
    public void Ibans_have_valid_check_digits()
    {
        foreach (var path in System.IO.Directory.GetFiles(corpus.Directory, "*.truth.json"))
        {
            var truth = GroundTruth.Load(path);
            foreach (var (key, value) in truth.Fields.Where(f => f.Key.Equals("iban", StringComparison.OrdinalIgnoreCase)))
            {
                var iban = value.Replace(" ", "", StringComparison.Ordinal);
                var rearranged = iban[4..] + iban[..4];
                var mod = 0;
                foreach (var ch in rearranged)
                {
                    var digits = char.IsDigit(ch) ? (ch - '0').ToString(System.Globalization.CultureInfo.InvariantCulture)
                                                   : (ch - 'A' + 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    foreach (var d in digits)
                    {
                        mod = (mod * 10 + (d - '0')) % 97;
                    }
                }
                Assert.True(mod == 1, $"{truth.File}: {key} {value}");
            }
        }
    }

    [Fact]
    public void Pdf_text_layers_match_the_truth_and_scanned_pages_have_none()
    {
        foreach (var path in corpus.Paths.Where(p => p.EndsWith(".pdf", StringComparison.Ordinal)))
        {
            var truth = GroundTruth.Load(Path.Combine(corpus.Directory, SampleCorpus.TruthFileName(Path.GetFileName(path))));
            using var pdf = PdfDocument.Open(path);
            Assert.Equal(truth.Pages.Count, pdf.NumberOfPages);
            foreach (var tp in truth.Pages)
            {
                var page = pdf.GetPage(tp.PageNumber);
                if (tp.Kind == "text")
                {
                    var words = string.Join(' ', page.GetWords().Select(w => w.Text));
                    var expected = string.Join(' ', tp.Text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
                    Assert.Equal(expected, words);
                }
                else
                {
                    Assert.Empty(page.Letters);
                    Assert.Single(page.GetImages());
                }
            }
        }
    }

    [Fact]
    public void Images_have_the_promised_shapes()
    {
        var memo = File.ReadAllBytes(Path.Combine(corpus.Directory, "memo-rotated.png"));
        var (w, h) = (BinaryPrimitives.ReadInt32BigEndian(memo.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(memo.AsSpan(20)));
        Assert.True(w > h, "the rotated memo is landscape");
        Assert.Equal(90, GroundTruth.Load(Path.Combine(corpus.Directory, "memo-rotated.truth.json")).Pages[0].Rotation);

        var tiff = File.ReadAllBytes(Path.Combine(corpus.Directory, "fax-3pages.tif"));
        Assert.Equal(3, CountTiffPages(tiff));
        Assert.Equal(3, GroundTruth.Load(Path.Combine(corpus.Directory, "fax-3pages.truth.json")).Pages.Count);

        var skew = GroundTruth.Load(Path.Combine(corpus.Directory, "letter-skewed.truth.json")).Pages[0].SkewDegrees;
        Assert.InRange(Math.Abs(skew), 1.0, 2.0);
    }

    internal static int CountTiffPages(byte[] tiff)
    {
        Assert.Equal((byte)'I', tiff[0]);
        var pages = 0;
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(4));
        while (offset != 0)
        {
            pages++;
            var entries = BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan((int)offset));
            offset = BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan((int)offset + 2 + entries * 12));
        }
        return pages;
    }

    [Fact]
    public void Committed_corpus_is_what_the_generator_makes()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "DocFlow.slnx"))) root = Path.GetDirectoryName(root)!;
        var committed = Path.Combine(root, "samples");
        foreach (var path in Directory.EnumerateFiles(corpus.Directory))
        {
            var name = Path.GetFileName(path);
            Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(committed, name))),
                $"samples/{name} differs from `docflow samples` output: regenerate and commit it");
        }
        Assert.Equal(Directory.EnumerateFiles(corpus.Directory).Count(), Directory.EnumerateFiles(committed).Count());
    }
}
