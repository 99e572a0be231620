using System.Text.RegularExpressions;
using DocFlow.Documents;
using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>
/// Invoice and expense fields (<c>supplier_name</c>, <c>supplier_address</c>, <c>invoice_id</c>, <c>invoice_date</c>,
/// <c>receipt_date</c>, <c>due_date</c>, <c>total_amount</c>, <c>net_amount</c>, <c>total_tax_amount</c>,
/// <c>currency</c>, <c>receiver_name</c>) chosen by label and geometry.
/// </summary>
/// <remarks>
/// Labels are matched on a canonical form of each line (upper case, no diacritics, 0/1/5 read as O/I/S, so
/// "T0TAL" is TOTAL) at the start of a line or of a column. A label's value is on the same visual row to its
/// right (amounts: the rightmost, as amount columns are right-aligned), or, for a label standing alone, on
/// the next line below within its column. Amounts are cross-checked (net + tax = total). Fields that need a
/// guess rather than a label (supplier at the top, first date) are produced for every document, with lower
/// confidence outside invoices and receipts. Receipts get their total, date and header from <see cref="ReceiptCues"/>
/// and <see cref="ReceiptHeader"/>.
/// </remarks>
public sealed partial class InvoiceEntityEnricher : IDocumentEnricher
{
    private enum Kind { Total, Net, Tax, InvoiceId, InvoiceDate, DueDate, Receiver, Supplier, Currency }

    private sealed record LabelSpec(Kind[] Kinds, int Priority, Regex Regex);

    private sealed record Label(Kind Kind, int Priority, PageView Page, int LineIndex, int End, Box Box, bool Alone);

    private static readonly LabelSpec[] Specs = BuildSpecs();

    private static LabelSpec[] BuildSpecs()
    {
        static Regex R(string pattern) => new(@"\G(?:" + pattern.Replace("L", "[LI]", StringComparison.Ordinal) + @")(?![A-Z])", RegexOptions.CultureInvariant);
        const string NotId = @"(?![ -]?(?:ID|NO\b|NR|NUMBER|REG|REGISTRATION|IDENTIFICATION|CODE|#|IDNR|-IDNR|RATE|INVOICE|EXEMPT|POINT))";
        return
        [
            new([Kind.Net, Kind.Total], 1, R(@"TOTAL (?:EXCL\.?|EXCLUDING|WITHOUT|BEFORE) ?(?:VAT|TAX)?")),
            new([Kind.Net], 3, R(@"SUB[ -]?TOTAL|ZWISCHENSUMME|SUBTOTAAL|SOUS[ -]TOTAL|NET AMOUNT|NET TOTAL|TOTAL NET|NETTOBETRAG|NETTOSUMME|NETTO|NET|TOTAL HT|MONTANT HT|IMPONIBILE|BASE IMPONIBLE|AMOUNT BEFORE TAX")),
            new([Kind.Tax], 4, R(@"TOTAL (?:TAX|VAT|GST)|TAX TOTAL|VAT TOTAL|TOTAL MWST|TAX AMOUNT|VAT AMOUNT")),
            new([Kind.Tax], 3, R(@"(?:SALES TAX|TAXES|TAX|VAT|GST|HST|PST|QST|MWST\.?|UST\.?|MEHRWERTSTEUER|UMSATZSTEUER|TVA|IVA|BTW|IMPOSTA|IGIC)" + NotId)),
            new([Kind.Total], 4, R(@"(?:GRAND|INVOICE|RECEIPT) TOTAL|TOTAL (?:DUE|PAYABLE|TO PAY|AMOUNT DUE|INCL\.?(?: VAT| TAX)?|INCLUDING (?:VAT|TAX)|TTC)|AMOUNT (?:DUE|PAYABLE)|BALANCE DUE|PLEASE PAY|GESAMTBETRAG|RECHNUNGSBETRAG|ENDBETRAG|ZAHLBETRAG|BRUTTOBETRAG|NET A PAYER|MONTANT TOTAL|IMPORTE TOTAL|TOTALE (?:DA PAGARE|FATTURA)|TE BETALEN|TOTAAL")),
            new([Kind.Total], 2, R(@"TOTAL(?! ?(?:QTY|QUANTITY|ITEMS?|DISCOUNT|SAVINGS|WEIGHT|PAGES|HOURS|UNITS))(?: AMOUNT| SUM)?|SUMME|GESAMT|TOTALE|BRUTTO")),
            new([Kind.InvoiceId], 3, R(@"INVOICE (?:NO\.?|NUMBER|NUM\.?|NR\.?|#|ID|REF\.?)|INV\.? ?(?:NO\.?|#|NUMBER|NR\.?)|INVOICE ?#|RECHNUNGS[ -]?(?:NR\.?|NUMMER)|RECHNUNG (?:NR\.?|NUMMER)|FACTURE (?:NO\.?|N°|NUMERO)|N° (?:DE )?FACTURE|NUMERO (?:DE )?FACTURE|FACTURA (?:NO\.?|N°|NUM\.?|NUMERO)|NUMERO (?:DI |DE )?FATTURA|FATTURA (?:N\.?|NR\.?|N°)|FACTUURNUMMER|FACTUUR ?(?:NR\.?|NUMMER)|BILL NO\.?")),
            new([Kind.InvoiceId], 1, R(@"INVOICE|RECHNUNG|FACTURE|FACTURA|FATTURA|FACTUUR")),
            new([Kind.InvoiceDate], 3, R(@"INVOICE DATE|DATE OF INVOICE|INV\.? DATE|DATE OF ISSUE|ISSUE DATE|DATE ISSUED|ISSUED ON|TAX POINT|RECHNUNGSDATUM|DATE DE (?:LA )?FACTURE|FECHA (?:DE )?(?:LA )?FACTURA|FECHA DE EMISION|DATA (?:DELLA )?FATTURA|FACTUURDATUM")),
            new([Kind.DueDate], 3, R(@"DUE DATE|PAYMENT DUE(?: DATE| BY| ON)?|DUE(?: BY| ON)?|PAY BY|PAYABLE BY|FALLIG(?:KEITSDATUM| AM| BIS)?|ZAHLBAR BIS|ECHEANCE|DATE D.ECHEANCE|FECHA DE VENCIMIENTO|VENCIMIENTO|SCADENZA|VERVALDATUM|VERVALT OP")),
            new([Kind.InvoiceDate], 2, R(@"DATE|DATUM|FECHA|DATA")),
            new([Kind.Receiver], 3, R(@"BILL(?:ED)? TO|INVOICE(?:D)? TO|SOLD TO|RECHNUNGSEMPFANGER|RECHNUNG AN|FACTURE A|FACTURER A|FACTURAR A")),
            new([Kind.Receiver], 2, R(@"(?:CUSTOMER|CLIENT|RECIPIENT|KUNDE|CLIENTE|KLANT)(?! ?(?:NO\b|NR|NUMBER|NUMMER|ID|#|REF|CODE|SERVICE|CARE|COPY))")),
            new([Kind.Supplier], 2, R(@"SUPPLIER|VENDOR|SELLER|MERCHANT|LIEFERANT|VERKAUFER|FOURNISSEUR|PROVEEDOR|FORNITORE|LEVERANCIER")),
            new([Kind.Currency], 3, R(@"CURRENCY|WAHRUNG|DEVISE|MONEDA|VALUTA")),
        ];
    }

