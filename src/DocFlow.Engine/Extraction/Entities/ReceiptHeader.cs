using System.Text.RegularExpressions;
using DocFlow.Engine.Extraction.Learning;
using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>The line classifiers that find a receipt's merchant name and address lines, and the lexicon that repairs
/// their misread words.</summary>
public sealed class ReceiptModels(TreeEnsemble company, TreeEnsemble address, OcrLexicon? lexicon = null, SupplierRegistry? suppliers = null)
{
    private static readonly Lazy<ReceiptModels?> Shipped = new(() =>
    {
        try
        {
            return new ReceiptModels(TreeEnsemble.LoadEmbedded("receipt_company"), TreeEnsemble.LoadEmbedded("receipt_address"), OcrLexicon.EmbeddedReceipts, SupplierRegistry.EmbeddedReceipts);
        }
        catch (InvalidOperationException)
        {
            return null; // a build without trained models: rules only
        }
    });

    /// <summary>Probability that a line is (part of) the merchant's name.</summary>
    public TreeEnsemble Company { get; } = company;

    /// <summary>Probability that a line is part of the merchant's address.</summary>
    public TreeEnsemble Address { get; } = address;

    /// <summary>Words of receipts' labelled text, for repairing OCR misreads in the name and address; null: none.</summary>
    public OcrLexicon? Lexicon { get; } = lexicon;

    /// <summary>Known suppliers a misread name or address is resolved against; null: none.</summary>
    public SupplierRegistry? Suppliers { get; } = suppliers;

    /// <summary>The same models with another supplier registry (a deployment's own vendor list), or none.</summary>
    public ReceiptModels WithSuppliers(SupplierRegistry? registry) => new(Company, Address, Lexicon, registry);

    /// <summary>The models shipped in the engine (Extraction/Models), or null when a build has none.</summary>
    public static ReceiptModels? Embedded => Shipped.Value;
}

/// <summary>
/// The header of a receipt: the merchant's name (one or two lines the company model rates highest, without a
/// registration number printed beside it) and the address (the lines below it the address model accepts, up to
/// the first phone, fax or tax-id line), joined in reading order.
/// </summary>
internal static partial class ReceiptHeader
{
    public sealed record Span(int Start, int End, float Confidence);

    public static (Span? Name, Span? Address) Find(PageView page, ReceiptModels models)
    {
        var lines = page.Lines;
        if (lines.Count == 0) return (null, null);
        var features = ReceiptLineFeatures.Compute([.. lines.Select(l => new ReceiptLine(l.Text, l.Box))]);
        var pc = features.Select(f => models.Company.Probability(f)).ToArray();
        var pa = features.Select(f => models.Address.Probability(f)).ToArray();
        var limit = Math.Max(3, (int)(lines.Count * 0.6));

        var best = -1;
        for (var i = 0; i < limit && i < lines.Count; i++)
            if (NameLike(lines[i].Text) && (best < 0 || pc[i] > pc[best])) best = i;
        if (best < 0) return (null, null);
        int first = best, last = best;
        // A name printed on two lines: neighbours the model also takes for the name, unless a registration number ends the first.
        while (first > 0 && pc[first - 1] >= 0.5f && pc[first - 1] > pa[first - 1] && NameLike(lines[first - 1].Text) && !RegistrationRegex().IsMatch(lines[first - 1].Text)) first--;
        while (last + 1 < lines.Count && pc[last + 1] >= 0.5f && pc[last + 1] > pa[last + 1] && NameLike(lines[last + 1].Text) && !RegistrationRegex().IsMatch(lines[last].Text)) last++;
        // A brand line above the legal name ("KIKU JAPANESE RESTAURANT" / "TK DIVISION KITCHEN SDN BHD"): the legal name
        // alone when it is complete; a legal name that only ends a wrapped one ("RESTAURANT SDN BHD") takes the line above.
        var legal = Enumerable.Range(first, last - first + 1).Where(i => LegalEnd(lines[i])).ToList();
        if (last > first && legal is [var only] && Complete(lines[only])) first = last = only;
        else if (first == last && legal.Count == 1 && !Complete(lines[first]) && first > 0 && NameLike(lines[first - 1].Text)
                 && !Stops(lines[first - 1].Text.ToUpperInvariant()) && !LegalEnd(lines[first - 1])) first--;
        var nameEnd = CutName(lines[last]);
        var nameStart = lines[first].Start + LeadLength(lines[first].Text);
        if (first == last && nameEnd <= nameStart) nameEnd = lines[last].End;
        var name = new Span(nameStart, nameEnd, pc[first..(last + 1)].Average());

        // The address: the first accepted line a few lines below the name (past a registration or tax-id line), then
        // the lines after it the model accepts (or weakly accepts and that read as an address), up to a stop line.
        Span? address = null;
        var first2 = -1;
        for (var j = last + 1; j < lines.Count && j <= last + 5; j++)
        {
            var upper = lines[j].Text.ToUpperInvariant();
            if (Stops(upper) && !(RegistrationAt(lines[j].Text) || TaxIdRegex().IsMatch(upper))) break;
            if (pa[j] >= 0.5f && !Stops(upper)) { first2 = j; break; }
        }
        if (first2 >= 0)
        {
            var end = first2;
            while (first2 - 1 > last && pa[first2 - 1] >= 0.25f && !Stops(lines[first2 - 1].Text.ToUpperInvariant())) first2--;
            while (end + 1 < lines.Count && !Stops(lines[end + 1].Text.ToUpperInvariant())
                   && (pa[end + 1] >= 0.35f || (pa[end + 1] >= 0.05f && PostcodeAhead(lines, pa, end + 1)) || ContinuesOn(lines[end], lines[end + 1]))) end++;
            // A branch label printed under a complete address ("(TESCO PUTRA NILAI)", "1320-TMN BATU") is part of it.
            if (end + 1 < lines.Count && IsBranchUnderAddress(lines[end], lines[end + 1])) end++;
            var stop = StopRegex().Match(lines[end].Text.ToUpperInvariant());
            var addressEnd = stop.Success && stop.Index > 0 ? lines[end].Start + stop.Index : lines[end].End;
            address = new Span(lines[first2].Start, addressEnd, pa[first2..(end + 1)].Average());
        }
        return (name, address);
    }

