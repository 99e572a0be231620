using System.Text.RegularExpressions;
using DocFlow.Documents;
using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.Engine.Extraction.Classification;

/// <summary>
/// Classifies a document as invoice, receipt, form, letter, report or other and adds a <c>document_type</c>
/// entity whose mention is the type and whose confidence is the softmax probability of that type.
/// </summary>
/// <remarks>
/// A linear score per type over features read from the text and layout: genre keywords in several languages,
/// labelled totals and amount-ended lines (line items), greetings and closings, numbered section headings,
/// label-value and checkbox density, page count and page shape (narrow pages are till receipts). The
/// weights are set by hand from what distinguishes the genres, not from file names.
/// </remarks>
public sealed partial class DocumentTypeEnricher : IDocumentEnricher
{
    public static readonly string[] Types = ["invoice", "receipt", "form", "letter", "report", "other"];

    public void Enrich(Document document, IReadOnlyList<PageLayout> pages, CancellationToken cancellationToken)
    {
        var view = DocumentView.Pages(document, pages);
        var (type, confidence) = Classify(document, view);
        document.Entities ??= [];
        var firstLine = view.SelectMany(p => p.Lines).FirstOrDefault();
        var id = document.Entities.Select(e => int.TryParse(e.Id, out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1;
        document.Entities.Add(new Entity
        {
            Type = "document_type",
            MentionText = type,
            Confidence = confidence,
            Id = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            NormalizedValue = new NormalizedValue { Text = type },
            PageAnchor = firstLine is null ? null : new PageAnchor
            {
                PageRefs = [.. view.Select(p => new PageRef { Page = p.PageIndex, BoundingPoly = DocumentAssembler.MakePoly(new Box(0, 0, p.Width, p.Height), p.Width, p.Height) })],
            },
        });
    }

    internal static (string Type, float Confidence) Classify(Document document, IReadOnlyList<PageView> view)
    {
        var scores = Scores(document, view);
        var max = scores.Values.Max();
        var exp = scores.ToDictionary(kv => kv.Key, kv => Math.Exp((kv.Value - max) / 1.5));
        var sum = exp.Values.Sum();
        var best = scores.MaxBy(kv => kv.Value).Key;
        // A softmax at temperature 1.5: hand-set weights overstate certainty, so the scores are flattened
        // rather than trusted (not fitted; there is no labelled corpus to fit a calibration to yet).
        return (best, (float)Math.Round(exp[best] / sum, 3));
    }

    internal static Dictionary<string, double> Scores(Document document, IReadOnlyList<PageView> view)
    {
        var text = document.Text ?? string.Empty;
        var lower = text.ToLowerInvariant();
        var lines = view.SelectMany(p => p.Lines).ToList();
        var lineCount = Math.Max(1, lines.Count);
        var cues = DocumentCues.For(document);
        var pageCount = Math.Max(1, view.Count);
        // Only the first page's head says what a document is; later pages add body evidence.
        var head = string.Join('\n', view.FirstOrDefault()?.Lines.Take(12).Select(l => l.Text.ToLowerInvariant()) ?? []);
        // Titles and subject lines: the short lines of the head, where a genre word names the document.
        var titles = string.Join('\n', view.FirstOrDefault()?.Lines.Take(12).Where(l => l.Text.Length < 50).Select(l => l.Text.ToLowerInvariant()) ?? []);

        double Count(Regex r, string s) => r.Matches(s).Count;
        var invoiceWords = Count(InvoiceRegex(), lower);
        var invoiceHead = Count(InvoiceRegex(), head);
        var ratio = view.Count > 0 && view[0].Width > 0 ? view[0].Height / view[0].Width : 0;
        // Payment words that are also everyday words ("change" in "CHANGE OF AUTHORIZED COST", "cash", "card", "paid",
        // "tip") are till evidence only where a till prints them: as the label a line starts with, before its amount, a
        // colon or at most one more word ("CHANGE RM 0.40", "Paid:", "CASH RM"). Counted anywhere, 14 of the 149 FUNSD
        // forms (change requests, budget sheets) came out as receipts on them alone.
        var lowerLines = lines.Select(l => l.Text.ToLowerInvariant()).ToList();
        double Payment(Regex r) => lowerLines.Count(r.IsMatch);
        var till = Count(TillRegex(), lower) + Payment(TillPaymentRegex());
        // "Tax invoice" is the legal title of a till receipt in several countries (MY, SG, AU, NZ): on a tall
        // page or beside till words it says nothing about the genre.
        if (ratio > 1.6 || till >= 2)
        {
            invoiceWords = Math.Max(0, invoiceWords - Count(TaxInvoiceRegex(), lower));
            invoiceHead = Math.Max(0, invoiceHead - Count(TaxInvoiceRegex(), head));
        }
        var receiptWords = Count(ReceiptRegex(), lower) + Payment(PaymentRegex());
        var totals = Count(TotalRegex(), lower);
        var amountLines = lines.Count(l => cues.Amounts.Any(a => a.End == l.End || a.End == l.End - 0));
        var amountLineShare = (double)amountLines / lineCount;
        var greetings = Count(GreetingRegex(), lower);
        var closings = Count(ClosingRegex(), lower);
        var formWords = Count(FormRegex(), lower);
        var checkboxes = text.Count(c => c is '☐' or '☑' or '☒' or '□' or '■');
        var colonLabels = lines.Count(l => ColonLabelRegex().IsMatch(l.Text));
        var labelShare = (double)colonLabels / lineCount;
        var shortLines = lines.Count(l => l.Text.Length < 40);
        var longLines = lines.Count(l => l.Text.Length >= 60);
        var proseShare = (double)longLines / lineCount;
        var headings = lines.Count(l => HeadingRegex().IsMatch(l.Text));
        var reportWords = Count(ReportRegex(), lower);
        var otherWords = OtherRegex().Matches(titles).Select(m => m.Value).Distinct().Count();
        var formFields = document.Pages?.Sum(p => p.FormFields?.Count ?? 0) ?? 0;
        var narrow = ratio > 2.0;

        var s = new Dictionary<string, double>
        {
            ["invoice"] = 1.6 * Math.Min(invoiceWords, 3) + 1.5 * Math.Min(invoiceHead, 2) + 0.8 * Math.Min(totals, 3) + 3 * Math.Min(amountLineShare, 0.4)
                          - 1.0 * Math.Min(greetings + closings, 2) - 1.2 * Math.Min(receiptWords, 2) - 1.5 * Math.Min(otherWords, 2),
            ["receipt"] = 1.4 * Math.Min(receiptWords, 3) + 0.8 * Math.Min(totals, 3) + 4 * Math.Min(amountLineShare, 0.5) + (narrow ? 2.5 : ratio > 1.6 ? 1.2 : 0) + 0.8 * Math.Min(till, 3)
                          + (pageCount == 1 && lineCount < 45 && shortLines > 0.7 * lineCount ? 1.0 : 0) - 1.5 * Math.Min(invoiceHead, 2)
                          - 1.0 * Math.Min(greetings + closings, 2) - 1.5 * Math.Min(otherWords, 2) - (pageCount > 1 ? 2 : 0),
            ["form"] = 1.5 * Math.Min(formWords, 3) + 0.6 * Math.Min(checkboxes, 5) + 5 * Math.Min(labelShare, 0.5) + 0.3 * Math.Min(formFields, 10)
                       + (shortLines > 0.75 * lineCount ? 0.8 : 0) - 1.2 * Math.Min(greetings + closings, 2) - 1.0 * Math.Min(otherWords, 2) - 0.8 * Math.Min(totals, 2),
            // A salutation and a complimentary close together are the surest sign of a letter.
            ["letter"] = 2.0 * Math.Min(greetings, 1) + 1.8 * Math.Min(closings, 1) + (greetings > 0 && closings > 0 ? 1.5 : 0)
                         + 2 * Math.Min(proseShare, 0.5) - 0.5 * Math.Max(0, pageCount - 3)
                         - 0.5 * Math.Min(otherWords, 2),
            ["report"] = 1.0 * Math.Min(reportWords, 3) + 0.5 * Math.Min(headings, 6) + 0.5 * Math.Min(pageCount - 1, 4) + 2 * Math.Min(proseShare, 0.5)
                         - 1.2 * Math.Min(greetings + closings, 2) - 1.5 * Math.Min(otherWords, 2) - 1.0 * Math.Min(invoiceHead, 2),
            ["other"] = 1.5 + 1.6 * Math.Min(otherWords, 2),
        };
        return s;
    }

    [GeneratedRegex(@"\b(?:invoice|invoice (?:number|no|date)|bill to|rechnung|rechnungsnummer|facture|factura|fattura|factuur|nota fiscal|due date|payment terms|zahlungsziel)\b")]
    private static partial Regex InvoiceRegex();

    [GeneratedRegex(@"\b(?:receipt|kassenbon|kassenbeleg|quittung|beleg|ticket de caisse|reçu|recibo|scontrino|bon|kassabon|visa|mastercard|maestro|amex|bezahlt|thank you for shopping|thank you and see you|reg\b|cashier|kasse|trinkgeld|table \d+|tisch)\b")]
    private static partial Regex ReceiptRegex();

    /// <summary>What follows a payment word that a till prints as a line's label: a colon, a digit later on the line (the
    /// amount, however misread), or at most one more word (a till's "CASH RM" or "CHANGE DUE" with the amount in a column
    /// of its own).</summary>
    private const string LineLabel = @"\b(?:\s*:|.*\d|\W*(?:\w+\W*)?$)";

    /// <summary>Receipt words that are everyday words too: only as a line's label (<see cref="LineLabel"/>).</summary>
    [GeneratedRegex(@"^\W*(?:cash|change|card|paid|tip)" + LineLabel)]
    private static partial Regex PaymentRegex();

    [GeneratedRegex(@"\b(?:rounding|gst summary|tax summary|cashier|tendered|thank you|come again|goods sold)\b")]
    private static partial Regex TillRegex();

    /// <summary>Till words that are everyday words too: only as a line's label (<see cref="LineLabel"/>).</summary>
    [GeneratedRegex(@"^\W*(?:counter|change)" + LineLabel)]
    private static partial Regex TillPaymentRegex();

    [GeneratedRegex(@"\btax invoice\b")]
    private static partial Regex TaxInvoiceRegex();

    [GeneratedRegex(@"(?:^|\n)[ ]*(?:t[o0]tal|grand total|subtotal|sub-total|amount due|balance due|summe|gesamt|total due|vat|tax|mwst)\b")]
    private static partial Regex TotalRegex();

    [GeneratedRegex(@"(?:^|\n)(?:dear|hello|hi|sehr geehrte|liebe|lieber|guten tag|madame|monsieur|estimad[oa]s?|querid[oa]|gentile|egregio|caro|cara|beste|geachte)\b")]
    private static partial Regex GreetingRegex();

    [GeneratedRegex(@"(?:^|\n)(?:sincerely|yours sincerely|yours faithfully|kind regards|best regards|regards|warm regards|with best wishes|mit freundlichen grüßen|mit freundlichen gruessen|freundliche grüße|viele grüße|cordialement|bien à vous|veuillez agréer|atentamente|saludos cordiales|cordiali saluti|distinti saluti|met vriendelijke groet|atenciosamente|cumprimentos)\b")]
    private static partial Regex ClosingRegex();

    [GeneratedRegex(@"\b(?:form|application|applicant|please complete|block letters|tick|signature of|for office use|date of birth|registration form|antrag|formular|formulaire|formulario|modulo|aanvraag|i agree|accept the)\b")]
    private static partial Regex FormRegex();

    [GeneratedRegex(@"^[\p{L} /()'.-]{2,40}:( |$)")]
    private static partial Regex ColonLabelRegex();

    [GeneratedRegex(@"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.|[A-H]\.)[ ]+\p{Lu}[\p{L} ,&-]{2,60}$")]
    private static partial Regex HeadingRegex();

    [GeneratedRegex(@"\b(?:report|summary|executive summary|introduction|conclusion|conclusions|findings|analysis|results|appendix|table of contents|contents|quarter|annual|figure|bericht|rapport|informe|relazione|verslag|relatório)\b")]
    private static partial Regex ReportRegex();

    [GeneratedRegex(@"\b(?:memo|memorandum|fax|facsimile|telefax|agreement|contract|vertrag|contrat|contrato|contratto|overeenkomst|terms and conditions|minutes|agenda|order confirmation|auftragsbestätigung|purchase order|delivery note|lieferschein|packing list|certificate|notice)\b")]
    private static partial Regex OtherRegex();
}
