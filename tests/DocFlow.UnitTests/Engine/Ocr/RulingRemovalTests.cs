using DocFlow.Engine.Ocr;

namespace DocFlow.UnitTests.Engine.Ocr;

public sealed class RulingRemovalTests
{
    [Theory]
    [InlineData(762, 1000, 1.5f, true)]    // FUNSD form, enlarged
    [InlineData(2550, 3300, 1.3f, true)]   // Letter, enlarged
    [InlineData(2550, 3300, 1f, false)]    // Letter read at its own size
    [InlineData(4961, 7016, 0.5f, false)]  // A4 at 600 dpi, reduced
    [InlineData(744, 1244, 1.5f, false)]   // till receipt, even enlarged
    [InlineData(532, 1336, 1f, false)]
    public void Rulings_are_painted_out_only_on_enlarged_pages_that_are_not_receipt_shaped(int width, int height, float factor, bool paintsOut) =>
        Assert.Equal(paintsOut, PagePreparation.PaintsOutRulings(width, height, factor));

    [Theory]
    [InlineData(762, 1000, 1.5f, false)]   // FUNSD form, enlarged: never a second reading
    [InlineData(1080, 1527, 1.2f, false)]  // A4-shaped scan with 10 px glyphs
    [InlineData(2550, 3300, 1f, true)]     // Letter read at its own size
    [InlineData(4961, 7016, 0.5f, true)]   // receipt scanned on A4 at 600 dpi, reduced
    [InlineData(744, 1244, 1.5f, true)]    // till receipt, enlarged
    public void Only_pages_that_are_not_low_resolution_page_scans_may_be_read_again_as_till_receipts(int width, int height, float factor, bool may) =>
        Assert.Equal(may, PagePreparation.MayBeTillReceipt(width, height, factor));
}
