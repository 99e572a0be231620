using System.Text;

namespace DocFlow.Samples;

/// <summary>The demo corpus: twelve documents like the ones users send, each with <c>NAME.truth.json</c>.</summary>
public static class SampleCorpus
{
    public const int DefaultSeed = 20261129;

    private static readonly Func<Random, GeneratedDocument>[] Makers =
    [
        Documents.InvoiceScan,
        Documents.LetterSkewed,
        Documents.MemoRotated,
        Documents.FaxTiff,
        Documents.ReceiptPhoto,
        Documents.FormScan,
        PdfDocuments.InvoiceDigital,
        PdfDocuments.ReportMultipage,
        PdfDocuments.ScannedContract,
        PdfDocuments.Mixed,
        PdfDocuments.FormFilled,
        PdfDocuments.ReceiptDigital,
    ];

    /// <summary>
    /// Writes the corpus into <paramref name="directory"/> (created if needed; existing sample files are
    /// overwritten) and returns the paths of the twelve documents, in a fixed order. The same seed gives
    /// the same bytes on every run.
    /// </summary>
    public static IReadOnlyList<string> Generate(string directory, int seed = DefaultSeed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var docs = Build(seed);
        var paths = new List<string>(docs.Count);
        foreach (var doc in docs)
        {
            var path = Path.Combine(directory, doc.FileName);
            File.WriteAllBytes(path, doc.Content);
            doc.Truth.Save(Path.Combine(directory, TruthFileName(doc.FileName)));
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>"invoice-scan.png" → "invoice-scan.truth.json".</summary>
    public static string TruthFileName(string documentFileName) =>
        Path.GetFileNameWithoutExtension(documentFileName) + ".truth.json";

    internal static IReadOnlyList<GeneratedDocument> Build(int seed)
    {
        var docs = new List<GeneratedDocument>(Makers.Length);
        for (var i = 0; i < Makers.Length; i++)
        {
            // One generator per document, so that changing one document leaves the others unchanged.
            docs.Add(Makers[i](new Random(unchecked(seed + i * 7919))));
        }
        return docs;
    }

    /// <summary>A Markdown description of the corpus (docs/samples.md). Not written into the corpus folder,
    /// where `docflow process` would take it for a document.</summary>
    public static string Describe(int seed = DefaultSeed) => Readme(Build(seed), seed);

    private static string Readme(IReadOnlyList<GeneratedDocument> docs, int seed)
    {
        var sb = new StringBuilder();
        sb.Append("# DocFlow demo corpus\n\n");
        sb.Append("Twelve fictional documents of the kinds users send, each with its ground truth in `NAME.truth.json`.\n");
        sb.Append(System.FormattableString.Invariant($"All names, companies, addresses, IBANs and amounts are invented. Made by `docflow samples DIR` (seed {seed});\n"));
        sb.Append("running it again writes the same bytes.\n\n");
        sb.Append("| file | type | pages | what it shows |\n|---|---|---|---|\n");
        foreach (var d in docs)
        {
            var kinds = string.Join(", ", d.Truth.Pages.Select(p => p.Kind + (p.Rotation != 0 ? $" (rotated {p.Rotation}°)" : "")).Distinct());
            sb.Append(System.FormattableString.Invariant($"| `{d.FileName}` | {d.Truth.DocumentType} | {d.Truth.Pages.Count} ({kinds}) | {d.Description} |\n"));
        }
        sb.Append("""

            ## Ground truth

            `NAME.truth.json` (camelCase JSON, `DocFlow.Samples.GroundTruth`) holds `file`, `mimeType`, `documentType`,
            `pages[]` (`pageNumber`, `kind`: `text` for a PDF text layer or `ocr` for an image/scanned page,
            `rotation`: degrees the page content is turned clockwise in the file, `skewDegrees`, `text`),
            `fields` (key → value as printed; checkbox states are `checked`/`unchecked`,
            `currency` is the ISO code),
            `entities[]` (`type` as in Google Document AI, `mentionText` exactly as printed, `normalized`:
            ISO date, plain decimal amount, currency code, or the cleaned value) and `tables[]`
            (`pageNumber`, `header`, `rows`).

            Page text convention: the page's visual lines top to bottom, the words of a line joined by one
            space, every line ended by `\n` (the last one too). A table row is one line. Checkboxes drawn as
            graphics (in `form-scan.png`) are not text; the digital form uses the glyphs ☐/☑, which are text.

            Scanned pages are rendered at 300 dpi with a slight blur, paper tone variation, sparse speckles and
            a small skew, but stay clean enough for Tesseract to read them with a character error rate of a few
            percent at most.

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        return sb.ToString();
    }
}
