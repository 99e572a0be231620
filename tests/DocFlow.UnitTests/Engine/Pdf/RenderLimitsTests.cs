using DocFlow.Engine.Pdf;
using DocFlow.Processing;

namespace DocFlow.UnitTests.Engine.Pdf;

public sealed class RenderLimitsTests
{
    private static readonly EngineOptions Defaults = new();

    [Theory]
    [InlineData(595, 842)]    // A4
    [InlineData(612, 1008)]   // Legal
    [InlineData(1191, 1684)]  // A2: 35 MP at 300 dpi, within the 40 MP budget
    public void OrdinaryPages_AreRenderedAtTheConfiguredResolution(float width, float height) =>
        Assert.Equal(300, RenderLimits.Dpi(1, width, height, Defaults));

    [Fact]
    public void HugePage_IsRenderedAtTheResolutionThatFitsTheBudget()
    {
        var dpi = RenderLimits.Dpi(1, 10_000, 10_000, Defaults); // 41,667² pixels at 300 dpi
        Assert.Equal(45, dpi);
        var side = 10_000 / 72.0 * dpi;
        Assert.True(side * side <= Defaults.Limits.MaxRenderPixels);
    }

    [Fact]
    public void LongNarrowPage_StaysWithinTesseractsSideLimit()
    {
        var dpi = RenderLimits.Dpi(1, 100, 20_000, Defaults);
        Assert.True(20_000 / 72.0 * dpi <= EngineLimits.MaxOcrSide);
        Assert.InRange(dpi, 100, 118);
    }

    [Fact]
    public void PageThatDoesNotFitEvenAtTheMinimum_IsRefusedNamingThePageAndTheLimits()
    {
        var e = Assert.Throws<DocumentException>(() => RenderLimits.Dpi(3, 1_000_000, 1_000_000, Defaults));
        Assert.Equal(DocumentErrorCode.TooManyPixels, e.Code);
        Assert.StartsWith("Page 3 ", e.Message, StringComparison.Ordinal);
        Assert.Contains("Engine:Limits:MaxRenderPixels", e.Message, StringComparison.Ordinal);
        Assert.Contains("Engine:Limits:MinRasterDpi", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBudgetIsConfigurable()
    {
        var options = new EngineOptions { Limits = new EngineLimits { MaxRenderPixels = 1_000_000, MinRasterDpi = 100 } };
        Assert.Equal(101, RenderLimits.Dpi(1, 595, 842, options)); // A4 (96.6 square inches) in 1 MP
        Assert.Throws<DocumentException>(() => RenderLimits.Dpi(1, 2_000, 2_000, options));
    }
}
