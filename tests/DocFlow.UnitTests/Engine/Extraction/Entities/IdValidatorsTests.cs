using DocFlow.Engine.Extraction.Entities;

namespace DocFlow.UnitTests.Engine.Extraction.Entities;

public sealed class IdValidatorsTests
{
    [Theory]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("GB29NWBK60161331926819", true)]
    [InlineData("NL91ABNA0417164300", true)]
    [InlineData("FR1420041010050500013M02606", true)]
    [InlineData("BE68539007547034", true)]
    [InlineData("DE89370400440532013001", false)] // check digits fail
    [InlineData("DE8937040044053201300", false)]  // one character short for DE
    [InlineData("XX89370400440532013000", false)] // no such country
    public void IsValidIban_ChecksLengthAndMod97(string iban, bool valid) => Assert.Equal(valid, IdValidators.IsValidIban(iban));

    [Theory]
    [InlineData("DE136695976", true)]
    [InlineData("DE811569869", true)]
    [InlineData("DE136695977", false)]
    [InlineData("DE524232393", false)]
    [InlineData("NL004495445B01", true)]
    [InlineData("NL004495446B01", false)]
    [InlineData("BE0403170701", true)]
    [InlineData("BE0403170702", false)]
    [InlineData("IT00743110157", true)]
    [InlineData("IT00743110158", false)]
    [InlineData("FR40303265045", true)]
    [InlineData("FR41303265045", false)]
    [InlineData("ATU13585627", true)]
    [InlineData("ATU13585628", false)]
    [InlineData("GB980780684", true)]
    [InlineData("GB980780685", false)]
    [InlineData("ESA28015865", true)]
    [InlineData("DE12345678", false)]
    public void IsValidVat_ChecksFormatAndCheckDigits(string vat, bool valid) => Assert.Equal(valid, IdValidators.IsValidVat(vat));

    [Theory]
    [InlineData("12-3456789", true)]
    [InlineData("07-3456789", false)]
    [InlineData("123456789", false)]
    public void IsValidEin_ChecksFormatAndPrefix(string ein, bool valid) => Assert.Equal(valid, IdValidators.IsValidEin(ein));
}