    private readonly ReceiptModels? _receiptModels;

    /// <summary>With <paramref name="receiptModels"/> (default: the shipped ones) finding a receipt's merchant and address lines.</summary>
    public InvoiceEntityEnricher(ReceiptModels? receiptModels = null) => _receiptModels = receiptModels ?? ReceiptModels.Embedded;

    public void Enrich(Document document, IReadOnlyList<PageLayout> pages, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(document.Text)) return;
        var view = DocumentView.Pages(document, pages);
        var writer = new EntityWriter(document, view);
        var cues = DocumentCues.For(document);
        var docType = document.Entities?.FirstOrDefault(e => e.Type == "document_type")?.MentionText;
        var expense = docType is "invoice" or "receipt";
        var receipt = docType == "receipt" || ReceiptCues.LooksLikeReceipt(view);
        var labels = FindLabels(view);
        cancellationToken.ThrowIfCancellationRequested();

        // A till receipt read twice by OCR: the second reading's total and date stand in where the first has none or a
        // less certain one (the rules' own confidence: vouched by cash - change, label priority, labelled date).
        var second = receipt ? SecondReading.Of(document, pages) : null;
        var tillTotal = receipt ? SecondReading.Choose(ReceiptCues.Total(view, cues), second is null ? null : ReceiptCues.Total(second.View, second.Cues),
            static (a, b) => a.Money.Value == b.Money.Value) : null;
        var total = tillTotal is { Second: false } firstTotal ? (firstTotal.Value, firstTotal.Confidence)
            : tillTotal is not null ? null
            : BestAmount(labels, Kind.Total, cues, view, preferLargest: true);
        var net = BestAmount(labels, Kind.Net, cues, view, preferLargest: false);
        var tax = BestAmount(labels, Kind.Tax, cues, view, preferLargest: false);
        if (total is null && tillTotal is null && (expense || receipt) && cues.Amounts.Where(a => a.HasDecimals).MaxBy(a => a.Money.Value) is { } largest)
            total = (largest, 0.4f);
        var consistent = total is { } t && net is { } n && tax is { } x && Math.Abs(n.Amount.Money.Value + x.Amount.Money.Value - t.Amount.Money.Value) < 0.015m;
        AddAmount(writer, cues, "total_amount", total, consistent);
        if (tillTotal is { Second: true } secondTotal && second is not null)
        {
            AddAmount(second.Writer, second.Cues, "total_amount", (secondTotal.Value, secondTotal.Confidence), consistent: false);
            second.MoveTo(writer, "total_amount");
        }
        AddAmount(writer, cues, "net_amount", net, consistent);
        AddAmount(writer, cues, "total_tax_amount", tax, consistent);

