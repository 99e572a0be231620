using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.UnitTests.Engine.Extraction.Normalization;

public sealed class OcrLexiconTests
{
    // A hand-made lexicon (document counts), not learned from any data set.
    private static readonly OcrLexicon Lexicon = new(
        new Dictionary<string, int>
        {
            ["SDN"] = 40, ["BHD"] = 45, ["SON"] = 2, ["SANYU"] = 6, ["STATIONERY"] = 20, ["SHOP"] = 9, ["BOOK"] = 12,
            ["KUCHAI"] = 5, ["BUKIT"] = 30, ["JALAN"] = 60, ["TAMAN"] = 50, ["MALURI"] = 4, ["MANIS"] = 4, ["HANIS"] = 4,
        },
        new Dictionary<string, int> { ["SDN BHD"] = 40, ["SANYU STATIONERY"] = 6 });

    [Theory]
    [InlineData("SANYO STATIONERY SHOP", "SANYU STATIONERY SHOP")] // U read as O
    [InlineData("MR. D.I.Y. (KUCHAT) SDN BHD", "MR. D.I.Y. (KUCHAI) SDN BHD")] // edge punctuation kept
    [InlineData("TANAN MALURT", "TAMAN MALURI")] // two words, one substitution each
    [InlineData("SON BHD", "SDN BHD")] // a known word, but one substitution makes a frequent pair
    [InlineData("SDN 3HD", "SDN BHD")] // the pair repairs the right word, digit and all
    [InlineData("FOUR SUN BHD", "FOUR SDN BHD")] // D read as U on faint print: only a frequent pair may swap them
    public void Correct_RepairsConfusableMisreads(string read, string expected) =>
        Assert.Equal(expected, Lexicon.Correct(read));

    [Theory]
    [InlineData("BOON SENG PAPER")] // N→K is not a confusion: a real word the lexicon lacks stays
    [InlineData("NO1, LEBUH")] // words with digits are left to the number rules
    [InlineData("SON OF A")] // a known word outside a frequent pair stays
    [InlineData("JALAN BDKIT")] // U/D alone, without a pair to vouch for it, is no confusion
    [InlineData("SUN DEW")] // nor in a pair the labels do not know
    [InlineData("JALAN NANIS")] // MANIS and HANIS are equally likely: no guess
    [InlineData("AB")] // too short to judge
    public void Correct_LeavesWhatItCannotTell(string read) =>
        Assert.Equal(read, Lexicon.Correct(read));

    [Fact]
    public void Correct_KeepsLineBreaksAndSpacing()
    {
        Assert.Equal("NO. 3,  JALAN\nTAMAN  MALURI,\n", Lexicon.Correct("NO. 3,  JALAN\nTANAN  MALURT,\n"));
    }

    [Fact]
    public void Learn_CountsDocumentsNotOccurrences_AndDropsRareWords()
    {
        var lexicon = OcrLexicon.Learn(
        [
            ["SANYU SANYU SANYU", "JALAN 12"],
            ["SANYU STATIONERY"],
            ["STATIONERY", "JALAN"],
        ]);
        // SANYU in 2 documents, STATIONERY in 2, JALAN in 2; "12" is a number, not a word.
        Assert.Equal(3, lexicon.Count);
        // Known, but from too few documents to change another word into it.
        Assert.Equal("SANYO", lexicon.Correct("SANYO"));
        Assert.Equal(0, OcrLexicon.Learn([["SANYU"]]).Count);
        var often = OcrLexicon.Learn(Enumerable.Range(0, 4).Select(_ => (IEnumerable<string>)["SANYU STATIONERY"]));
        Assert.Equal("SANYU", often.Correct("SANYO"));
    }

    [Fact]
    public void Json_RoundTrips()
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Lexicon.ToJson("test")));
        var back = OcrLexicon.FromJson(stream);
        Assert.Equal(Lexicon.Count, back.Count);
        Assert.Equal("SDN BHD", back.Correct("SON BHD"));
    }

    [Fact]
    public void EmbeddedReceiptLexicon_IsShipped()
    {
        var shipped = OcrLexicon.EmbeddedReceipts;
        Assert.NotNull(shipped);
        Assert.True(shipped.Count > 500, $"{shipped.Count} words");
    }
}
