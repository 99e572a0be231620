using System.Text.RegularExpressions;
using DocFlow.Documents;
using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>
/// Receipt rules: whether a document reads as a till receipt, its paid total and its date.
/// </summary>
/// <remarks>
/// The total goes by label priority (rounded total, then nett or grand total, then payable or due, then a total
/// including tax, then a plain total or amount), never from a cash, tendered, change, card, subtotal, rounding,
/// discount, quantity or tax line, nor from below a tax summary header. A labelled amount equal to cash minus
/// change is preferred: the till's own arithmetic vouches for it.
/// </remarks>
internal static partial class ReceiptCues
{
    /// <summary>Two or more till words (cash, change, rounding, cashier, thank you...) on a one-page document.</summary>
    public static bool LooksLikeReceipt(IReadOnlyList<PageView> pages) =>
        pages.Count == 1 && pages[0].Lines.Count(l => TillRegex().IsMatch(OcrText.Canonical(l.Text))) >= 2;

    /// <summary>
    /// Whether a page just read by OCR is worth a second reading (<see cref="PageLayout.SecondReading"/>): a receipt by the
    /// same rules as the document's type, with three or more lines of amounts, or with a total label whose amount did not
    /// read beside a till word. (Of the 149 dev-set forms, the 14 the type rules take for receipts are mostly fax and
    /// delivery receipts without amounts: 5 pass this, so forms hardly pay for it; 75 of the 80 dev-set receipts do.)
    /// A receipt whose first reading already has a total vouched for by the till's arithmetic and a labelled date is not
    /// read again: nothing the second reading could find would be preferred (13 of those 75).
    /// </summary>
    public static bool NeedsSecondReading(PageLayout page)
    {
        var document = DocumentAssembler.Assemble("image/png", [page]);
        var view = DocumentView.Pages(document, [page]);
        if (!LooksLikeReceipt(view) && Classification.DocumentTypeEnricher.Classify(document, view).Type != "receipt") return false;
        var cues = DocumentCues.For(document);
        if (Total(view, cues) is { Confidence: >= SurestTotal } && Date(view, cues) is { Confidence: >= SurestDate }) return false;
        var lines = view[0].Lines;
        bool HasAmount(LineView line) => cues.Amounts.Any(a => a.HasDecimals && a.Start >= line.Start && a.End <= line.End);
        if (lines.Count(HasAmount) >= 3) return true;
        var canon = lines.Select(l => (Line: l, Canon: OcrText.Canonical(l.Text))).ToList();
        return canon.Any(l => TillRegex().IsMatch(l.Canon)) && canon.Any(l => Priority(l.Canon) > 0 && !HasAmount(l.Line));
    }

    /// <summary>The confidence of a total the till's arithmetic vouches for, the most <see cref="Total"/> gives.</summary>
    private const float SurestTotal = 0.95f;

    /// <summary>The confidence of a date on a date line, the most <see cref="Date"/> gives.</summary>
    private const float SurestDate = 0.9f;

