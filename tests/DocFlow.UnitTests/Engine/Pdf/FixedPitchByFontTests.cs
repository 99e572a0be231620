using DocFlow.Documents;
using DocFlow.Engine.Pdf;

namespace DocFlow.UnitTests.Engine.Pdf;

/// <summary>A word too short to tell its pitch takes its font's, when the font's telling words agree.</summary>
public sealed class FixedPitchByFontTests
{
    private static PdfWord Word(string text, bool? pitch) => new(text, new Box(0, 0, 10, 10), 10, 9, false) { FixedPitch = pitch };

    [Fact]
    public void ShortWords_TakeTheFixedPitchOfTheirFont()
    {
        List<PdfWord> words = [Word("obj", true), Word("infeas", true), Word("rpi", true), Word("N", null), Word("R1", null), Word("Total", false), Word("G", null)];
        string?[] fonts = ["CMTT9", "CMTT9", "CMTT9", "CMTT9", "CMTT9", "CMR10", "CMR10"];

        PageSnapshot.FixedPitchByFont(words, fonts);

        Assert.True(words[3].FixedPitch);
        Assert.True(words[4].FixedPitch);
        // Its font has one telling word: too little to say.
        Assert.Null(words[6].FixedPitch);
        Assert.False(words[5].FixedPitch);
    }

    [Fact]
    public void AFontWhoseWordsDisagree_DecidesNothing()
    {
        List<PdfWord> words = [Word("obj", true), Word("infeas", true), Word("rpi", true), Word("mile", false), Word("N", null)];
        string?[] fonts = ["F1", "F1", "F1", "F1", "F1"];

        PageSnapshot.FixedPitchByFont(words, fonts);

        Assert.Null(words[4].FixedPitch);
    }

    [Fact]
    public void ShortWords_TakeTheProportionalPitchOfTheirFont()
    {
        List<PdfWord> words = [Word("mile", false), Word("little", false), Word("will", false), Word("A", null), Word("x", null)];
        string?[] fonts = ["Helv", "Helv", "Helv", "Helv", null];

        PageSnapshot.FixedPitchByFont(words, fonts);

        Assert.False(words[3].FixedPitch);
        Assert.Null(words[4].FixedPitch);
    }
}
