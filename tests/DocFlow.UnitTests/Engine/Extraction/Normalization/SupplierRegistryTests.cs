using System.Text;
using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.UnitTests.Engine.Extraction.Normalization;

public sealed class SupplierRegistryTests
{
    // A hand-made registry, not learned from any data set.
    private static readonly SupplierRegistry Registry = SupplierRegistry.Learn(
    [
        ("TEO HENG STATIONERY & BOOKS", "NO.53, JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR"),
        ("TEO HENG STATIONERY & BOOKS", "NO.53, JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR"),
        ("TEO HENG STATIONERY & BOOKS", "NO.53,JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR"), // a label with one space less
        ("MR D.I.Y. (M) SDN BHD", "LOT 1851-A, JALAN KPB 6, 43300 SERI KEMBANGAN, SELANGOR"),
        ("MR D.I.Y. (M) SDN BHD", "NO. 9, JALAN PERMAS 9/5, 81750 JOHOR BAHRU"),
        ("KEDAI MAJU SDN BHD", "NO. 10, JALAN MAWAR 3, 53100 KUALA LUMPUR"),
        ("KEDAI MAJA SDN BHD", "NO. 70, JALAN MAWAR 8, 53100 KUALA LUMPUR"),
        ("KHE ELECTRICAL TRADING", "NO. 2, JALAN SEPADU 25/C, 40400 SHAH ALAM"),
    ]);

    [Theory]
    [InlineData("TED HENG STATIONERY & BOOKS", "TEO HENG STATIONERY & BOOKS")] // one misread glyph
    [InlineData("TEO HENG STATIONERY& BOOKS", "TEO HENG STATIONERY & BOOKS")] // spaces do not count
    [InlineData("MR D.I.¥. (M) SDN BHD", "MR D.I.Y. (M) SDN BHD")]
    [InlineData("KHF ELECTRICAL TRADING", "KHE ELECTRICAL TRADING")]
    [InlineData("— ELECTRICAL TRADING", "KHE ELECTRICAL TRADING")] // a word lost to a smudge is not another word
    public void ResolveName_TakesAMisreadNameForTheOneKnownNameItIsClosestTo(string reading, string expected) =>
        Assert.Equal(expected, Registry.ResolveName(reading)?.Name);

    [Theory]
    [InlineData("GOLDEN BAKERY SDN BHD")] // a supplier the registry does not know keeps its reading
    [InlineData("KEDAI MAJE SDN BHD")] // two known names are equally close: no guess
    [InlineData("TEO")] // too little to tell
    [InlineData("ASO ELECTRICAL TRADING")] // within the error of a known name, but three letters in a row differ: another shop
    public void ResolveName_LeavesWhatItCannotTell(string reading) => Assert.Null(Registry.ResolveName(reading));

    [Fact]
    public void Learn_KeepsTheSpellingMostLabelsGive_AndVariantsAreNotRivals()
    {
        var hit = Registry.ResolveAddress("NO.53, JALAN BESAR, 45600 BATANG BERJUNTAI SELANG0R");
        Assert.Equal("NO.53, JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR", hit?.Address);
        Assert.Equal(3, Registry.Suppliers.Single(s => s.Name.StartsWith("TEO", StringComparison.Ordinal)).Receipts);
    }

    [Fact]
    public void ResolveAddress_PrefersTheAddressesOfTheResolvedSupplier()
    {
        Assert.Equal("NO. 9, JALAN PERMAS 9/5, 81750 JOHOR BAHRU",
            Registry.ResolveAddress("NO. 9, JALAN PERMAS 9/5, 81760 JOHOR BAHRU.", "MR D.I.Y. (M) SDN BHD")?.Address);
        Assert.Null(Registry.ResolveAddress("NO. 12, JALAN BUNGA RAYA, 75100 MELAKA", "MR D.I.Y. (M) SDN BHD"));
    }

    [Fact]
    public void ResolveAddress_AmongEveryShop_RefusesANeighboursHouseNumber()
    {
        // No supplier resolved: the street, postcode and town of a known shop, but another house number, is a neighbour.
        Assert.Null(Registry.ResolveAddress("NO. 12, JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR"));
        // The same house number with a misread postcode is still the known shop.
        Assert.Equal("NO.53, JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR",
            Registry.ResolveAddress("NO. 53, JALAN BESAR, 45800 BATANG BERJUNTAI SELANGOR")?.Address);
        // The supplier's own addresses may still mend a misread house number.
        Assert.Equal("NO. 9, JALAN PERMAS 9/5, 81750 JOHOR BAHRU",
            Registry.ResolveAddress("NO. 8, JALAN PERMAS 9/5, 81750 JOHOR BAHRU", "MR D.I.Y. (M) SDN BHD")?.Address);
    }