    public static (AmountMatch Amount, float Confidence)? Total(IReadOnlyList<PageView> pages, DocumentCues cues)
    {
        var candidates = new List<(AmountMatch Amount, int Priority, int Order)>();
        AmountMatch? cash = null, change = null, card = null, subtotal = null, tax = null, rounding = null;
        var order = 0;
        var sinceRounding = int.MaxValue;
        foreach (var page in pages)
        {
            var summary = false;
            foreach (var line in page.Lines)
            {
                order++;
                sinceRounding = sinceRounding == int.MaxValue ? sinceRounding : sinceRounding + 1;
                var canon = OcrText.Canonical(line.Text);
                if (SummaryRegex().IsMatch(canon)) summary = true;
                if (summary) continue;
                var roundingLine = RoundingRegex().IsMatch(canon);
                if (roundingLine) sinceRounding = 0;
                var amount = AmountOf(page, line, cues);
                if (amount is null) continue;
                // A rounding adjustment of a few cents, whatever its sign reads as ("-0.02", "~0.02").
                if (roundingLine && Math.Abs(amount.Money.Value) < 0.05m) rounding ??= amount;
                if (amount.Money.Value < 0) continue;
                // "CHANGE 0.00" is read too: the cash tendered was the amount paid.
                if (ChangeRegex().IsMatch(canon)) { change ??= amount; continue; }
                if (amount.Money.Value == 0) continue;
                if (CashRegex().IsMatch(canon)) { cash ??= amount; continue; }
                if (CardRegex().IsMatch(canon)) { card ??= amount; continue; }
                var priority = Priority(canon);
                if (priority == 1) subtotal ??= amount;
                else if (priority == 0 && tax is null && TaxRegex().IsMatch(canon) && !InclusiveRegex().IsMatch(canon) && !ExcludeRegex().IsMatch(canon))
                    tax = amount;
                // A "rounding" line whose amount is a total, not an adjustment (a few cents): within 5 cents of a total
                // read above it, it is the rounded total, its label half read ("Total after rounding", "Rounded").
                if (priority == 0 && roundingLine && amount.Money.Value >= 1m
                    && candidates.Any(x => x.Priority >= 2 && Math.Abs(x.Amount.Money.Value - amount.Money.Value) <= 0.05m))
                    priority = 6;
                // The first total after a rounding adjustment is the rounded total, whatever it is called.
                if (priority >= 2 && sinceRounding is > 0 and <= 3) { priority = 6; sinceRounding = int.MaxValue; }
                if (priority > 0) candidates.Add((amount, priority, order));
            }
        }
        if (candidates.Count == 0) return null;
        decimal? paid = cash is { } c && (change is null || c.Money.Value >= change.Money.Value) ? c.Money.Value - (change?.Money.Value ?? 0)
            : cash is null && (change is null || change.Money.Value == 0) && card is { } charged ? charged.Money.Value : null;
        var ranked = candidates.OrderByDescending(x => x.Priority).ThenByDescending(x => x.Order).ToList();
        // The till's arithmetic (cash - change, or cash alone) vouches for the labelled amount it equals.
        if (paid is { } p && ranked.FirstOrDefault(x => x.Amount.Money.Value == p) is { Amount: not null } vouched)
            return (vouched.Amount, SurestTotal);
        var best = ranked.First(x => x.Priority == ranked[0].Priority);
        if (best.Priority == 1 && ranked.Count > 0) best = ranked[0];
        // One misread digit: the amount paid (cash - change, cash or a card charge), a multiple of 5 cents (totals are
        // rounded to it), against a total that is not.
        if (paid is { } q && q % 0.05m == 0 && best.Amount.Money.Value % 0.05m != 0 && OneDigitApart(best.Amount.Money.Value, q))
            return (best.Amount with { Money = best.Amount.Money with { Value = q } }, 0.7f);
        // The till's other arithmetic: subtotal + tax ± rounding. A total one digit away from it, in a place other than
        // the cents (where a rounding adjustment that did not read would differ), is that sum misread: "NET TOTAL 14.05"
        // under "SUB TOTAL 14.00", "GST 6% 0.84", "ROUNDING ADJ 0.01".
        if (subtotal is { } sub && best.Priority >= 2 && Sums(sub.Money.Value + (tax?.Money.Value ?? 0m), rounding?.Money.Value)
                .FirstOrDefault(sum => sum > 0 && sum != best.Amount.Money.Value && OneDigitApart(best.Amount.Money.Value, sum, exceptCents: true)) is var sum and > 0)
            return (best.Amount with { Money = best.Amount.Money with { Value = sum } }, 0.9f);
        // Cash tendered and change given both read: their difference is what was paid (on the labelled text of the
        // dev set's 484 text-only receipts it equals the labelled total in 230 of 238 receipts that print both). A
        // labelled total that is missing (only a subtotal read) or larger than the cash tendered is a misread: the
        // difference stands in. (Not against any other total: misread cash and change lines are as common on the
        // OCR'd receipts as misread totals.)
        if (cash is { } tendered && change is not null && paid is { } r && r > 0
            && (best.Priority <= 1 || best.Amount.Money.Value > tendered.Money.Value) && Math.Abs(best.Amount.Money.Value - r) >= 0.05m)
            return (best.Amount with { Money = best.Amount.Money with { Value = r } }, 0.7f);
        // The till says another amount was paid: the label alone vouches for this one, less than usual.
        if (paid is { } other && other != best.Amount.Money.Value) return (best.Amount, best.Priority >= 4 ? 0.75f : best.Priority >= 2 ? 0.6f : 0.45f);
        return (best.Amount, best.Priority >= 4 ? 0.9f : best.Priority >= 2 ? 0.8f : 0.5f);
    }

