using DocFlow.Engine.Extraction.Language;
using DocFlow.UnitTests.Engine.Extraction.Entities;

namespace DocFlow.UnitTests.Engine.Extraction.Language;

public sealed class LanguageEnricherTests
{
    [Theory]
    [InlineData("Thank you for your business. Please quote the invoice number with your payment.", "en")]
    [InlineData("Vielen Dank für Ihren Einkauf. Die Ware bleibt bis zur vollständigen Bezahlung unser Eigentum.", "de")]
    [InlineData("Merci de votre confiance. Le paiement est dû dans les trente jours suivant la date de la facture.", "fr")]
    [InlineData("Gracias por su compra. El pago se realizará en los próximos treinta días con la factura.", "es")]
    [InlineData("Grazie per il vostro acquisto. Il pagamento è dovuto entro trenta giorni dalla data della fattura.", "it")]
    [InlineData("Bedankt voor uw aankoop. De betaling moet binnen dertig dagen na de factuurdatum worden voldaan.", "nl")]
    [InlineData("Obrigado pela sua compra. O pagamento deve ser feito em trinta dias após a data da fatura.", "pt")]
    public void Detect_FindsTheLanguageOfRunningText(string text, string expected)
    {
        var detected = LanguageEnricher.Detect(text);
        Assert.Equal(expected, detected[0].LanguageCode);
        Assert.InRange(detected[0].Confidence, 0.3f, 1f);
    }

    [Fact]
    public void Detect_WithoutWords_ReturnsNothing() => Assert.Empty(LanguageEnricher.Detect("12.50 3.99 2026-01-01"));

    [Fact]
    public void Enrich_WritesEachPagesLanguage()
    {
        var pages = new TestPages().Page().Lines(50, "Thank you for your order and for the payment of the invoice.")
            .Page().Lines(50, "Vielen Dank für die Bestellung und die Zahlung der Rechnung.");
        var document = pages.Build();
        new LanguageEnricher().Enrich(document, pages.Layouts(), CancellationToken.None);
        Assert.Equal(["en", "de"], document.Pages!.Select(p => p.DetectedLanguages![0].LanguageCode));
    }
}
