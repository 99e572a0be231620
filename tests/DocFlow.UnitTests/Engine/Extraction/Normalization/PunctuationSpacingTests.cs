using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.UnitTests.Engine.Extraction.Normalization;

public sealed class PunctuationSpacingTests
{
    [Theory]
    // The reading glues what the known spelling spaces, and the other way round.
    [InlineData("LEVEL 2, JALAN SS9/12, 46300 BANDAR BARU", "Level 2, Jalan $S9/12,46300 Bandar Baru", "LEVEL 2, JALAN SS9/12,46300 BANDAR BARU")]
    [InlineData("NO.7,JALAN KENARI,TAMAN BAYU", "NO.7, JALAN KENAR1, TAMAN BAYU", "NO.7, JALAN KENARI, TAMAN BAYU")]
    [InlineData("NO. 9 & 11, JALAN PAYA", "NO.9&11, JALAN PAYA", "NO.9&11, JALAN PAYA")]
    // A line break in the reading is a space.
    [InlineData("LOT 3,JALAN MERAH", "LOT 3,\nJALAN MERAH", "LOT 3, JALAN MERAH")]
    public void The_known_text_takes_the_readings_spacing_beside_punctuation(string known, string reading, string expected) =>
        Assert.Equal(expected, PunctuationSpacing.SpacedLike(known, reading));

    [Theory]
    // Spaces between letters or digits are the known text's own.
    [InlineData("TAMAN SRI PUTRA, 81200 JOHOR", "TAMAN SRIPUTRA,81200 JOHOR", "TAMAN SRI PUTRA,81200 JOHOR")]
    // A comma the reading lost (or read as another glyph) says nothing about the space beside it.
    [InlineData("NO.5, JALAN BUKIT", "N0.5 JALAN BUKIT", "NO.5, JALAN BUKIT")]
    [InlineData("NO.5, JALAN BUKIT", "@ 0.5 sean BUKIT", "NO.5, JALAN BUKIT")]
    // Nothing read: the known text as it is.
    [InlineData("NO.5, JALAN BUKIT", "", "NO.5, JALAN BUKIT")]
    public void Elsewhere_the_known_text_keeps_its_own_spacing(string known, string reading, string expected) =>
        Assert.Equal(expected, PunctuationSpacing.SpacedLike(known, reading));

    [Fact]
    public void A_settled_gap_keeps_the_known_spacing()
    {
        // Gap 4 follows the comma of "LOT 3," (the fifth character that is not a space), gap 15 the comma of "MERAH,".
        Assert.Equal("LOT 3, JALAN MERAH,KLANG", PunctuationSpacing.SpacedLike("LOT 3, JALAN MERAH, KLANG", "LOT 3,JALAN MERAH,KLANG", t => t == 4));
        Assert.Equal("LOT 3,JALAN MERAH, KLANG", PunctuationSpacing.SpacedLike("LOT 3, JALAN MERAH, KLANG", "LOT 3,JALAN MERAH,KLANG", t => t == 15));
    }

    [Fact]
    public void The_characters_of_the_known_text_never_change()
    {
        const string known = "NO. 21, JLN MUTIARA 4/2, 81300 SKUDAI, JOHOR.";
        var spaced = PunctuationSpacing.SpacedLike(known, "N0.21,JLN MUT1ARA 4/2 , 81300 SKUDAI,JOHOR");
        Assert.Equal(known.Replace(" ", ""), spaced.Replace(" ", ""));
        Assert.Equal("NO.21,JLN MUTIARA 4/2 , 81300 SKUDAI,JOHOR.", spaced);
    }
}
