using System.Text.RegularExpressions;
using DocFlow.Documents;
using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>A text line of a receipt with its box, in any pixel space (OCR'd or labelled).</summary>
public readonly record struct ReceiptLine(string Text, Box Box);

/// <summary>
/// Features of each line of a receipt for the line classifiers (<c>receipt_company</c>, <c>receipt_address</c>):
/// place on the receipt, size, alignment, character mix, keyword lexicons, and the same for its neighbours and for
/// what lies above it (a phone or tax-id line above means the header is over). Shared by the engine and the trainer.
/// </summary>
public static partial class ReceiptLineFeatures
{
    private static readonly string[] Own =
    [
        "top", "left", "right", "width", "centre_offset", "index", "index_share", "height_ratio", "length", "words",
        "digits", "uppers", "letters", "punct", "suffix", "address_word", "postcode", "phone", "tax_id", "reg_no",
        "title", "date", "time", "amount", "total_word", "cash_word", "thanks", "parens", "comma_end", "letter_index",
    ];

    private static readonly string[] Neighbour = ["suffix", "address_word", "postcode", "phone", "tax_id", "reg_no", "height_ratio", "centre_offset", "amount", "digits"];

    /// <summary>The feature names, in the order <see cref="Compute"/> writes them.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        .. Own,
        .. Neighbour.Select(n => "prev_" + n), .. Neighbour.Select(n => "next_" + n), .. Neighbour.Select(n => "prev2_" + n),
        "phone_above", "tax_id_above", "title_above", "date_above", "amount_above", "suffix_above", "reg_no_above", "lines_since_suffix",
        "line_count",
    ];

    /// <summary>Lines in reading order: top to bottom, then left to right for lines sharing a row.</summary>
    public static List<ReceiptLine> Ordered(IEnumerable<ReceiptLine> lines) =>
        [.. lines.OrderBy(l => l.Box.Top + l.Box.Height / 2).ThenBy(l => l.Box.Left)];

    /// <summary>One feature vector per line (lines already in reading order).</summary>
    public static float[][] Compute(IReadOnlyList<ReceiptLine> lines)
    {
        var n = lines.Count;
        var result = new float[n][];
        if (n == 0) return result;
        float minX = lines.Min(l => l.Box.Left), maxX = lines.Max(l => l.Box.Right);
        float minY = lines.Min(l => l.Box.Top), maxY = lines.Max(l => l.Box.Bottom);
        var width = Math.Max(1f, maxX - minX);
        var height = Math.Max(1f, maxY - minY);
        var heights = lines.Select(l => l.Box.Height).Order().ToList();
        var median = Math.Max(1f, heights[n / 2]);
        var own = new float[n][];
        var letterIndex = 0;
        for (var i = 0; i < n; i++)
        {
            var l = lines[i];
            var text = l.Text.Trim();
            var upper = OcrText.Canonical(text);
            var plain = text.ToUpperInvariant();
            var letters = text.Count(char.IsLetter);
            var chars = Math.Max(1, text.Count(c => !char.IsWhiteSpace(c)));
            own[i] =
            [
                (l.Box.Top - minY) / height,
                (l.Box.Left - minX) / width,
                (maxX - l.Box.Right) / width,
                l.Box.Width / width,
                Math.Abs((l.Box.Left + l.Box.Right) / 2 - (minX + maxX) / 2) / width,
                i,
                (float)i / n,
                l.Box.Height / median,
                text.Length,
                text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length,
                (float)text.Count(char.IsDigit) / chars,
                letters == 0 ? 0 : (float)text.Count(char.IsUpper) / letters,
                (float)letters / chars,
                (float)text.Count(c => char.IsPunctuation(c) || char.IsSymbol(c)) / chars,
                Flag(SuffixRegex().IsMatch(upper)),
                Math.Min(4, AddressWordRegex().Count(upper)),
                Flag(PostcodeRegex().IsMatch(text)),
                Flag(PhoneRegex().IsMatch(upper)),
                Flag(TaxIdRegex().IsMatch(upper)),
                Flag(RegNoRegex().IsMatch(plain)),
                Flag(TitleRegex().IsMatch(upper)),
                Flag(DateRegex().IsMatch(text)),
                Flag(TimeRegex().IsMatch(text)),
                Flag(AmountRegex().IsMatch(text)),
                Flag(TotalRegex().IsMatch(upper)),
                Flag(CashRegex().IsMatch(upper)),
                Flag(ThanksRegex().IsMatch(upper)),
                Flag(text.Contains('(')),
                Flag(text.EndsWith(',')),
                letterIndex,
            ];
            if (letters >= 3) letterIndex++;
        }
        int[] neighbourIndex = [.. Neighbour.Select(name => Array.IndexOf(Own, name))];
        float phoneAbove = 0, taxAbove = 0, titleAbove = 0, dateAbove = 0, amountAbove = 0, suffixAbove = 0, regAbove = 0, sinceSuffix = 20;
        for (var i = 0; i < n; i++)
        {
            var row = new List<float>(Names.Count);
            row.AddRange(own[i]);
            AddNeighbour(row, i > 0 ? own[i - 1] : null, neighbourIndex);
            AddNeighbour(row, i + 1 < n ? own[i + 1] : null, neighbourIndex);
            AddNeighbour(row, i > 1 ? own[i - 2] : null, neighbourIndex);
            row.AddRange([phoneAbove, taxAbove, titleAbove, dateAbove, amountAbove, suffixAbove, regAbove, Math.Min(20, sinceSuffix), n]);
            result[i] = [.. row];
            var o = own[i];
            phoneAbove = Math.Max(phoneAbove, o[17]);
            taxAbove = Math.Max(taxAbove, o[18]);
            titleAbove = Math.Max(titleAbove, o[20]);
            dateAbove = Math.Max(dateAbove, o[21]);
            amountAbove = Math.Max(amountAbove, o[23]);
            regAbove = Math.Max(regAbove, o[19]);
            if (o[14] > 0) { suffixAbove = 1; sinceSuffix = 0; } else sinceSuffix++;
        }
        return result;
    }

    private static void AddNeighbour(List<float> row, float[]? other, int[] indexes)
    {
        foreach (var k in indexes) row.Add(other is null ? -1 : other[k]);
    }

    private static float Flag(bool value) => value ? 1 : 0;

    [GeneratedRegex(@"\b(?:SDN\.?|BHD|BERHAD|S/B|ENTERPRISES?|TRADING|LTD|LIMITED|CO\.|COMPANY|CORPORATION|PLT|RESTAURANT|RESTORAN|CAFE|KAFE|MART|SHOP|STORE|HARDWARE|STATIONERY|BOOKS?|MARKETING|SUPERMARKET|HYPERMARKET|MINIMARKET|HOLDINGS|INDUSTRIES|GLOBAL|INTERNATIONAL|PERNIAGAAN|KEDAI|SERVICES?|FOOD|BAKERY|PHARMACY|FARMASI|HOTEL|STATION|MARKET|ENTERPRIS|MOTOR|ELECTRICAL|AUTO|CENTRE|GROCER)\b")]
    private static partial Regex SuffixRegex();

    [GeneratedRegex(@"\b(?:JALAN|JLN|TAMAN|TMN|LORONG|LRG|BANDAR|BDR|LOT|NO|BLOK|BLOCK|BATU|KAMPUNG|KG|PERSIARAN|LEBUH|SELANGOR|JOHOR|KUALA|LUMPUR|PETALING|JAYA|SHAH|ALAM|KLANG|PUCHONG|CHERAS|DARUL|EHSAN|TAKZIM|MALAYSIA|WILAYAH|PERSEKUTUAN|PULAU|PINANG|PENANG|PERAK|PAHANG|MELAKA|KEDAH|NEGERI|SEMBILAN|SABAH|SARAWAK|INDUSTRIAL|PERINDUSTRIAN|KAWASAN|SEKSYEN|SECTION|ROAD|STREET|AVENUE|FLOOR|TINGKAT|PLAZA|MALL|SUNGAI|SG|BUKIT|BKT|SRI|SERI|UTAMA|BARU|RAYA|KAJANG|SEREMBAN|IPOH|BANGI|SUBANG|AMPANG|SETIA|GROUND|UNIT|WISMA|KOMPLEKS|PUSAT|DESA|SEMENYIH|RAWANG|SELATAN|UTARA|PANDAN|MEDAN|TEMPLER|BAHRU)\b")]
    private static partial Regex AddressWordRegex();

    [GeneratedRegex(@"(?<!\d)\d{5}(?!\d)")]
    private static partial Regex PostcodeRegex();

    [GeneratedRegex(@"\b(?:TEL|TELEPHONE|PHONE|FAX|H/P|HP|MOBILE|MOB|WHATSAPP|EMAIL|E-MAIL|WEBSITE|WWW|HOTLINE)\b|@|\bT[EF]L?\s*[:.]")]
    private static partial Regex PhoneRegex();

    [GeneratedRegex(@"\b(?:GST|SST|TAX ID|REG|REGISTRATION|ROC|BRN|CO\.? ?NO|COMPANY NO)\b")]
    private static partial Regex TaxIdRegex();

    [GeneratedRegex(@"\b[A-Z]{0,3}\d{4,12}[ ]?-[ ]?[A-Z]\b|\(\d{5,12}\)")]
    private static partial Regex RegNoRegex();

    [GeneratedRegex(@"\b(?:INVOICE|RECEIPT|CASH SALES?|BILL|OFFICIAL|CASH BILL|QUOTATION|ORDER)\b")]
    private static partial Regex TitleRegex();

    [GeneratedRegex(@"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}[ -]?(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\w*[ -]?\d{2,4}\b", RegexOptions.IgnoreCase)]
    private static partial Regex DateRegex();

    [GeneratedRegex(@"\b\d{1,2}:\d{2}\b")]
    private static partial Regex TimeRegex();

    [GeneratedRegex(@"\d[.,]\d{2}\b")]
    private static partial Regex AmountRegex();

    [GeneratedRegex(@"\b(?:TOTAL|AMOUNT|NETT|NET|PAYABLE|ROUNDED|DUE)\b")]
    private static partial Regex TotalRegex();

    [GeneratedRegex(@"\b(?:CASH|CHANGE|TENDERED|CARD|VISA|MASTER|PAID|PAYMENT)\b")]
    private static partial Regex CashRegex();

    [GeneratedRegex(@"\b(?:THANK|THANKS|WELCOME|PLEASE|COME AGAIN|GOODS SOLD)\b")]
    private static partial Regex ThanksRegex();
}