    /// <summary>Whether a line is a branch label ("(TESCO PUTRA NILAI)", "1320-TMN BATU") printed under an address line with a postcode.</summary>
    public static bool IsBranchUnderAddress(LineView address, LineView line) =>
        PostcodeRegex().IsMatch(address.Text) && BranchRegex().IsMatch(line.Text.Trim()) && !Stops(line.Text.ToUpperInvariant());

    /// <summary>The branch label an address ends with ("... SELANGOR 1320-TMN BATU"), or null.</summary>
    public static string? BranchTail(string address) => BranchTailRegex().Match(address) is { Success: true } m ? m.Value.Trim() : null;

    /// <summary>A line that ends an address: it starts with a phone, fax or tax-id label, a registration number, a title or a date.</summary>
    private static bool Stops(string upper)
    {
        var stop = StopRegex().Match(upper);
        return (stop.Success && stop.Index <= 2) || TaxIdRegex().Match(upper) is { Success: true, Index: <= 2 } || RegistrationAt(upper)
               || TitleRegex().IsMatch(upper) || TaxLineRegex().IsMatch(upper) || DateRegex().IsMatch(upper);
    }

    /// <summary>An address line that ends with a comma goes on: a short line of words under it ("JOHOR", "SELANGOR DARUL
    /// EHSAN") is still the address.</summary>
    private static bool ContinuesOn(LineView line, LineView next) =>
        line.Text.TrimEnd().EndsWith(',') && next.Text.Length <= 30 && next.Text.Count(char.IsLetter) >= 3
        && next.Text.Count(char.IsDigit) == 0 && next.Box.Top - line.Box.Bottom < 1.5f * Math.Max(1f, line.Box.Height);

    /// <summary>Whether a postcode line the model does not reject follows within three lines, with no stop line before it:
    /// the address runs on to its postcode.</summary>
    private static bool PostcodeAhead(IReadOnlyList<LineView> lines, float[] pa, int from)
    {
        for (var k = from; k < lines.Count && k < from + 3; k++)
        {
            if (k > from && Stops(lines[k].Text.ToUpperInvariant())) return false;
            if (pa[k] >= 0.1f && PostcodeRegex().IsMatch(lines[k].Text)) return true;
        }
        return false;
    }

    private static bool RegistrationAt(string text) => RegistrationRegex().Match(text) is { Success: true, Index: <= 2 };

    /// <summary>Whether a line can be a name: mostly real words (not logo noise), not a document title.</summary>
    private static bool NameLike(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var wordy = words.Count(w => w.Count(char.IsLetter) >= 2 && w.Count(char.IsLetter) * 2 >= w.Length);
        return text.Count(char.IsLetter) >= 4 && wordy * 5 >= words.Length * 3 && !TitleRegex().IsMatch(text.ToUpperInvariant())
               && !ThanksRegex().IsMatch(text.ToUpperInvariant());
    }