    private static IEnumerable<decimal> Sums(decimal sum, decimal? rounding) =>
        rounding is { } r && r != 0 ? [sum + Math.Abs(r), sum - Math.Abs(r)] : [sum];

    private static bool OneDigitApart(decimal a, decimal b, bool exceptCents = false)
    {
        var x = a.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        var y = b.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        return x.Length == y.Length && x.Zip(y).Count(z => z.First != z.Second) == 1 && (!exceptCents || x[^1] == y[^1]);
    }

    /// <summary>The label priority of a line's text (canonical form), 0 when it is not a total or must not be one.</summary>
    internal static int Priority(string canon)
    {
        if (RoundedRegex().IsMatch(canon)) return 6;
        if (SubtotalRegex().IsMatch(canon)) return 1;
        if (ExcludeRegex().IsMatch(canon)) return 0;
        var inclusive = InclusiveRegex().IsMatch(canon);
        if (TaxRegex().IsMatch(canon) && !inclusive) return 0;
        if (NettRegex().IsMatch(canon)) return 5;
        if (NetRegex().IsMatch(canon)) return 0; // "Net 100.00": before tax
        if (PayableRegex().IsMatch(canon)) return 4;
        if (inclusive) return 3;
        if (PlainRegex().IsMatch(canon)) return 2;
        return 0;
    }

    /// <summary>The rightmost amount on a line, or on a line level with it to its right.</summary>
    private static AmountMatch? AmountOf(PageView page, LineView line, DocumentCues cues)
    {
        var own = cues.Amounts.Where(a => a.Start >= line.Start && a.End <= line.End).ToList();
        if (own.Count > 0) return own[^1];
        var h = Math.Max(1f, line.Box.Height);
        var level = page.Lines.Where(o => !ReferenceEquals(o, line) && Math.Abs(o.Box.CenterY - line.Box.CenterY) < 0.6f * h && o.Box.Left >= line.Box.Right - h)
            .OrderBy(o => o.Box.Left).ToList();
        // Left to right up to another label; two amounts of a column can both be within reach of a tall label ("TOTAL INCL.
        // GST@6%" level with "RM 34.80" and, lower down, the cash line's "RM 100.00"): the one nearer its middle is its own.
        var reached = new List<(AmountMatch Amount, float Offset)>();
        foreach (var other in level)
        {
            if (Priority(OcrText.Canonical(other.Text)) > 0 || CashRegex().IsMatch(OcrText.Canonical(other.Text))) break;
            var amounts = cues.Amounts.Where(a => a.Start >= other.Start && a.End <= other.End).ToList();
            var offset = Math.Abs(other.Box.CenterY - line.Box.CenterY);
            if (amounts.Count > 0) reached.Add((amounts[^1], offset < 0.25f * h ? 0f : offset));
        }
        if (reached.Count > 0) return reached.OrderBy(r => r.Offset).First().Amount;
        // A label standing alone with its amount on the line just below ("TOTAL" / "RM 34.80").
        var index = -1;
        for (var k = 0; k < page.Lines.Count && index < 0; k++)
            if (ReferenceEquals(page.Lines[k], line)) index = k;
        if (index >= 0 && index + 1 < page.Lines.Count && page.Lines[index + 1] is var next && next.Box.Top - line.Box.Bottom < 1.5f * h
            && cues.Amounts.Where(a => a.Start >= next.Start && a.End <= next.End).ToList() is [var below]
            && OcrText.Squash(cues.Text[next.Start..next.End]).Length <= below.End - below.Start + 4)
            return below;
        return null;
    }

    /// <summary>The receipt's date: the first date on a line labelled as a date, else the first date that is not an expiry.</summary>
    public static (DateMatch Date, float Confidence)? Date(IReadOnlyList<PageView> pages, DocumentCues cues)
    {
        DateMatch? first = null;
        foreach (var line in pages.SelectMany(p => p.Lines))
        {
            var date = cues.Dates.FirstOrDefault(d => d.Start >= line.Start && d.Start < line.End);
            if (date is null) continue;
            var canon = OcrText.Canonical(line.Text);
            if (ExpiryRegex().IsMatch(canon)) continue;
            if (DateLabelRegex().IsMatch(canon)) return (date, SurestDate);
            first ??= date;
        }
        return first is null ? null : (first, 0.75f);
    }

