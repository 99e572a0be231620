using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.UnitTests.Engine.Extraction.Normalization;

public sealed class LetterGlyphsTests
{
    [Theory]
    [InlineData("KEDAI UBAT BEST!", "KEDAI UBAT BESTI")]
    [InlineData("LOT $27, JALAN $S2/1", "LOT S27, JALAN SS2/1")]
    [InlineData("TAMAN |NDAH", "TAMAN INDAH")]
    [InlineData("K!OSK MAJU", "KIOSK MAJU")]
    public void Glyphs_no_shop_prints_in_a_name_or_address_read_as_their_letters(string text, string expected) =>
        Assert.Equal(expected, OcrText.LetterGlyphs(text));

    [Theory]
    [InlineData("NO. 5, JALAN 1/2")] // nothing to repair
    [InlineData("TOTAL $ 12.00")] // a dollar sign before a space stays
    [InlineData("A | B")] // a rule between words stays
    [InlineData("12 ! 34")]
    public void Other_text_is_left_as_read(string text) => Assert.Equal(text, OcrText.LetterGlyphs(text));
}
