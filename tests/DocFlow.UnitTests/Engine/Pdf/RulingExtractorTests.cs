using DocFlow.Engine.Pdf;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace DocFlow.UnitTests.Engine.Pdf;

public sealed class RulingExtractorTests
{
    [Fact]
    public void ReadPage_DrawnLinesAndRectangle_BecomeRulingsInTopLeftPoints()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(595, 842);
        page.AddText("Region Shipments Revenue", 11, new PdfPoint(72, 842 - 100), font);
        page.DrawLine(new PdfPoint(72, 842 - 105), new PdfPoint(400, 842 - 105), 1);   // under the header
        page.DrawLine(new PdfPoint(200, 842 - 90), new PdfPoint(200, 842 - 160), 1);   // a column rule
        page.DrawLine(new PdfPoint(72, 842 - 300), new PdfPoint(300, 842 - 420), 1);   // a diagonal: not a ruling
        page.DrawRectangle(new PdfPoint(72, 842 - 220), 20, 10, 1);                      // a box, 210..220 from the top

        using var source = PdfSource.Open(builder.Build());
        var rulings = source.ReadPage(1).TextLayer!.Rulings;

        Assert.Contains(rulings, r => r.IsHorizontal && Near(r.Y1, 105) && Near(r.X1, 72) && Near(r.X2, 400));
        Assert.Contains(rulings, r => !r.IsHorizontal && Near(r.X1, 200) && Near(r.Y1, 90) && Near(r.Y2, 160));
        Assert.Contains(rulings, r => r.IsHorizontal && Near(r.Y1, 220) && Near(r.X1, 72) && Near(r.X2, 92));
        Assert.Contains(rulings, r => r.IsHorizontal && Near(r.Y1, 210));
        Assert.Equal(2, rulings.Count(r => !r.IsHorizontal && Near(r.Y1, 210) && Near(r.Y2, 220)));
        Assert.DoesNotContain(rulings, r => r.Y1 > 290 && r.Y1 < 430 && r.X1 > 70 && r.X1 < 310 && r.Y2 > 290);
    }

    private static bool Near(float a, float b) => Math.Abs(a - b) <= 1.5f;
}
