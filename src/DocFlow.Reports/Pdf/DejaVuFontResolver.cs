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

    // The one table of DejaVu faces in the code base (the reports, the charts and the sample generator read it).
    // Face names are part of the PDFs the samples write; keep them stable (the corpus is compared byte for byte).
    private static readonly DejaVuFace[] Faces =
    [
        new("Sans", "DejaVuSans.ttf", "DejaVu Sans", Bold: false),
        new("SansBold", "DejaVuSans-Bold.ttf", "DejaVu Sans", Bold: true),
        new("Serif", "DejaVuSerif.ttf", "DejaVu Serif", Bold: false),
        new("SerifBold", "DejaVuSerif-Bold.ttf", "DejaVu Serif", Bold: true),
        new("Mono", "DejaVuSansMono.ttf", "DejaVu Sans Mono", Bold: false),
        new("MonoBold", "DejaVuSansMono-Bold.ttf", "DejaVu Sans Mono", Bold: true),
    ];

    /// <summary>A face by name ("Sans", "SansBold", "Serif", ... "MonoBold").</summary>
    public static DejaVuFace Face(string faceName) =>
        Array.Find(Faces, f => f.Name == faceName) ?? throw new ArgumentOutOfRangeException(nameof(faceName), faceName, "Unknown DejaVu face.");

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
        var path = Path.Combine(Directory, Face(faceName).File);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Font {path} is missing; install the DejaVu fonts (apt-get install fonts-dejavu-core).", path);
        }
        return path;
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
    {
        var face = Array.Find(Faces, f => f.Bold == bold && string.Equals(f.Family, familyName, StringComparison.OrdinalIgnoreCase));
        return face is null ? null : new FontResolverInfo(face.Name);
    }

    public byte[]? GetFont(string faceName) =>
        Array.Exists(Faces, f => f.Name == faceName) ? File.ReadAllBytes(PathOf(faceName)) : null;
}

/// <summary>One DejaVu face: its name (PDFsharp's face name), TTF file, family and weight.</summary>
public sealed record DejaVuFace(string Name, string File, string Family, bool Bold);
