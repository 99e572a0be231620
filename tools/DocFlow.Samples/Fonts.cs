using DocFlow.Reports.Pdf;
using SkiaSharp;

namespace DocFlow.Samples;

/// <summary>The faces the samples use, all DejaVu (present on Debian/Ubuntu as fonts-dejavu-core).</summary>
public enum Face { Sans, SansBold, Serif, SerifBold, Mono, MonoBold }

internal static class Fonts
{
    // Face names are DejaVuFontResolver's: its table is the only one (file, family, weight).
    public static string Family(Face face) => DejaVuFontResolver.Face(face.ToString()).Family;

    public static bool IsBold(Face face) => DejaVuFontResolver.Face(face.ToString()).Bold;

    public static string PathOf(Face face) => DejaVuFontResolver.PathOf(face.ToString());

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
