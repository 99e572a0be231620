using System.Globalization;

namespace DocFlow.Samples;

/// <summary>One generated document: its bytes and what it contains.</summary>
internal sealed record GeneratedDocument(string FileName, byte[] Content, GroundTruth Truth, string Description);

/// <summary>Collects the ground truth of a document while it is laid out.</summary>
internal sealed class Sample(string file, string mimeType, string documentType)
{
    private readonly List<TruthPage> pages = [];
    private readonly Dictionary<string, string> fields = [];
    private readonly List<TruthEntity> entities = [];
    private readonly List<TruthTable> tables = [];

    public string File => file;

    public int NextPageNumber => pages.Count + 1;

    public void Field(string key, string value) => fields[key] = value;

    public void Entity(string type, string mention, string normalized) => entities.Add(new TruthEntity(type, mention, normalized));

    /// <summary>A field whose value is also an entity of the same name.</summary>
    public void FieldEntity(string key, string mention, string normalized)
    {
        Field(key, mention);
        Entity(key, mention, normalized);
    }

    public void Table(TruthTable table) => tables.Add(table);

    public void Page(PageLayout layout, string kind, int rotation = 0, double skew = 0) =>
        pages.Add(new TruthPage(pages.Count + 1, kind, rotation, Math.Round(skew, 2), layout.Text));

    public GroundTruth Truth()
    {
        var truth = new GroundTruth
        {
            File = file,
            MimeType = mimeType,
            DocumentType = documentType,
            Pages = pages.ToList(),
            Fields = new Dictionary<string, string>(fields),
            Entities = entities.ToList(),
            Tables = tables.ToList(),
        };
        var text = truth.Text;
        foreach (var e in entities)
        {
            if (!text.Contains(e.MentionText, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{file}: entity {e.Type} \"{e.MentionText}\" is not in the text");
            }
        }
        foreach (var (key, value) in fields)
        {
            if (key != "currency" && value is not ("checked" or "unchecked") && !text.Contains(value, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{file}: field {key} = \"{value}\" is not in the text");
            }
        }
        if (text.Contains("  ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{file}: double space in the text");
        }
        return truth;
    }
}

internal static class Fmt
{
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>1,234.50</summary>
    public static string Money(decimal v) => v.ToString("#,##0.00", Inv);

    /// <summary>1234.50 — the normalized form of an amount.</summary>
    public static string Plain(decimal v) => v.ToString("0.00", Inv);

    public static string Date(DateOnly d, string format) => d.ToString(format, Inv);

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", Inv);

    /// <summary>An IBAN with valid ISO 13616 check digits, printed in groups of four.</summary>
    public static string Iban(string country, string bban)
    {
        var check = 98 - Mod97(bban + country + "00");
        var iban = country + check.ToString("00", Inv) + bban;
        return string.Join(' ', iban.Chunk(4).Select(c => new string(c)));
    }

    public static int Mod97(string s)
    {
        var mod = 0;
        foreach (var ch in s)
        {
            var digits = char.IsDigit(ch) ? (ch - '0').ToString(Inv) : (ch - 'A' + 10).ToString(Inv);
            foreach (var d in digits)
            {
                mod = (mod * 10 + (d - '0')) % 97;
            }
        }
        return mod;
    }

    public static string Digits(Random rng, int count)
    {
        var chars = new char[count];
        for (var i = 0; i < count; i++)
        {
            chars[i] = (char)('0' + rng.Next(10));
        }
        return new string(chars);
    }

    /// <summary>A German VAT id (DE + 9 digits) with a valid ISO 7064 MOD 11,10 check digit.
    /// Draws as many random numbers as <c>Digits(rng, 9)</c>, so the rest of a document stays the same.</summary>
    public static string GermanVatId(Random rng)
    {
        var d = Digits(rng, 9).ToCharArray();
        if (d[0] == '0') d[0] = '1';
        var product = 10;
        for (var i = 0; i < 8; i++)
        {
            var sum = (d[i] - '0' + product) % 10;
            product = 2 * (sum == 0 ? 10 : sum) % 11;
        }
        d[8] = (char)('0' + (11 - product) % 10);
        return "DE" + new string(d);
    }

    /// <summary>A UK VAT number (GB + 9 digits) whose last two digits make the weighted sum divisible by 97.</summary>
    public static string BritishVatId(Random rng)
    {
        var d = Digits(rng, 9).ToCharArray();
        var sum = 0;
        for (var i = 0; i < 7; i++) sum += (d[i] - '0') * (8 - i);
        var check = (97 - sum % 97) % 97;
        d[7] = (char)('0' + check / 10);
        d[8] = (char)('0' + check % 10);
        return "GB" + new string(d);
    }

    public static DateOnly DateIn2026(Random rng, int fromDay = 1, int toDay = 330) => new DateOnly(2026, 1, 1).AddDays(rng.Next(fromDay, toDay));

    public static T[] Pick<T>(Random rng, IReadOnlyList<T> items, int count)
    {
        var copy = items.ToArray();
        rng.Shuffle(copy);
        return copy[..count];
    }
}