    /// <summary>Whether a line (without a registration number beside it) ends in a legal form: SDN BHD, BHD, S/B, LTD, INC...</summary>
    private static bool LegalEnd(LineView line) => LegalRegex().IsMatch(line.Text[..(CutName(line) - line.Start)].TrimEnd());

    /// <summary>Whether a legal name has two words of its own before the legal form (or one and a qualifier such as "(M)")
    /// and starts like a name.</summary>
    private static bool Complete(LineView line)
    {
        var text = line.Text[..(CutName(line) - line.Start)].TrimEnd();
        var m = LegalRegex().Match(text);
        var head = text[..m.Index].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => !w.StartsWith('(') && w.Count(char.IsLetter) >= 2 && !w.Equals("CO.", StringComparison.OrdinalIgnoreCase)).ToList();
        var qualified = text[..m.Index].Contains('(');
        return (head.Count >= 2 || (head.Count == 1 && qualified)) && char.IsLetterOrDigit(text.TrimStart()[0]);
    }

    /// <summary>Characters to skip at the start of a name line: a leading counter or code ("#000002", "0001234").</summary>
    private static int LeadLength(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var space = text.IndexOf(' ', start);
            if (space < 0) break;
            var token = text[start..space];
            if (token.Length > 0 && !(token[0] is '#' or '*' || (token.Length >= 5 && token.All(char.IsDigit)))) break;
            start = space + 1;
        }
        return start >= text.Length ? 0 : start;
    }

    /// <summary>The end of the name on its last line: before a registration number or company-number label beside it.</summary>
    private static int CutName(LineView line)
    {
        var m = RegistrationRegex().Match(line.Text);
        return m.Success ? line.Start + m.Index : line.End;
    }

    [GeneratedRegex(@"\s*[(\[]?\s*\b(?:(?:CO\.?|COMPANY)\s*(?:REG|NO)\b|ROC\b|GST\b|REG\.?\s*NO\b)|\s*[(\[][^()\[\]]*\d[^()\[\]]*(?:-\s*\w\s*)?(?:[)\]]|$)|\s+[A-Z]{0,3}\d{4,12}\s*-\s*[A-Z]\b", RegexOptions.IgnoreCase)]
    private static partial Regex RegistrationRegex();

    [GeneratedRegex(@"^\W*(?:(?:SIMPLIFIED |FULL )?TA[XK] INVOICE|INVOICE|RECEIPT|OFFICIAL RECEIPT|CASH (?:SALES?|BILL)|TAX INVOICE)\b")]
    private static partial Regex TitleRegex();

    [GeneratedRegex(@"(?:\bSDN\.?[ ]?BHD\.?|\bBHD\.?|\bBERHAD|\bS/B|\bSB|\bPLT|\bLTD\.?|\bLIMITED|\bINC\.?|\bLLC|\bGMBH|\bCORP\.?|\bCORPORATION)$", RegexOptions.IgnoreCase)]
    private static partial Regex LegalRegex();

    /// <summary>A line that starts with the word TAX ("TAX INVOICE" half read, "TAX ID", "TAX (RM)"): no label of the dev sets'
    /// 564 addresses holds the word, and hundreds of their lines start with it.</summary>
    [GeneratedRegex(@"^\W*TA[XK]\b")]
    private static partial Regex TaxLineRegex();

    [GeneratedRegex(@"\b(?:THANK|THANKS|TQ|WELCOME|VISIT|PLEASE|COME AGAIN)\b")]
    private static partial Regex ThanksRegex();

    [GeneratedRegex(@"\b(?:GST|SST|CO\.?[ ]?REG|COMPANY[ ]NO|ROC|BRN)\b")]
    private static partial Regex TaxIdRegex();

    [GeneratedRegex(@"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\bDATE\b")]
    private static partial Regex DateRegex();

    /// <summary>A branch label: a name in brackets, or a branch code and its name ("1320-TMN BATU").</summary>
    private const string BranchPattern = @"(?:\([A-Za-z][A-Za-z .&'-]{2,40}\)|\d{3,4}[ ]?-[ ]?[A-Za-z]{2,}[A-Za-z .'-]{0,30})";

    [GeneratedRegex("^" + BranchPattern + "$")]
    private static partial Regex BranchRegex();

    [GeneratedRegex(@"\s" + BranchPattern + "$")]
    private static partial Regex BranchTailRegex();

    [GeneratedRegex(@"(?<!\d)\d{5}(?!\d)")]
    private static partial Regex PostcodeRegex();

    [GeneratedRegex(@"\b(?:TEL|TELEPHONE|PHONE|FAX|H/P|HP|MOBILE|EMAIL|E-MAIL|GST|SST|WEBSITE)\b|\bT\s*[:.]\s*\d")]
    private static partial Regex StopRegex();
}