        AddInvoiceId(writer, labels, view);
        var dateType = receipt ? "receipt_date" : "invoice_date";
        var tillDate = receipt ? SecondReading.Choose(ReceiptCues.Date(view, cues), second is null ? null : ReceiptCues.Date(second.View, second.Cues),
            static (a, b) => a.Date == b.Date) : null;
        if (tillDate is { Second: true } secondDate && second is not null)
        {
            AddDate(second.Writer, dateType, secondDate.Value, secondDate.Confidence);
            second.MoveTo(writer, dateType);
        }
        if (tillDate is not { Second: true })
        {
            var issued = tillDate is { Second: false } firstDate ? (firstDate.Value, firstDate.Confidence) : ((DateMatch Date, float Confidence)?)null;
            issued ??= BestDate(labels, Kind.InvoiceDate, cues, view, allowGeneric: expense || receipt);
            // A document of another type still gets its first date, with the confidence saying it is a guess.
            if (issued is null && cues.Dates.Count > 0) issued = (cues.Dates[0], expense || receipt ? 0.5f : 0.3f);
            // A receipt always has a date: when none reads as one, the first that does once OCR slips are allowed for.
            if (issued is null && receipt && DateNormalizer.FindRepaired(cues.Shadow, cues.DateOrder) is [var repaired, ..]) issued = (repaired, 0.4f);
            if (issued is { } d) AddDate(writer, dateType, d.Date, d.Confidence);
        }
        if (BestDate(labels, Kind.DueDate, cues, view, allowGeneric: true) is { } due) AddDate(writer, "due_date", due.Date, due.Confidence);

