using DocFlow.Documents;
using DocFlow.Engine.Extraction.Entities;

namespace DocFlow.UnitTests.Engine.Extraction.Entities;

public sealed class GenericEntityEnricherTests
{
    private static Document Enrich(TestPages pages)
    {
        var document = pages.Build();
        new GenericEntityEnricher().Enrich(document, pages.Layouts(), CancellationToken.None);
        return document;
    }

    private static List<string?> Values(Document d, string type) =>
        [.. d.Entities!.Where(e => e.Type == type).Select(e => e.NormalizedValue?.Text)];

    [Fact]
    public void Enrich_AnchorsEveryEntityOnItsExactMentionWithPageBox()
    {
        var d = Enrich(new TestPages().Page().Lines(100, "Harbor & Finch Legal Services LLP", "Tel: (415) 555-0142", "Questions: ops@kestrel.example").Page().Lines(100, "Paid 12.03.2026: EUR 1,200.00"));
        Assert.NotEmpty(d.Entities!);
        foreach (var e in d.Entities!)
        {
            var segment = Assert.Single(e.TextAnchor!.TextSegments!);
            Assert.Equal(e.MentionText, d.Text![(int)segment.StartIndex..(int)segment.EndIndex]);
            Assert.Equal(e.MentionText, e.TextAnchor.Content);
            Assert.NotNull(Assert.Single(e.PageAnchor!.PageRefs!).BoundingPoly);
        }
        Assert.Equal(d.Entities!.Count, d.Entities.Select(e => e.Id).Distinct().Count());
        Assert.Equal(1, d.Entities.Single(e => e.Type == "price").PageAnchor!.PageRefs![0].Page);
    }

    [Fact]
    public void Enrich_NormalisesPhoneNumbersToE164()
    {
        var d = Enrich(new TestPages().Page().Lines(100, "Tel: (415) 555-0142", "Phone: +49 (0)89 2024 7781", "Fax +44 161 496 0733 P.1/3", "Order 12-3456"));
        Assert.Equal(["+498920247781", "+441614960733", "+14155550142"], Values(d, "phone_number"));
    }

    [Fact]
    public void Enrich_ReadsEmailsAndUrlsThroughOcrSpacesAfterDots()
    {
        var d = Enrich(new TestPages().Page().Lines(100, "sent to service@vantor-facility. example and", "see www. harborfinch.example.", "mail a.b@c-d.example. Then"));
        Assert.Equal(["service@vantor-facility.example", "a.b@c-d.example"], Values(d, "email"));
        Assert.Equal(["https://www.harborfinch.example"], Values(d, "url"));
    }

    [Fact]
    public void Enrich_FindsSingleAndMultiLineAddresses()
    {
        var d = Enrich(new TestPages().Page().Lines(100,
            "Customer: Meridian Components Ltd, 15 Trafford Park Road, Manchester M17 1HG",
            "Landsberger Strasse 302, 80687 Munich, Germany",
            "Q1 2026 Operations Report",
            "1452 Alder Street",
            "Springfield, OR 97477",
            "Stationsplein 45",
            "3511 ED Utrecht"));
        Assert.Equal(
            ["15 Trafford Park Road, Manchester M17 1HG", "Landsberger Strasse 302, 80687 Munich, Germany", "1452 Alder Street, Springfield, OR 97477", "Stationsplein 45, 3511 ED Utrecht"],
            Values(d, "address"));
        Assert.Contains("\n", d.Entities!.First(e => e.NormalizedValue?.Text == "Stationsplein 45, 3511 ED Utrecht").MentionText);
    }

    [Fact]
    public void Enrich_FindsOrganisationsByLegalFormOrKind()
    {
        var d = Enrich(new TestPages().Page().Lines(100, "Accepted for Meridian Components Ltd:", "Harbor S Finch Legal Services LLP", "Vantor Facility Services B.V.", "RIVERSIDE COMMUNITY SPORTS CLUB", "Maintenance services"));
        Assert.Equal(["Meridian Components Ltd", "Harbor & Finch Legal Services LLP", "Vantor Facility Services B.V.", "RIVERSIDE COMMUNITY SPORTS CLUB"], Values(d, "organization"));
    }

    [Fact]
    public void Enrich_KeepsOnlyIdsWhoseCheckDigitsHold()
    {
        var d = Enrich(new TestPages().Page().Lines(100, "IBAN: DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX", "IBAN: DE89 3704 0044 0532 0130 01", "VAT ID: DE136695976", "VAT ID: DE136695977", "EIN: 12-3456789", "our reference HF-88531"));
        Assert.Equal(["DE89370400440532013000", "DE136695976", "12-3456789", "HF-88531"], Values(d, "id"));
    }

    [Fact]
    public void Enrich_ReadsPricesAndDatesThroughOcrConfusions()
    {
        var d = Enrich(new TestPages().Page().Lines(100, "Coffee beans 1l.99", "Date: 2O.O3.2O26", "VAT 19% 8.51 €"));
        Assert.Equal(["11.99", "8.51"], Values(d, "price"));
        Assert.Equal(["2026-03-20"], Values(d, "date_time"));
        Assert.Equal("EUR", d.Entities!.Single(e => e.NormalizedValue?.Text == "8.51").NormalizedValue!.MoneyValue!.CurrencyCode);
    }
}