    [GeneratedRegex(@"\b(?:CASH|CHANGE|ROUNDING|CASHIER|TENDERED|THANK YOU|COME AGAIN|GST SUMMARY|TAX SUMMARY|RECEIPT|GOODS SOLD)\b")]
    private static partial Regex TillRegex();

    [GeneratedRegex(@"\b(?:GST|TAX|SST|VAT)[ ]?SUMMARY\b|^\s*SUMMARY\b|\bTAX[ ]?CODE\b|\bGST[ ]?CODE\b")]
    private static partial Regex SummaryRegex();

    [GeneratedRegex(@"^\W*(?:CREDIT(?: CARD)?|DEBIT(?: CARD)?|CARD|VISA(?: CARD)?|MASTER(?:CARD)?|AMEX|E-?WALLET)\b(?![ ]?(?:NO|NUMBER|#))")]
    private static partial Regex CardRegex();

    [GeneratedRegex(@"\bCHANGE\b|\bCHG\b|\bBAKI\b")]
    private static partial Regex ChangeRegex();

    [GeneratedRegex(@"^\W*(?:CASH|TENDERED|TENDER|PAID|PAYMENT|TUNAI)\b(?![ ]?(?:SALES?|BILL|INVOICE|RECEIPT|TYPE|MODE|METHOD))")]
    private static partial Regex CashRegex();

    [GeneratedRegex(@"\bROUNDED\b|AFTER ROUNDING|ROUNDING TOTAL|TOTAL ROUNDING\b(?! ADJ)|\bTOTAL\b.*\bA[FT]TER\b")]
    private static partial Regex RoundedRegex();

    [GeneratedRegex(@"\bSUB[ -]?T[OU0]TA[LI1]?\b|\bSUBIUTAL\b")]
    private static partial Regex SubtotalRegex();

    [GeneratedRegex(@"\bROUNDING\b|\bROUND(?:ING)?[ ]?ADJ|\bADJUSTMENT\b")]
    private static partial Regex RoundingRegex();

    [GeneratedRegex(@"\b(?:CASH|TENDERED?|ACCEPTED|RECEIVED|CHANGE|CARD|VISA|MASTER(?:CARD)?|CREDIT|DEBIT|DISCOUNT|DISC|QTY|QUANTITY|ITEMS?|SAVINGS?|POINTS?|DEPOSIT|EXCL|EXCLUDING|EXCLUSIVE|BEFORE|ROUNDING|ROUND|ADJ|ADJUSTMENT|VOUCHER|BALANCE)\b")]
    private static partial Regex ExcludeRegex();

    [GeneratedRegex(@"\bNETT\b|\bGRAND T[O0]TA|\bNETT?[ ]?TOTAL\b|\bTOTAL NETT\b")]
    private static partial Regex NettRegex();

    [GeneratedRegex(@"\bNET\b")]
    private static partial Regex NetRegex();

    [GeneratedRegex(@"\b(?:PAYABLE|AMOUNT DUE|TOTAL DUE|TO PAY|FINAL TOTAL|TOTAL AMOUNT DUE)\b")]
    private static partial Regex PayableRegex();

    [GeneratedRegex(@"\bTOTAL\b.*\b(?:INCL|INCLUSIVE|INC|INCLUDING|INCLUDED|INCL\.)\b|\bTOTAL SALES\b")]
    private static partial Regex InclusiveRegex();

    [GeneratedRegex(@"\b(?:GST|TAX|SST|VAT|SERVICE CHARGE|SVC)\b")]
    private static partial Regex TaxRegex();

    [GeneratedRegex(@"\b(?:T[O0]TA[LI1]?|TOTAL AMOUNT|AMOUNT|AMT|JUMLAH)\b|\bTOTAL[:(]")]
    private static partial Regex PlainRegex();

    [GeneratedRegex(@"\b(?:EXP|EXPIRY|EXPIRES|VALID|BEST BEFORE|USE BY)\b")]
    private static partial Regex ExpiryRegex();

    [GeneratedRegex(@"\b(?:DATE|DATED|TARIKH)\b")]
    private static partial Regex DateLabelRegex();
}
