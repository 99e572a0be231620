using DocFlow.Documents;

namespace DocFlow.Outputs;

/// <summary>The files `docflow process --format` writes per document.</summary>
[Flags]
public enum OutputFormats
{
    None = 0,
    /// <summary>NAME.json: the Document (Document AI v1 JSON).</summary>
    Json = 1,
    /// <summary>NAME.searchable.pdf: the input with an invisible text layer.</summary>
    Pdf = 2,
    /// <summary>NAME.hocr: hOCR 1.2.</summary>
    Hocr = 4,
    /// <summary>NAME.md: Markdown.</summary>
    Markdown = 8,
    /// <summary>NAME.txt: the Document's text.</summary>
    Text = 16,
}

public static class OutputFormat
{
    public const string Names = "json, pdf, hocr, md, txt";

    /// <summary>Parses "json,pdf,hocr,md,txt" (any order, case-insensitive); the error names the value that is wrong.</summary>
    public static bool TryParse(string? value, out OutputFormats formats, out string? error)
    {
        formats = OutputFormats.None;
        error = null;
        foreach (var part in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            OutputFormats? one = part.ToLowerInvariant() switch
            {
                "json" => OutputFormats.Json,
                "pdf" => OutputFormats.Pdf,
                "hocr" => OutputFormats.Hocr,
                "md" or "markdown" => OutputFormats.Markdown,
                "txt" or "text" => OutputFormats.Text,
                _ => null,
            };
            if (one is null)
            {
                error = $"unknown format '{part}': choose from {Names}";
                return false;
            }
            formats |= one.Value;
        }
        if (formats == OutputFormats.None)
        {
            error = $"no format given: choose from {Names}";
            return false;
        }
        return true;
    }

    /// <summary>The file name suffix of a format (appended to the input's name).</summary>
    public static string Suffix(OutputFormats format) => format switch
    {
        OutputFormats.Json => ".json",
        OutputFormats.Pdf => ".searchable.pdf",
        OutputFormats.Hocr => ".hocr",
        OutputFormats.Markdown => ".md",
        OutputFormats.Text => ".txt",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "One format at a time."),
    };

    /// <summary>Writes one non-JSON format of <paramref name="document"/>; <paramref name="original"/> is read only for the PDF.</summary>
    public static async Task WriteAsync(OutputFormats format, Document document, Func<CancellationToken, Task<byte[]>> original, Stream output,
        string? title, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case OutputFormats.Pdf:
                var bytes = await original(cancellationToken).ConfigureAwait(false);
                SearchablePdf.Write(document, bytes, output, cancellationToken);
                break;
            case OutputFormats.Hocr:
                await WriteTextAsync(output, Hocr.Write(document, title), cancellationToken).ConfigureAwait(false);
                break;
            case OutputFormats.Markdown:
                await WriteTextAsync(output, Markdown.Write(document), cancellationToken).ConfigureAwait(false);
                break;
            case OutputFormats.Text:
                await WriteTextAsync(output, document.Text ?? "", cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Not a single non-JSON format.");
        }
    }

    private static async Task WriteTextAsync(Stream output, string text, CancellationToken ct) =>
        await output.WriteAsync(new System.Text.UTF8Encoding(false).GetBytes(text), ct).ConfigureAwait(false);
}
