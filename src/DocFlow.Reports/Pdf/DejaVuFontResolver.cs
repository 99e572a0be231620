using PdfSharp.Fonts;

namespace DocFlow.Reports.Pdf;

/// <summary>
/// PDFsharp font resolver for the DejaVu families (Sans, Serif, Sans Mono; regular and bold), read from
/// the TTF files of fonts-dejavu-core. PDFsharp allows one global resolver per process, so the samples
/// and the reports share this one: call <see cref="Install"/> before creating fonts.
/// </summary>
public sealed class DejaVuFontResolver : IFontResolver
{
    public const string Directory = "/usr/share/fonts/truetype/dejavu";

    private static readonly Lock Gate = new();

    // Face names are part of the PDFs the samples write; keep them stable (the corpus is compared byte for byte).
    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["Sans"] = "DejaVuSans.ttf",
        ["SansBold"] = "DejaVuSans-Bold.ttf",
        ["Serif"] = "DejaVuSerif.ttf",
        ["SerifBold"] = "DejaVuSerif-Bold.ttf",
        ["Mono"] = "DejaVuSansMono.ttf",
        ["MonoBold"] = "DejaVuSansMono-Bold.ttf",
    };

    /// <summary>Installs the resolver as PDFsharp's global one, unless a resolver is already set.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            GlobalFontSettings.FontResolver ??= new DejaVuFontResolver();
        }
    }

    /// <summary>Full path of a face's TTF file ("Sans", "SansBold", "Serif", ... "MonoBold"), or a clear error when missing.</summary>
    public static string PathOf(string faceName)
    {
        if (!Files.TryGetValue(faceName, out var file)) throw new ArgumentOutOfRangeException(nameof(faceName), faceName, "Unknown DejaVu face.");
        var path = Path.Combine(Directory, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Font {path} is missing; install the DejaVu fonts (apt-get install fonts-dejavu-core).", path);
        }
        return path;
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
    {
        var face = familyName.ToUpperInvariant() switch
        {
            "DEJAVU SANS" => bold ? "SansBold" : "Sans",
            "DEJAVU SERIF" => bold ? "SerifBold" : "Serif",
            "DEJAVU SANS MONO" => bold ? "MonoBold" : "Mono",
            _ => null,
        };
        return face is null ? null : new FontResolverInfo(face);
    }

    public byte[]? GetFont(string faceName) =>
        Files.ContainsKey(faceName) ? File.ReadAllBytes(PathOf(faceName)) : null;
}
