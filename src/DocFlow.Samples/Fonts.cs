using DocFlow.Reports.Pdf;
using SkiaSharp;

namespace DocFlow.Samples;

/// <summary>The faces the samples use, all DejaVu (present on Debian/Ubuntu as fonts-dejavu-core).</summary>
public enum Face { Sans, SansBold, Serif, SerifBold, Mono, MonoBold }

internal static class Fonts
{
    public const string Directory = DejaVuFontResolver.Directory;

    public static string FileName(Face face) => face switch
    {
        Face.Sans => "DejaVuSans.ttf",
        Face.SansBold => "DejaVuSans-Bold.ttf",
        Face.Serif => "DejaVuSerif.ttf",
        Face.SerifBold => "DejaVuSerif-Bold.ttf",
        Face.Mono => "DejaVuSansMono.ttf",
        Face.MonoBold => "DejaVuSansMono-Bold.ttf",
        _ => throw new ArgumentOutOfRangeException(nameof(face)),
    };

    public static string Family(Face face) => face switch
    {
        Face.Sans or Face.SansBold => "DejaVu Sans",
        Face.Serif or Face.SerifBold => "DejaVu Serif",
        _ => "DejaVu Sans Mono",
    };

    public static bool IsBold(Face face) => face is Face.SansBold or Face.SerifBold or Face.MonoBold;

    public static string PathOf(Face face)
    {
        var path = Path.Combine(Directory, FileName(face));
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Font {path} is missing; install the DejaVu fonts (apt-get install fonts-dejavu-core).", path);
        }
        return path;
    }

    private static readonly Lock Gate = new();
    private static readonly Dictionary<Face, SKTypeface> Typefaces = [];

    public static SKTypeface Typeface(Face face)
    {
        lock (Gate)
        {
            if (!Typefaces.TryGetValue(face, out var tf))
            {
                tf = SKTypeface.FromFile(PathOf(face))
                    ?? throw new InvalidOperationException($"SkiaSharp could not load {PathOf(face)}");
                Typefaces[face] = tf;
            }
            return tf;
        }
    }

    /// <summary>Width of <paramref name="text"/> in points.</summary>
    public static double Measure(string text, Face face, double size)
    {
        using var font = new SKFont(Typeface(face), (float)size);
        return font.MeasureText(text);
    }

    /// <summary>Installs the shared <see cref="DejaVuFontResolver"/> for PDFsharp (one per process, shared with the reports).</summary>
    public static void EnsurePdfSharp() => DejaVuFontResolver.Install();
}
