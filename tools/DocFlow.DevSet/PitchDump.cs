using DocFlow.Engine;
using DocFlow.Processing;
using DocFlow.Queueing;

namespace DocFlow.DevSet;

/// <summary>Debugging aid: the words of a PDF page with their fonts and glyph advances, or the rulings the engine reads.</summary>
internal static class PitchDump
{
    public static int Run(string pdf, int page)
    {
        using var doc = UglyToad.PdfPig.PdfDocument.Open(pdf);
        foreach (var w in doc.GetPage(page).GetWords().Take(400))
        {
            var adv = string.Join(",", w.Letters.Select(l => (l.EndBaseLine.X - l.StartBaseLine.X).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)));
            Console.WriteLine($"{w.Text}\t{w.Letters[0].FontName}\t{adv}");
        }
        return 0;
    }

    public static async Task<int> RulingsAsync(string pdf, int page)
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 1, MaxPages = 10_000 });
        var result = await engine.ProcessPagesAsync(new DocumentInput("x", await File.ReadAllBytesAsync(pdf)), new PageRange(page, page), CancellationToken.None);
        foreach (var r in result.Layouts[0].Rulings.OrderBy(r => r.Y1).ThenBy(r => r.X1))
            Console.WriteLine($"{(r.IsHorizontal ? "H" : "V")} {r.X1:F1},{r.Y1:F1} - {r.X2:F1},{r.Y2:F1}");
        return 0;
    }
}