    [Theory]
    [InlineData("NO. 42, JALAN PBS 14/11", "NO.50, JALAN PBS 14/11", true)]
    [InlineData("NO. 42, JALAN PBS 14/11", "NO.42,JALAN PBS 14/11", false)]
    [InlineData("LOT 1851-A, JALAN KPB 6", "LOT 1861-A, JALAN KPB 6", false)] // a long lot number: one misread digit is OCR
    [InlineData("JALAN BESAR", "NO. 7, JALAN BESAR", false)] // no number read: nothing to contradict
    public void OtherNumber_ComparesTheFirstShortNumbers(string reading, string known, bool other) =>
        Assert.Equal(other, SupplierRegistry.OtherNumber(reading, known));

    [Fact]
    public void Json_RoundTrips()
    {
        using var json = new MemoryStream(Encoding.UTF8.GetBytes(Registry.ToJson("test")));
        var copy = SupplierRegistry.FromJson(json);
        Assert.Equal(Registry.Suppliers.Count, copy.Suppliers.Count);
        Assert.Equal("TEO HENG STATIONERY & BOOKS", copy.ResolveName("TED HENG STATIONERY & BOOKS")?.Name);
        // The labels' agreement on spacing comes back too.
        const string address = "NO.53, JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR";
        const string reading = "NO.53,JALAN BESAR,45600 BATANG BERJUNTAI SELANGOR";
        Assert.Equal(Registry.SpacedLike(address, reading), copy.SpacedLike(address, reading));
    }

    [Fact]
    public void Learn_CountsWhereAnAddresssLabelsAgreeOnTheSpacingBesideItsPunctuation()
    {
        var teo = Registry.Suppliers.Single(s => s.Name.StartsWith("TEO", StringComparison.Ordinal));
        var spacing = Assert.Single(teo.Spacing!);
        Assert.Equal(3, spacing!.Labels);
        // "NO.53, JALAN" in two labels of three, "NO.53,JALAN" in one: under three in four, loose. Gap 5 follows the
        // sixth character that is not a space, the comma.
        Assert.Equal([5], spacing.Loose);
        // An address seen once settles nothing.
        Assert.All(Registry.Suppliers.Single(s => s.Name.StartsWith("MR D", StringComparison.Ordinal)).Spacing!, Assert.Null);
    }

    [Theory]
    // Where the labels disagree the receipt's spacing is taken; where they agree ("BESAR, 45600" in all three) it stays.
    [InlineData("NO.53,JALAN BESAR,45600 BATANG BERJUNTAI SELANGOR", "NO.53,JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR")]
    [InlineData("NO.53, JALAN BESAR,45600 BATANG BERJUNTAI SELANGOR", "NO.53, JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR")]
    public void SpacedLike_FollowsTheReadingOnlyWhereTheLabelsDisagree(string reading, string expected) =>
        Assert.Equal(expected, Registry.SpacedLike("NO.53, JALAN BESAR, 45600 BATANG BERJUNTAI SELANGOR", reading));

    [Fact]
    public void SpacedLike_AnAddressSeenOnceOrUnknownFollowsTheReadingEverywhere()
    {
        Assert.Equal("NO.9,JALAN PERMAS 9/5,81750 JOHOR BAHRU", Registry.SpacedLike("NO. 9, JALAN PERMAS 9/5, 81750 JOHOR BAHRU", "N0.9,JALAN PERMAS 9/5,81750 JOHOR BAHRU"));
        Assert.Equal("LOT 5,JALAN X", Registry.SpacedLike("LOT 5, JALAN X", "LOT 5,JALAN X"));
    }

    [Theory]
    [InlineData("KITTEN", "SITTING", 3)]
    [InlineData("SAME", "SAME", 0)]
    [InlineData("", "ABC", 3)]
    public void BoundedDistance_IsLevenshteinWithinTheLimit(string a, string b, int expected) =>
        Assert.Equal(expected, SupplierRegistry.BoundedDistance(a, b, 10));

    [Theory]
    [InlineData("ASOELECTRICAL", "KHEELECTRICAL", 3)]
    [InlineData("TEDHENG", "TEOHENG", 1)]
    [InlineData("—ONETHREE", "ONEONETHREE", 0)] // a dash for a word, and letters inserted: no letters misread as others
    [InlineData("AB12", "AB12", 0)]
    public void LongestEditRun_CountsLettersAndDigitsMisreadInARow(string a, string b, int expected) =>
        Assert.Equal(expected, SupplierRegistry.LongestEditRun(a, b));

    [Fact]
    public void BoundedDistance_StopsPastTheLimit() => Assert.True(SupplierRegistry.BoundedDistance("AAAAAAAA", "BBBBBBBB", 2) > 2);
}