        AddReceiver(writer, labels, view);
        if (receipt && _receiptModels is not null && view.Count > 0) AddReceiptHeader(writer, view[0], _receiptModels);
        else AddSupplier(writer, labels, view, expense ? 1f : 0.6f);
        AddCurrency(writer, labels, cues, view, total?.Amount, receipt);
    }

    private static void AddReceiptHeader(EntityWriter writer, PageView page, ReceiptModels models)
    {
        if (AddReceiptNameAndAddress(writer, page, models) is not { } address) return;
        // A stop after a number before the next part ("NO 7. SIMPANG", "JALAN SR 1/9. SEKSYEN 9") is the comma OCR or the
        // print's thermal dots made of it: the labels of the 564 dev receipts give a comma in 14 of the 17 such places of their labelled lines (docs/benchmarks.md, session 13).
        if (address.MentionText is { } mention) address.MentionText = StopAfterNumber().Replace(mention, "$1, ");
        if (address.NormalizedValue?.Text is { } text) address.NormalizedValue.Text = StopAfterNumber().Replace(text, "$1, ");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(\d)\.[ \n]+(?=[A-Za-z0-9])")]
    private static partial System.Text.RegularExpressions.Regex StopAfterNumber();

    /// <summary>The merchant's name and address entities; returns the address (null: none).</summary>
    private static Entity? AddReceiptNameAndAddress(EntityWriter writer, PageView page, ReceiptModels models)
    {
        var (name, address) = ReceiptHeader.Find(page, models);
        var registry = models.Suppliers;
        Entity? supplier = null;
        if (name is not null)
            supplier = Repair(writer.Add("supplier_name", name.Start, name.End, Math.Clamp(name.Confidence, 0.3f, 0.95f),
                new NormalizedValue { Text = OcrText.Squash(writer.Text[name.Start..name.End]) }), models.Lexicon);
        // A known supplier: the name as it prints it, even where the model picked another header line.
        string? known = null;
        if (registry is not null)
        {
            if (supplier?.MentionText is { } reading && registry.ResolveName(reading) is { } resolved) known = Resolved(supplier, resolved.Name, resolved.Error);
            else if (SupplierRegistryMatch.NameLine(page, registry, models.Lexicon) is { } line)
            {
                if (supplier is not null) writer.Remove(supplier);
                supplier = writer.Add("supplier_name", line.Start, line.End, 0.8f);
                if (supplier is not null) known = Resolved(supplier, line.Name, line.Error);
            }
        }
        // A postal address the address rules recognise just below the name: theirs when the model found none, and
        // their normalised form ("street, city") when both found the same lines.
        var nameLine = supplier is null ? -1 : page.Lines.Count(l => l.Start < Start(supplier, name));
        var found = AddressFinder.FindAll([page]).FirstOrDefault(a => a.FirstLine >= nameLine && a.FirstLine <= nameLine + 4);
        Entity? where = null;
        if (address is null && found is not null)
            where = Repair(writer.Add("supplier_address", found.Start, found.End, 0.7f, new NormalizedValue { Text = found.Normalized }), models.Lexicon);
        else if (address is not null)
            where = Repair(writer.Add("supplier_address", address.Start, address.End, Math.Clamp(address.Confidence, 0.3f, 0.95f), new NormalizedValue
            {
                Text = found is not null && found.Start == address.Start && found.End == address.End ? found.Normalized : Joined(writer.Text[address.Start..address.End]),
            }), models.Lexicon);
        if (registry is null) return where;
        // A known address: the reading's own lines first, else the lines under the name that read as one.
        if (where?.MentionText is { } said && registry.ResolveAddress(said, known) is { } hit)
            Resolved(where, registry.SpacedLike(hit.Address, said), hit.Error);
        else if (SupplierRegistryMatch.AddressLines(page, registry, known, Math.Max(0, nameLine)) is { } lines)
        {
            if (where is not null) writer.Remove(where);
            where = writer.Add("supplier_address", lines.Start, lines.End, 0.8f);
            if (where is not null) Resolved(where, registry.SpacedLike(lines.Address, writer.Text[lines.Start..lines.End]), lines.Error);
        }
        return where is null ? null : KeepBranch(writer, page, where, registry, known, models.Lexicon);
    }

    /// <summary>
    /// A chain's branch label under its address ("(TESCO PUTRA NILAI)", "1320-TMN BATU") is this receipt's own: a known
    /// address resolved without it, or with another branch's label, gets the branch as printed here. The address
    /// without the label is resolved again on its own (the label is a small part of the whole, so a known address of
    /// another branch of the chain can be the nearest), and the label follows it.
    /// </summary>
    private static Entity? KeepBranch(EntityWriter writer, PageView page, Entity where, SupplierRegistry registry, string? known, OcrLexicon? lexicon)
    {
        if (where.TextAnchor?.TextSegments is not [var first, ..] segments || where.MentionText is not { } resolved) return where;
        int start = (int)first.StartIndex, end = (int)segments[^1].EndIndex;
        var lines = page.Lines;
        var last = -1;
        for (var i = 0; i < lines.Count; i++) if (lines[i].Start < end && lines[i].End >= end) { last = i; break; }
        if (last < 0) return where;
        int branch, baseEnd;
        if (last > 0 && ReceiptHeader.IsBranchUnderAddress(lines[last - 1], lines[last]) && lines[last - 1].End > start) (branch, baseEnd) = (last, lines[last - 1].End);
        else if (last + 1 < lines.Count && ReceiptHeader.IsBranchUnderAddress(lines[last], lines[last + 1])) (branch, baseEnd) = (last + 1, end);
        else return where;
        var printed = OcrText.Squash(lines[branch].Text);
        var label = BranchLabel(printed, lexicon);
        string text;
        if (ReceiptHeader.BranchTail(resolved) is { } tail
            && SupplierRegistry.BoundedDistance(SupplierRegistry.Key(tail), SupplierRegistry.Key(label), 3) <= Math.Max(1, label.Length / 5))
        {
            // The address ends with this branch's label: a known branch's (its misreads repaired) stays; the label as
            // read gets the repairs in the words after its code.
            if (SupplierRegistry.Key(tail) != SupplierRegistry.Key(printed) || label == printed) return where;
            text = resolved[..^tail.Length].TrimEnd() + " " + label;
        }
        else
        {
            var reading = OcrText.Squash(writer.Text[start..baseEnd]);
            if (lexicon is not null) reading = lexicon.Correct(reading);
            var head = registry.ResolveAddress(reading, known) is { } hit ? registry.SpacedLike(hit.Address, reading) : reading;
            if (ReceiptHeader.BranchTail(head) is { } other) head = head[..^other.Length].TrimEnd();
            text = head + " " + label;
        }
        if (lines[branch].End > end)
        {
            var confidence = where.Confidence;
            writer.Remove(where);
            if (writer.Add("supplier_address", start, lines[branch].End, confidence) is not { } grown) return null;
            where = grown;
        }
        where.MentionText = text;
        where.NormalizedValue ??= new NormalizedValue();
        where.NormalizedValue.Text = text;
        return where;
    }

    /// <summary>A branch label with the lexicon's repairs, also in the words after a branch code ("1320-THN BATU").</summary>
    private static string BranchLabel(string label, OcrLexicon? lexicon)
    {
        if (lexicon is null) return label;
        var dash = label.IndexOf('-');
        return dash > 0 && label[..dash].Trim().All(char.IsDigit) ? label[..(dash + 1)] + lexicon.Correct(label[(dash + 1)..]) : lexicon.Correct(label);
    }

    private static int Start(Entity entity, ReceiptHeader.Span? fallback) =>
        entity.TextAnchor?.TextSegments is [var first, ..] ? (int)first.StartIndex : fallback?.Start ?? 0;

    /// <summary>The entity now says what the known supplier prints; its anchor keeps the OCR reading.</summary>
    private static string Resolved(Entity entity, string text, double error)
    {
        entity.MentionText = text;
        entity.NormalizedValue ??= new NormalizedValue();
        entity.NormalizedValue.Text = text;
        entity.Confidence = Math.Max(entity.Confidence, (float)(0.95 - error));
        return text;
    }

    /// <summary>
    /// The entity's reading with OCR misreads repaired by the lexicon: the mention text and normalised text say what
    /// the receipt prints; the text anchor keeps pointing at (and holding) the OCR text as read.
    /// </summary>
    private static Entity? Repair(Entity? entity, OcrLexicon? lexicon)
    {
        if (entity is null || lexicon is null) return entity;
        if (entity.MentionText is { } mention) entity.MentionText = lexicon.Correct(OcrText.LetterGlyphs(mention));
        if (entity.NormalizedValue?.Text is { } text) entity.NormalizedValue.Text = lexicon.Correct(OcrText.LetterGlyphs(text));
        return entity;
    }

    /// <summary>An address's lines joined with ", " (or a space after a line that ends in punctuation).</summary>
    private static string Joined(string text)
    {
        var lines = text.Split('\n').Select(OcrText.Squash).Where(l => l.Length > 0).ToList();
        var result = new System.Text.StringBuilder();
        foreach (var line in lines)
        {
            if (result.Length > 0) result.Append(result[^1] is ',' or ';' or ':' or '.' ? " " : ", ");
            result.Append(line);
        }
        return result.ToString();
    }

    private static List<Label> FindLabels(IReadOnlyList<PageView> pages)
    {
        var labels = new List<Label>();
        foreach (var page in pages)
        {
            for (var li = 0; li < page.Lines.Count; li++)
            {
                var line = page.Lines[li];
                var canon = OcrText.Canonical(line.Text);
                var height = Math.Max(1f, line.Box.Height);
                for (var wi = 0; wi < line.Words.Count; wi++)
                {
                    var word = line.Words[wi];
                    if (wi > 0 && word.Box.Left - line.Words[wi - 1].Box.Right < 1.2f * height && !line.Words[wi - 1].Text.EndsWith(':')) continue;
                    var pos = word.Start - line.Start;
                    foreach (var spec in Specs)
                    {
                        var m = spec.Regex.Match(canon, pos);
                        if (!m.Success) continue;
                        var end = pos + m.Length;
                        var labelWords = line.Words.Where(w => w.Start - line.Start >= pos && w.Start - line.Start < end).ToList();
                        // Alone: nothing but punctuation follows before the next column starts.
                        var labelBox = Box.Union(labelWords.Select(w => w.Box));
                        var alone = SameColumn(line.Words.Where(w => w.Start >= line.Start + end), labelBox.Right, height)
                            .All(w => w.Text.Trim(':', '#', '.', '-').Length == 0);
                        foreach (var kind in spec.Kinds)
                            labels.Add(new Label(kind, spec.Priority, page, li, line.Start + end, labelBox, alone));
                        break;
                    }
                }
            }
        }
        return labels;
    }

    /// <summary>The leading words of <paramref name="words"/> up to the first gap wide enough to start another column.</summary>
    private static IEnumerable<WordView> SameColumn(IEnumerable<WordView> words, float right, float height)
    {
        foreach (var w in words)
        {
            if (w.Box.Left - right > 2.5f * height && StartsLabel(w)) yield break;
            right = w.Box.Right;
            yield return w;
        }
    }

    /// <summary>Whether a word begins another label ("Date:", "Due date"), which ends the previous label's value.</summary>
    private static bool StartsLabel(WordView word)
    {
        if (word.Text.EndsWith(':')) return true;
        var canon = OcrText.Canonical(word.Text);
        return Specs.Any(spec => spec.Regex.Match(canon, 0) is { Success: true } m && m.Length > 0);
    }

    /// <summary>Words to the right of a label on the same visual row: the rest of its line, then other lines level with it.</summary>
    private static IEnumerable<WordView> RightOf(Label label)
    {
        var line = label.Page.Lines[label.LineIndex];
        foreach (var w in line.Words.Where(w => w.Start >= label.End)) yield return w;
        var h = Math.Max(1f, label.Box.Height);
        foreach (var other in label.Page.Lines)
        {
            if (ReferenceEquals(other, line) || Math.Abs(other.Box.CenterY - label.Box.CenterY) > 0.6f * h) continue;
            foreach (var w in other.Words.Where(w => w.Box.Left >= label.Box.Right)) yield return w;
        }
    }

    /// <summary>Lines below a label standing alone, within its column and a few line heights.</summary>
    private static IEnumerable<LineView> Below(Label label)
    {
        if (!label.Alone) yield break;
        var h = Math.Max(1f, label.Box.Height);
        foreach (var line in label.Page.Lines.Skip(label.LineIndex + 1))
        {
            if (line.Box.Top < label.Box.Bottom - 0.3f * h) continue;
            if (line.Box.Top - label.Box.Bottom > 3f * h) yield break;
            if (line.Box.Right < label.Box.Left - h || line.Box.Left > label.Box.Right + 8 * h) continue;
            yield return line;
        }
    }

    private static (AmountMatch Amount, float Confidence)? BestAmount(List<Label> labels, Kind kind, DocumentCues cues, IReadOnlyList<PageView> pages, bool preferLargest)
    {
        var found = new List<(AmountMatch Amount, int Priority, Label Label)>();
        foreach (var label in labels.Where(l => l.Kind == kind))
        {
            var right = RightOf(label).ToList();
            var amount = cues.Amounts.Where(a => right.Any(w => w.Start <= a.Start && a.Start < w.End))
                .MaxBy(a => right.First(w => w.Start <= a.Start && a.Start < w.End).Box.Left);
            amount ??= Below(label).Select(l => cues.Amounts.FirstOrDefault(a => a.Start >= l.Start && a.End <= l.End)).FirstOrDefault(a => a is not null);
            if (amount is not null) found.Add((amount, label.Priority, label));
        }
        if (found.Count == 0) return null;
        var top = found.Max(f => f.Priority);
        var best = found.Where(f => f.Priority == top).ToList();
        if (kind == Kind.Tax && best.Count > 1 && best.Select(b => b.Label.LineIndex + b.Label.Page.PageIndex * 10000).Distinct().Count() == best.Count && top == 3)
        {
            // Several rates and no tax total: the tax is their sum.
            var sum = best.Sum(b => b.Amount.Money.Value);
            var first = best[0].Amount;
            return (first with { Money = first.Money with { Value = sum } }, 0.7f);
        }
        var chosen = preferLargest ? best.MaxBy(b => b.Amount.Money.Value) : best[0];
        return (chosen.Amount, top >= 3 ? 0.9f : top == 2 ? 0.8f : 0.6f);
    }

    private static void AddAmount(EntityWriter writer, DocumentCues cues, string type, (AmountMatch Amount, float Confidence)? found, bool consistent)
    {
        if (found is not { } f) return;
        writer.Add(type, f.Amount.Start, f.Amount.End, consistent ? Math.Max(0.97f, f.Confidence) : f.Confidence, new NormalizedValue
        {
            Text = f.Amount.Money.Text,
            MoneyValue = f.Amount.Money.ToMoney(cues.DefaultCurrency),
        });
    }

    private static (DateMatch Date, float Confidence)? BestDate(List<Label> labels, Kind kind, DocumentCues cues, IReadOnlyList<PageView> pages, bool allowGeneric)
    {
        foreach (var label in labels.Where(l => l.Kind == kind && (allowGeneric || l.Priority >= 3)).OrderByDescending(l => l.Priority))
        {
            var right = RightOf(label).ToList();
            var date = cues.Dates.FirstOrDefault(d => right.Any(w => w.Start <= d.Start && d.Start < w.End));
            date ??= Below(label).Select(l => cues.Dates.FirstOrDefault(d => d.Start >= l.Start && d.Start < l.End)).FirstOrDefault(d => d is not null);
            if (date is not null) return (date, label.Priority >= 3 ? 0.92f : 0.75f);
        }
        return null;
    }

    private static void AddDate(EntityWriter writer, string type, DateMatch date, float confidence) =>
        writer.Add(type, date.Start, date.DateEnd, date.Ambiguous ? confidence * 0.85f : confidence,
            new NormalizedValue { Text = date.DateText, DateValue = date.ToDateValue() });

    private static void AddInvoiceId(EntityWriter writer, List<Label> labels, IReadOnlyList<PageView> pages)
    {
        foreach (var label in labels.Where(l => l.Kind == Kind.InvoiceId).OrderByDescending(l => l.Priority))
        {
            var line = label.Page.Lines[label.LineIndex];
            var h = Math.Max(1f, label.Box.Height);
            IEnumerable<WordView> candidates = SameColumn(line.Words.Where(w => w.Start >= label.End), label.Box.Right, h);
            if (label.Priority >= 3 && label.Alone)
                candidates = candidates.Concat(Below(label).Take(1).SelectMany(l => l.Words.Where(w => w.Box.Left < label.Box.Right + 4 * h)));
            foreach (var word in candidates)
            {
                var value = word.Text.Trim(':', '#', '.', ',', ';', '(', ')');
                if (value.Length == 0 || value is "No" or "NO" or "Nr" or "N°" or "Number") continue;
                if (value.Any(char.IsDigit) && value.Length >= 3 && DateNormalizer.Parse(value) is null)
                {
                    var offset = word.Text.IndexOf(value, StringComparison.Ordinal);
                    writer.Add("invoice_id", word.Start + offset, word.Start + offset + value.Length, label.Priority >= 3 ? 0.9f : 0.6f,
                        new NormalizedValue { Text = value });
                    return;
                }
                break;
            }
        }
    }

    private static void AddReceiver(EntityWriter writer, List<Label> labels, IReadOnlyList<PageView> pages)
    {
        foreach (var label in labels.Where(l => l.Kind == Kind.Receiver).OrderByDescending(l => l.Priority))
        {
            var line = label.Page.Lines[label.LineIndex];
            var words = SameColumn(line.Words.Where(w => w.Start >= label.End), label.Box.Right, Math.Max(1f, label.Box.Height)).ToList();
            if (words.Count > 0 && words[0].Text is ":" or "-") words.RemoveAt(0);
            if (words.Count == 0)
            {
                var next = Below(label).FirstOrDefault(l => !AttnRegex().IsMatch(l.Text));
                if (next is null) continue;
                // The value's words in the label's column: from the first word reaching the column to the next gap.
                var inColumn = next.Words.SkipWhile(w => w.Box.Right < label.Box.Left - label.Box.Height).ToList();
                words = inColumn.Count == 0 ? [] : [inColumn[0], .. SameColumn(inColumn.Skip(1), inColumn[0].Box.Right, Math.Max(1f, label.Box.Height))];
                if (words.Count == 0) continue;
            }
            var start = words[0].Start;
            var end = words[^1].End;
            var text = writer.Text[start..end];
            // "Name, 12 Street, City": the name is the part before the first comma followed by an address.
            var comma = text.IndexOf(',');
            if (comma > 0 && text[comma..].Any(char.IsDigit)) end = start + comma;
            if (text.Any(char.IsLetter))
            {
                writer.Add("receiver_name", start, end, label.Priority >= 3 ? 0.85f : 0.7f, new NormalizedValue { Text = OcrText.Squash(writer.Text[start..end]) });
                return;
            }
        }
    }

    private static void AddSupplier(EntityWriter writer, List<Label> labels, IReadOnlyList<PageView> pages, float weight)
    {
        if (pages.Count == 0 || pages[0].Lines.Count == 0) return;
        var page = pages[0];
        var receiverLine = labels.Where(l => l.Kind == Kind.Receiver && l.Page.PageIndex == 0).Select(l => l.LineIndex).DefaultIfEmpty(int.MaxValue).Min();
        var heights = page.Lines.Select(l => l.Box.Height).Order().ToList();
        var median = Math.Max(1f, heights[heights.Count / 2]);
        int? best = null;
        var bestScore = float.MinValue;
        for (var i = 0; i < page.Lines.Count && i < receiverLine && i < 10; i++)
        {
            var line = page.Lines[i];
            if (page.Height > 0 && line.Box.Top > 0.35f * page.Height && i > 2) break;
            var text = line.Text.Trim();
            if (!IsNameLike(text)) continue;
            var score = line.Box.Height / median - 0.15f * i;
            if (Organizations.Find([page with { Lines = [line] }]).Count > 0) score += 1.5f;
            if (text.Any(char.IsLetter) && text.Where(char.IsLetter).All(char.IsUpper)) score += 0.2f;
            if (score > bestScore) { bestScore = score; best = i; }
        }
        if (best is not { } index) return;
        var chosen = page.Lines[index];
        writer.Add("supplier_name", chosen.Start, chosen.End, weight * Math.Clamp(0.5f + 0.15f * bestScore, 0.5f, 0.9f),
            new NormalizedValue { Text = OcrText.Squash(chosen.Text) });
        var address = AddressFinder.FindAll([page]).FirstOrDefault(a => a.FirstLine > index && a.FirstLine <= index + 4 && a.FirstLine < receiverLine);
        if (address is not null)
            writer.Add("supplier_address", address.Start, address.End, weight * 0.8f, new NormalizedValue { Text = address.Normalized });
    }

    private static bool IsNameLike(string text)
    {
        if (text.Length < 3 || text.Contains('@') || text.Contains(':') || text.Contains("www", StringComparison.OrdinalIgnoreCase) || text.Contains("http", StringComparison.OrdinalIgnoreCase)) return false;
        if (text.Count(char.IsDigit) > 2 || text.Count(char.IsLetter) < 3 || text.Split(' ').Length > 7) return false;
        return !TitleRegex().IsMatch(OcrText.Canonical(text));
    }

    private static void AddCurrency(EntityWriter writer, List<Label> labels, DocumentCues cues, IReadOnlyList<PageView> pages, AmountMatch? total, bool receipt)
    {
        foreach (var label in labels.Where(l => l.Kind == Kind.Currency))
        {
            var word = RightOf(label).FirstOrDefault();
            var code = word is null ? null : Currencies.CodeOf(word.Text.Trim(':', '.', ','));
            if (word is not null && code is not null)
            {
                writer.Add("currency", word.Start, word.Start + word.Text.Trim(':', '.', ',').Length, 0.95f, new NormalizedValue { Text = code });
                return;
            }
        }
        // A till receipt prints its currency many times: the document's vote beats the one symbol by the total (OCR noise).
        var currency = receipt ? cues.DefaultCurrency ?? total?.Money.Currency : total?.Money.Currency ?? cues.DefaultCurrency;
        if (currency is null) return;
        var sources = (total is not null ? [total] : Enumerable.Empty<AmountMatch>()).Concat(cues.Amounts.Where(a => a.Money.Currency == currency));
        foreach (var amount in sources)
        {
            var printed = cues.Text[amount.Start..amount.End];
            var symbol = CurrencyRegex().Match(printed);
            if (!symbol.Success || Currencies.CodeOf(symbol.Value) != currency) continue;
            writer.Add("currency", amount.Start + symbol.Index, amount.Start + symbol.Index + symbol.Length, 0.85f, new NormalizedValue { Text = currency });
            return;
        }
        // Ringgit printed as a column or label unit ("Total (RM)") rather than beside an amount.
        if (currency != "MYR") return;
        var unit = RinggitRegex().Match(cues.Text);
        if (!unit.Success) return;
        var at = unit.Index;
        var printedUnit = unit.Value;
        writer.Add("currency", at, at + printedUnit.Length, 0.75f, new NormalizedValue { Text = "MYR" });
    }

    [GeneratedRegex(@"^(?:ATTN|ATTENTION|C/O|Z\.? ?HD)", RegexOptions.IgnoreCase)]
    private static partial Regex AttnRegex();

    [GeneratedRegex(@"^(?:(?:TAX |SALES |COMMERCIAL |PRO ?FORMA )?INVOICE|RECEIPT|SALES RECEIPT|RECHNUNG|FACTURE|FACTURA|FATTURA|FACTUUR|QUITTUNG|KASSENBON|KASSENBELEG|BELEG|BON|TICKET|CREDIT NOTE|STATEMENT|ESTIMATE|QUOTATION|QUOTE|ORIGINAL|COPY|DUPLICATE|WELCOME|THANK YOU|TABLE|ORDER)\b")]
    private static partial Regex TitleRegex();

    [GeneratedRegex(Currencies.Pattern)]
    private static partial Regex CurrencyRegex();

    [GeneratedRegex(@"(?<=\()(?:RM|MYR)(?=\))|(?<![\p{L}\d])(?:RM|MYR)(?![\p{L}\d])")]
    private static partial Regex RinggitRegex();
}
