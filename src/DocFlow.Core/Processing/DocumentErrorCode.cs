namespace DocFlow.Processing;

/// <summary>Why a document could not be processed. The wire names are stable (snake_case).</summary>
public enum DocumentErrorCode
{
    /// <summary>The content is not a PDF or a supported image (judged from its bytes, never its name).</summary>
    UnsupportedType,
    /// <summary>The file is larger than the configured limit.</summary>
    TooLarge,
    /// <summary>The document has more pages than the configured limit.</summary>
    TooManyPages,
    /// <summary>A page has more pixels than the configured limit (checked from headers, before decoding).</summary>
    TooManyPixels,
    /// <summary>The content is damaged or truncated.</summary>
    Corrupt,
    /// <summary>The PDF is password protected.</summary>
    Encrypted,
    /// <summary>The per-document time budget ran out.</summary>
    Timeout,
    /// <summary>An unexpected failure inside DocFlow; worth a retry.</summary>
    Internal,
    /// <summary>The page selection names pages the document does not have.</summary>
    InvalidPages,
    /// <summary>The sandboxed engine host died on these bytes (a parser's stack overflow, a native crash) as often as
    /// Engine:Sandbox:PoisonAfterCrashes allows: the same bytes are not tried again anywhere.</summary>
    EngineCrashed,
}

public static class DocumentErrorCodes
{
    public static string ToWireName(this DocumentErrorCode code) => code switch
    {
        DocumentErrorCode.UnsupportedType => "unsupported_type",
        DocumentErrorCode.TooLarge => "too_large",
        DocumentErrorCode.TooManyPages => "too_many_pages",
        DocumentErrorCode.TooManyPixels => "too_many_pixels",
        DocumentErrorCode.Corrupt => "corrupt",
        DocumentErrorCode.Encrypted => "encrypted",
        DocumentErrorCode.Timeout => "timeout",
        DocumentErrorCode.InvalidPages => "invalid_pages",
        DocumentErrorCode.EngineCrashed => "engine_crashed",
        _ => "internal",
    };

    /// <summary>Whether trying again could succeed (only internal failures are transient).</summary>
    public static bool IsTransient(this DocumentErrorCode code) => code == DocumentErrorCode.Internal;
}

/// <summary>A document-level failure with a code and a message a person understands.</summary>
public sealed class DocumentException(DocumentErrorCode code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public DocumentErrorCode Code { get; } = code;

    /// <summary>
    /// The same input fails the same way every time (a parser's or Tesseract's refusal of these bytes), so it is not retried
    /// even when <see cref="Code"/> is <see cref="DocumentErrorCode.Internal"/>.
    /// </summary>
    public bool Deterministic { get; init; }

    /// <summary>Whether trying again could succeed: only internal failures that are not <see cref="Deterministic"/>.</summary>
    public bool IsTransient => Code.IsTransient() && !Deterministic;

    /// <summary>The sniffed media type when it is known (also for unsupported files).</summary>
    public string? MimeType { get; init; }
}
