using System.Numerics;

namespace DocFlow.Engine.Extraction.Entities;

/// <summary>Check-digit verification of IBANs, EU VAT numbers and US EINs.</summary>
internal static class IdValidators
{
    /// <summary>IBAN length by country (ISO 13616 registry).</summary>
    public static readonly IReadOnlyDictionary<string, int> IbanLengths = new Dictionary<string, int>
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22,
        ["BH"] = 22, ["BR"] = 29, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DK"] = 18,
        ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22,
        ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22,
        ["IL"] = 23, ["IS"] = 26, ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LI"] = 21,
        ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MR"] = 27,
        ["MT"] = 31, ["MU"] = 30, ["NL"] = 18, ["NO"] = 15, ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25,
        ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["SA"] = 24, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27,
        ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VG"] = 24, ["XK"] = 20,
    };

    /// <summary>A compact IBAN (no spaces) with the right length for its country and a valid mod-97 check.</summary>
    public static bool IsValidIban(string iban)
    {
        if (iban.Length < 15 || !IbanLengths.TryGetValue(iban[..2], out var length) || iban.Length != length) return false;
        if (!char.IsDigit(iban[2]) || !char.IsDigit(iban[3])) return false;
        return Mod97(iban[4..] + iban[..4]) == 1;
    }

    /// <summary>The remainder of the number formed by replacing letters with 10..35 (ISO 7064 MOD 97-10), or -1.</summary>
    public static int Mod97(string s)
    {
        var remainder = 0;
        foreach (var c in s)
        {
            int v;
            if (char.IsAsciiDigit(c)) v = c - '0';
            else if (char.IsAsciiLetterUpper(c)) v = c - 'A' + 10;
            else return -1;
            remainder = v >= 10 ? (remainder * 100 + v) % 97 : (remainder * 10 + v) % 97;
        }
        return remainder;
    }

    /// <summary>
    /// A compact EU VAT number (country prefix + number): format per country, and the check digits of the
    /// schemes that have one (DE, AT, BE, NL, IT, FR, GB, ES, PL, DK); other countries are checked for format only.
    /// </summary>
    public static bool IsValidVat(string vat)
    {
        if (vat.Length < 4) return false;
        var cc = vat[..2];
        var n = vat[2..];
        return cc switch
        {
            "DE" => AllDigits(n, 9) && n[0] != '0' && GermanCheck(n),
            "AT" => n.Length == 9 && n[0] == 'U' && AllDigits(n[1..], 8) && AustrianCheck(n[1..]),
            "BE" => AllDigits(n, 10) && n[0] is '0' or '1' && 97 - long.Parse(n[..8]) % 97 == long.Parse(n[8..]),
            "NL" => n.Length == 12 && AllDigits(n[..9], 9) && n[9] == 'B' && AllDigits(n[10..], 2)
                    && (DutchElevenCheck(n[..9]) || Mod97("NL" + n) == 1),
            "IT" => AllDigits(n, 11) && Luhn(n),
            "FR" => n.Length == 11 && AllDigits(n[2..], 9) && FrenchCheck(n),
            "GB" => (AllDigits(n, 9) || AllDigits(n, 12)) && BritishCheck(n[..9])
                    || n.Length == 5 && (n.StartsWith("GD", StringComparison.Ordinal) || n.StartsWith("HA", StringComparison.Ordinal)) && AllDigits(n[2..], 3),
            "ES" => n.Length == 9 && SpanishFormat(n),
            "PL" => AllDigits(n, 10) && WeightedMod11(n, [6, 5, 7, 2, 3, 4, 5, 6, 7]),
            "DK" => AllDigits(n, 8) && n.Select((c, i) => (c - '0') * new[] { 2, 7, 6, 5, 4, 3, 2, 1 }[i]).Sum() % 11 == 0,
            "SE" => AllDigits(n, 12) && n.EndsWith("01", StringComparison.Ordinal) && Luhn(n[..10]),
            "LU" => AllDigits(n, 8) && long.Parse(n[..6]) % 89 == long.Parse(n[6..]),
            "FI" => AllDigits(n, 8),
            "IE" => n.Length is 8 or 9 && char.IsDigit(n[0]),
            "PT" => AllDigits(n, 9),
            "CZ" => n.Length is >= 8 and <= 10 && n.All(char.IsAsciiDigit),
            "CH" or "CHE" => false,
            _ => false,
        };
    }

    /// <summary>A US employer identification number NN-NNNNNNN with a prefix the IRS assigns.</summary>
    public static bool IsValidEin(string ein)
    {
        if (ein.Length != 10 || ein[2] != '-' || !AllDigits(ein[..2], 2) || !AllDigits(ein[3..], 7)) return false;
        int[] unassigned = [0, 7, 8, 9, 17, 18, 19, 28, 29, 49, 69, 70, 78, 79, 89, 96, 97];
        return !unassigned.Contains(int.Parse(ein[..2]));
    }

    private static bool AllDigits(string s, int length) => s.Length == length && s.All(char.IsAsciiDigit);

    // ISO 7064 MOD 11,10 over the first eight digits.
    private static bool GermanCheck(string n)
    {
        var product = 10;
        for (var i = 0; i < 8; i++)
        {
            var sum = (n[i] - '0' + product) % 10;
            if (sum == 0) sum = 10;
            product = 2 * sum % 11;
        }
        var check = 11 - product;
        if (check == 10) check = 0;
        return check == n[8] - '0';
    }

    private static bool AustrianCheck(string n)
    {
        var sum = 0;
        for (var i = 0; i < 7; i++)
        {
            var d = n[i] - '0';
            if (i % 2 == 1) { d *= 2; d = d / 10 + d % 10; }
            sum += d;
        }
        var check = (10 - (sum + 4) % 10) % 10;
        return check == n[7] - '0';
    }

    private static bool DutchElevenCheck(string n)
    {
        var sum = 0;
        for (var i = 0; i < 8; i++) sum += (n[i] - '0') * (9 - i);
        var check = sum % 11;
        return check != 10 && check == n[8] - '0';
    }

    private static bool Luhn(string n)
    {
        var sum = 0;
        for (var i = 0; i < n.Length; i++)
        {
            var d = n[n.Length - 1 - i] - '0';
            if (i % 2 == 1) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return sum % 10 == 0;
    }

    private static bool FrenchCheck(string n)
    {
        if (!char.IsDigit(n[0]) || !char.IsDigit(n[1])) return char.IsLetterOrDigit(n[0]) && char.IsLetterOrDigit(n[1]);
        var key = int.Parse(n[..2]);
        var siren = BigInteger.Parse(n[2..]);
        return key == (int)((12 + 3 * (siren % 97)) % 97);
    }

    // HMRC: weights 8..2 on the first seven digits plus the two check digits must be 0 mod 97 (old series) or 55 (new series).
    private static bool BritishCheck(string n)
    {
        var sum = 0;
        for (var i = 0; i < 7; i++) sum += (n[i] - '0') * (8 - i);
        sum += int.Parse(n[7..9]);
        return sum % 97 == 0 || (sum + 55) % 97 == 0;
    }

    private static bool SpanishFormat(string n) =>
        char.IsLetterOrDigit(n[0]) && n[1..8].All(char.IsAsciiDigit) && char.IsLetterOrDigit(n[8]) && (char.IsLetter(n[0]) || char.IsLetter(n[8]));

    private static bool WeightedMod11(string n, int[] weights)
    {
        var sum = 0;
        for (var i = 0; i < weights.Length; i++) sum += (n[i] - '0') * weights[i];
        return sum % 11 == n[weights.Length] - '0';
    }
}
