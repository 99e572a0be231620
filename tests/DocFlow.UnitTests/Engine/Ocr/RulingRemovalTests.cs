using DocFlow.Engine.Ocr;

namespace DocFlow.UnitTests.Engine.Ocr;

public sealed class RulingRemovalTests
{
    [Theory]
    [InlineData(762, 1000, true)]   // FUNSD form
    [InlineData(2550, 3300, true)]  // Letter
    [InlineData(4961, 7016, true)]  // A4 (receipts scanned on A4 included)
    [InlineData(744, 1244, false)]  // till receipt
    [InlineData(532, 1336, false)]
    public void Rulings_are_painted_out_except_on_tall_narrow_receipt_pages(int width, int height, bool paintsOut) =>
        Assert.Equal(paintsOut, PagePreparation.PaintsOutRulings(width, height));
}
