using System.Text.RegularExpressions;
using DocFlow.Documents;
using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>
/// Generic entities found by pattern and checked by rule: <c>date_time</c>, <c>email</c>, <c>phone_number</c>,
/// <c>url</c>, <c>address</c>, <c>organization</c>, <c>price</c> and <c>id</c> (IBAN, VAT number, EIN and
/// labelled reference codes), each with its normalised value.
/// </summary>
/// <remarks>Numbers are searched in the OCR numeric shadow of the text (same offsets, O/l/S read as 0/1/5 inside
/// number-like tokens), so anchors and mentions stay exact while misread digits still match.</remarks>
public sealed partial class GenericEntityEnricher : IDocumentEnricher
{
    public void Enrich(Document document, IReadOnlyList<PageLayout> pages, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(document.Text)) return;
        var view = DocumentView.Pages(document, pages);
        var writer = new EntityWriter(document, view);
        var cues = DocumentCues.For(document);
        var text = document.Text;
        var shadow = cues.Shadow;

        var emails = AddEmails(writer, text);
        AddUrls(writer, text, emails);
        cancellationToken.ThrowIfCancellationRequested();
        AddIds(writer, text, shadow);
        AddPhones(writer, shadow);
        foreach (var date in cues.Dates)
            writer.Add("date_time", date.Start, date.End, date.Ambiguous ? 0.7f : 0.95f, new NormalizedValue
            {
                Text = date.Text,
                DateValue = date.ToDateValue(),
                DatetimeValue = date.Time is null ? null : date.Text,
            });
        foreach (var amount in cues.Amounts)
        {
            if (writer.Has("id", amount.Start, amount.End) || writer.Has("phone_number", amount.Start, amount.End) || writer.Has("date_time", amount.Start, amount.End)) continue;
            writer.Add("price", amount.Start, amount.End, amount.HasCurrency ? 0.9f : 0.75f, new NormalizedValue
            {
                Text = amount.Money.Text,
                MoneyValue = amount.Money.ToMoney(cues.DefaultCurrency),
            });
        }
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var address in AddressFinder.FindAll(view))
            writer.Add("address", address.Start, address.End, 0.8f, new NormalizedValue { Text = address.Normalized });
        foreach (var (start, end, confidence) in Organizations.Find(view))
            writer.Add("organization", start, end, confidence, new NormalizedValue { Text = Organizations.Normalize(text[start..end]) });
    }

    private static List<(int Start, int End)> AddEmails(EntityWriter writer, string text)
    {
        var spans = new List<(int, int)>();
        foreach (Match m in EmailRegex().Matches(text))
        {
            var value = m.Value.TrimEnd('.');
            writer.Add("email", m.Index, m.Index + value.Length, value.Contains(' ') ? 0.8f : 0.95f,
                new NormalizedValue { Text = value.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant() });
            spans.Add((m.Index, m.Index + value.Length));
        }
        return spans;
    }

    private static void AddUrls(EntityWriter writer, string text, List<(int Start, int End)> emails)
    {
        foreach (Match m in UrlRegex().Matches(text))
        {
            if (emails.Any(e => m.Index < e.End && e.Start < m.Index + m.Length)) continue;
            var value = m.Value.TrimEnd('.', ',', ';', ':', ')', '!', '?');
            var compact = value.Replace(" ", "", StringComparison.Ordinal);
            var normalized = compact.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? compact : "https://" + compact;
            writer.Add("url", m.Index, m.Index + value.Length, 0.9f, new NormalizedValue { Text = normalized });
        }
    }

    private static void AddPhones(EntityWriter writer, string shadow)
    {
        foreach (Match m in InternationalPhoneRegex().Matches(shadow))
        {
            var digits = Digits(m.Value.Replace("(0)", "", StringComparison.Ordinal));
            if (digits.Length is < 8 or > 15 || writer.Has("id", m.Index, m.Index + m.Length)) continue;
            writer.Add("phone_number", m.Index, m.Index + m.Length, 0.9f, new NormalizedValue { Text = "+" + digits });
        }
        foreach (Match m in NanpPhoneRegex().Matches(shadow))
        {
            if (writer.Has("phone_number", m.Index, m.Index + m.Length)) continue;
            writer.Add("phone_number", m.Index, m.Index + m.Length, 0.85f, new NormalizedValue { Text = "+1" + Digits(m.Value) });
        }
        foreach (Match m in LabelledPhoneRegex().Matches(shadow))
        {
            var g = m.Groups["n"];
            var digits = Digits(g.Value);
            if (digits.Length is < 6 or > 15 || writer.Has("phone_number", g.Index, g.Index + g.Length) || writer.Has("date_time", g.Index, g.Index + g.Length)) continue;
            writer.Add("phone_number", g.Index, g.Index + g.Length, 0.75f, new NormalizedValue { Text = digits });
        }
    }

    private static void AddIds(EntityWriter writer, string text, string shadow)
    {
        // IBAN: exactly as many characters as the country's length, spaces allowed between groups.
        foreach (Match m in IbanStartRegex().Matches(shadow))
        {
            if (!IdValidators.IbanLengths.TryGetValue(m.Value[..2], out var length)) continue;
            var compact = new System.Text.StringBuilder();
            var k = m.Index;
            var lastSpace = false;
            while (k < shadow.Length && compact.Length < length)
            {
                var c = shadow[k];
                if (c == ' ' && !lastSpace) { lastSpace = true; k++; continue; }
                if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c)) break;
                lastSpace = false;
                compact.Append(c);
                k++;
            }
            var iban = compact.ToString();
            if (compact.Length == length && (k >= shadow.Length || !char.IsLetterOrDigit(shadow[k])) && IdValidators.IsValidIban(iban))
                writer.Add("id", m.Index, k, 0.98f, new NormalizedValue { Text = iban });
        }
        foreach (Match m in VatRegex().Matches(shadow))
        {
            var vat = m.Value.Replace(" ", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
            if (writer.Has("id", m.Index, m.Index + m.Length) || !IdValidators.IsValidVat(vat)) continue;
            writer.Add("id", m.Index, m.Index + m.Length, 0.95f, new NormalizedValue { Text = vat });
        }
        foreach (Match m in EinRegex().Matches(shadow))
        {
            var g = m.Groups["ein"];
            if (IdValidators.IsValidEin(g.Value))
                writer.Add("id", g.Index, g.Index + g.Length, 0.85f, new NormalizedValue { Text = g.Value });
        }
        foreach (Match m in ReferenceRegex().Matches(text))
        {
            if (writer.Has("id", m.Index, m.Index + m.Length)) continue;
            writer.Add("id", m.Index, m.Index + m.Length, 0.6f, new NormalizedValue { Text = m.Value });
        }
    }

    private static string Digits(string s) => new([.. s.Where(char.IsAsciiDigit)]);

    // OCR often puts a space after a dot; a domain without its top level yet may take one (". example").
    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?:\.[A-Za-z]{2,}|\.[ ][a-z]{2,}(?![\w@.-]))")]
    private static partial Regex EmailRegex();

    [GeneratedRegex(@"(?<![\w@.])(?:https?://|www\.[ ]?)[^\s<>""'()@]+", RegexOptions.IgnoreCase)]
    private static partial Regex UrlRegex();

    [GeneratedRegex(@"(?<![\w+])\+\d{1,3}(?:[ .-]?\(0\))?(?:[ .\-/]?\(?\d{1,5}\)?){1,6}(?![\d])")]
    private static partial Regex InternationalPhoneRegex();

    [GeneratedRegex(@"(?<![\w+-])(?:\(\d{3}\)[ ]?|\d{3}[.-])\d{3}[.-]\d{4}(?![\w-])")]
    private static partial Regex NanpPhoneRegex();

    [GeneratedRegex(@"\b(?:Tel|Tel\.|Phone|Telephone|Telefon|Tél|Tel\.?:?|Fax|Mob|Mobile|Mobil|Handy|Cell|Ph)\.?:?[ ]+(?<n>0\d{1,5}(?:[ /.-]?\d{2,}){1,4})(?![\d])", RegexOptions.IgnoreCase)]
    private static partial Regex LabelledPhoneRegex();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?=[ ]?[A-Z0-9]{4})")]
    private static partial Regex IbanStartRegex();

    [GeneratedRegex(@"\b(?:ATU\d{8}|BE[ ]?[01]\d{3}[. ]?\d{3}[. ]?\d{3}|DE[ ]?\d{3}[ ]?\d{3}[ ]?\d{3}|NL[ ]?\d{9}[ ]?B\d{2}|IT[ ]?\d{11}|FR[ ]?[0-9A-Z]{2}[ ]?\d{3}[ ]?\d{3}[ ]?\d{3}|GB[ ]?\d{3}[ ]?\d{4}[ ]?\d{2}(?:[ ]?\d{3})?|GB(?:GD|HA)\d{3}|ES[ ]?[A-Z0-9]\d{7}[A-Z0-9]|PL[ ]?\d{10}|DK[ ]?\d{8}|SE[ ]?\d{12}|LU[ ]?\d{8}|FI[ ]?\d{8}|IE[ ]?\d[A-Z0-9+*]\d{5}[A-Z]{1,2}|PT[ ]?\d{9}|CZ[ ]?\d{8,10})\b")]
    private static partial Regex VatRegex();

    [GeneratedRegex(@"\b(?:EIN|TIN|Tax ID|Tax Id|Federal ID|Employer ID|FEIN)(?: No\.?| Number)?[:#]?[ ]*(?<ein>\d{2}-\d{7})\b", RegexOptions.IgnoreCase)]
    private static partial Regex EinRegex();

    // Reference codes: letters, a hyphen, digits ("PO-09993", "RCSC-2026-3321").
    [GeneratedRegex(@"(?<![\w-])[A-Z]{2,6}-(?:[A-Z0-9]+-)*\d{3,}(?![\w-])")]
    private static partial Regex ReferenceRegex();
}
