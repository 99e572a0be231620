using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocFlow.Engine.Extraction.Normalization;

/// <summary>
/// Known suppliers (a name as printed and the addresses it prints), for resolving a receipt's misread header against
/// them: what accounts-payable systems call vendor master data. An OCR reading that lies within a small character error
/// of exactly one known name (or address) is taken to be it: "TED HENG STATIONERY &amp; BOOKS" → "TEO HENG STATIONERY
/// &amp; BOOKS", "NO.89 JALAN PERMAS 9/5 …" → "NO.59 JALAN PERMAS 9/5 …".
/// </summary>
/// <remarks>
/// Strings are compared in upper case without spaces (OCR splits and joins words where the print does not), by edit
/// distance over the known string's length. A reading is resolved only when one known string is within
/// <see cref="MaxError"/> and every other is at least <see cref="Margin"/> further away, so a supplier the registry does not
/// know keeps its OCR reading, and a branch of a chain is not taken for a sister branch with a similar address.
/// The shipped registry (Extraction/Models/receipt_suppliers.json) is learned from the labelled keys of the dev set's
/// 484 text-only receipts (never from the receipts it is scored on); a deployment can replace it with its own list.
/// </remarks>
public sealed partial class SupplierRegistry
{
    /// <summary>Largest character error rate (edits over the known string's length) at which a reading is resolved: a
    /// name, or an address among the addresses of the supplier whose name resolved.</summary>
    public const double MaxError = 0.2;

    /// <summary>Largest character error rate for an address resolved among every supplier's: addresses share streets,
    /// towns and postcodes, so another shop's address on the same road is only a few edits away.</summary>
    public const double MaxAddressError = 0.12;

    /// <summary>How much further (in character error rate) than the best every other known string must be.</summary>
    public const double Margin = 0.1;

    private readonly Entry[] _names;
    private readonly Entry[] _addresses;
    private readonly Dictionary<string, Entry[]> _addressesByName;

    private sealed record Entry(string Text, string Key, string Owner)
    {
        /// <summary>The key's letters and digits: spellings that differ only in punctuation share them.</summary>
        public string Letters { get; } = LettersOf(Key);
    }

    /// <summary>One supplier: the name as printed and the addresses it was seen with; <paramref name="Spacing"/>, when
    /// known, says for each address (same order) how its labels agree on the spaces beside its punctuation.</summary>
    public sealed record Supplier(string Name, IReadOnlyList<string> Addresses, int Receipts, IReadOnlyList<AddressSpacing?>? Spacing = null);

    /// <summary>
    /// How the labels of one known address space its punctuation: how many labels spelled it (spaces aside), and the
    /// gaps beside a comma, stop, colon, semicolon or ampersand where fewer than <see cref="SettledShare"/> of them space
    /// it as the known spelling does (gap n: after the spelling's n-th character that is not a space). Elsewhere the
    /// spacing is settled: a receipt's reading does not change it.
    /// </summary>
    public sealed record AddressSpacing(int Labels, IReadOnlyList<int> Loose);

    /// <summary>The share of an address's labels that must space a mark alike for the spacing to be settled.</summary>
    /// <remarks>Three in four: on the dev sets' labels, what the labels of a shop agree on at that rate the next label of
    /// the shop follows, where the receipt's print (or its OCR) may not (docs/benchmarks.md, session 13).</remarks>
    public const double SettledShare = 0.75;

    /// <summary>Each known address's loose gaps, as a set once, not on every receipt that resolves to it.</summary>
    private readonly Dictionary<string, HashSet<int>> _loose = new(StringComparer.Ordinal);

    public SupplierRegistry(IEnumerable<Supplier> suppliers)
    {
        var list = suppliers.Where(s => Key(s.Name).Length >= 3).ToList();
        Suppliers = list;
        foreach (var s in list)
            for (var i = 0; i < s.Addresses.Count && s.Spacing is not null && i < s.Spacing.Count; i++)
                if (s.Spacing[i] is { } spacing) _loose.TryAdd(Clean(s.Addresses[i]), [.. spacing.Loose]);
        _names = [.. list.Select(s => new Entry(Clean(s.Name), Key(s.Name), Key(s.Name))).DistinctBy(e => e.Key)];
        _addresses = [.. list.SelectMany(s => s.Addresses.Where(a => Key(a).Length >= 8).Select(a => new Entry(Clean(a), Key(a), Key(s.Name)))).DistinctBy(e => (e.Key, e.Owner))];
        _addressesByName = _addresses.GroupBy(a => a.Owner, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The suppliers known.</summary>
    public IReadOnlyList<Supplier> Suppliers { get; }

    /// <summary>Learns the registry from labelled (name, address) pairs, one per document.</summary>
    public static SupplierRegistry Learn(IEnumerable<(string Name, string Address)> labels)
    {
        var labelled = labels.ToList();
        // Each string in the spelling most labels give it (labels differ in a stop or a space now and then).
        var spelling = labelled.SelectMany(l => new[] { Clean(l.Name), Clean(l.Address) }).GroupBy(Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(x => x, StringComparer.Ordinal).OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key, StringComparer.Ordinal);
        var agreement = labelled.Select(l => Clean(l.Address)).Where(a => Key(a).Length >= 8).GroupBy(Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Agreement(spelling[g.Key], [.. g]), StringComparer.Ordinal);
        var bySupplier = new Dictionary<string, (string Name, List<string> Addresses, int Count)>(StringComparer.Ordinal);
        foreach (var (rawName, rawAddress) in labelled)
        {
            var name = spelling[Key(rawName)];
            var address = spelling[Key(rawAddress)];
            var key = Key(name);
            if (key.Length < 3) continue;
            if (!bySupplier.TryGetValue(key, out var s)) s = (Clean(name), [], 0);
            if (Key(address).Length >= 8 && !s.Addresses.Any(a => Key(a) == Key(address))) s.Addresses.Add(Clean(address));
            bySupplier[key] = (s.Name, s.Addresses, s.Count + 1);
        }
        return new SupplierRegistry(bySupplier.Values.OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new Supplier(s.Name, s.Addresses, s.Count, [.. s.Addresses.Select(a => agreement.GetValueOrDefault(Key(a)))])));
    }

    /// <summary>How the labels of one address (the same characters, spaces aside) agree with its spelling on the spaces
    /// beside its punctuation; null for a single label, which settles nothing.</summary>
    private static AddressSpacing? Agreement(string spelling, IReadOnlyList<string> labels)
    {
        if (labels.Count < 2) return null;
        var known = SpaceAfter(spelling);
        var spaced = labels.Select(SpaceAfter).Where(s => s.Count == known.Count).ToList();
        var chars = spelling.Where(c => !char.IsWhiteSpace(c)).ToArray();
        var loose = new List<int>();
        for (var t = 0; t + 1 < known.Count; t++)
        {
            if (!PunctuationSpacing.Spaced(chars[t]) && !PunctuationSpacing.Spaced(chars[t + 1])) continue;
            if (spaced.Count(s => s[t] == known[t]) < SettledShare * labels.Count) loose.Add(t);
        }
        return new AddressSpacing(labels.Count, loose);
    }

    /// <summary>For each character that is not a space, whether a space follows it.</summary>
    private static List<bool> SpaceAfter(string text)
    {
        var result = new List<bool>(text.Length);
        for (var i = 0; i < text.Length; i++)
            if (!char.IsWhiteSpace(text[i])) result.Add(i + 1 < text.Length && char.IsWhiteSpace(text[i + 1]));
        return result;
    }

    /// <summary>
    /// A known address with the spacing beside its punctuation that the receipt's reading has
    /// (<see cref="PunctuationSpacing.SpacedLike"/>), except where the address's labels settle it.
    /// </summary>
    public string SpacedLike(string address, string reading)
    {
        if (!_loose.TryGetValue(address, out var loose)) return PunctuationSpacing.SpacedLike(address, reading);
        return PunctuationSpacing.SpacedLike(address, reading, t => !loose.Contains(t));
    }

    /// <summary>The known name a reading resolves to, with its character error rate; null when none or more than one is close.</summary>
    public (string Name, double Error)? ResolveName(string reading) => Resolve(reading, _names, MaxError, wholeWords: true);

    /// <summary>
    /// The known address a reading resolves to: among the given supplier's addresses first (when the name resolved),
    /// then among all.
    /// </summary>
    public (string Address, double Error)? ResolveAddress(string reading, string? supplierName = null)
    {
        if (supplierName is not null && _addressesByName.TryGetValue(Key(supplierName), out var own) && Resolve(reading, own, MaxError) is { } mine)
            return mine;
        return Resolve(reading, _addresses, MaxAddressError) is { } any && !OtherNumber(reading, any.Item1) ? any : null;
    }

    /// <summary>
    /// Whether a known address is another shop's in the same street: its first number (the lot or house number, one to
    /// three digits) is not the reading's first number, also of one to three digits. Only for a reading matched against
    /// every shop's address (its supplier's name did not resolve): neighbours share all but that number ("NO.50, JALAN
    /// PBS 14/11, ..." for "NO. 42, JALAN PBS 14/11, ..."). A resolved supplier's own addresses may still mend a misread
    /// house number.
    /// </summary>
    internal static bool OtherNumber(string reading, string known) =>
        FirstNumber().Match(reading) is { Success: true, Length: <= 3 } a && FirstNumber().Match(known) is { Success: true, Length: <= 3 } b && a.Value != b.Value;

    [System.Text.RegularExpressions.GeneratedRegex(@"\d+")]
    private static partial System.Text.RegularExpressions.Regex FirstNumber();

    /// <param name="wholeWords">Names: refuse a known string that only a run of misread letters reaches (<see cref="MaxEditRun"/>).
    /// Not for addresses, whose codes OCR misreads several characters at a time ("TSJ2" read "1932").</param>
    private static (string, double)? Resolve(string reading, Entry[] entries, double maxError, bool wholeWords = false)
    {
        var key = Key(reading);
        if (key.Length < 3) return null;
        var close = new List<(Entry Entry, double Error)>();
        foreach (var entry in entries)
        {
            // Beyond what the margin needs to know, the distance is not worth computing.
            var limit = (int)Math.Floor((MaxError + Margin) * entry.Key.Length);
            if (Math.Abs(entry.Key.Length - key.Length) > limit) continue;
            var distance = BoundedDistance(key, entry.Key, limit);
            if (distance <= limit) close.Add((entry, (double)distance / entry.Key.Length));
        }
        if (close.Count == 0) return null;
        var best = close.MinBy(c => c.Error);
        if (best.Error > maxError) return null;
        // OCR slips are single glyphs, now and then two side by side; three letters in a row read as three others are
        // another word ("ASO ELECTRICAL TRADING" is not "KHE ELECTRICAL TRADING"): an unknown supplier keeps its reading.
        if (wholeWords && LongestEditRun(key, best.Entry.Key) >= MaxEditRun) return null;
        // A rival is a different string about as close. Near-copies of the best (within the margin of it: labels of the
        // same shop differ in a stop, a space, a word left out or a typo) are not rivals unless they are exactly as close.
        var letters = best.Entry.Letters;
        var variant = (int)Math.Floor(Margin * best.Entry.Key.Length);
        foreach (var (entry, error) in close)
        {
            if (error - best.Error >= Margin || entry.Key == best.Entry.Key || entry.Letters == letters) continue;
            if (error == best.Error || BoundedDistance(entry.Key, best.Entry.Key, variant) > variant) return null;
        }
        return (best.Entry.Text, best.Error);
    }

    /// <summary>The fewest letters or digits in a row read as other letters or digits that make a known string another word.</summary>
    public const int MaxEditRun = 3;

    /// <summary>
    /// The longest run of consecutive letters or digits read as other letters or digits in a cheapest alignment of two
    /// strings (among the alignments of least edit distance, the one whose longest run is shortest). Insertions,
    /// deletions and substitutions of punctuation or dashes end a run: OCR drops words and reads smudges as dashes,
    /// but three letters in a row misread is another word.
    /// </summary>
    internal static int LongestEditRun(string a, string b)
    {
        var n = a.Length;
        var m = b.Length;
        // Per cell: the distance, the longest run so far, the current run; compared by distance, then longest run.
        var dist = new int[n + 1, m + 1];
        var longest = new int[n + 1, m + 1];
        var run = new int[n + 1, m + 1];
        for (var i = 0; i <= n; i++) dist[i, 0] = i;
        for (var j = 0; j <= m; j++) dist[0, j] = j;
        for (var i = 1; i <= n; i++)
            for (var j = 1; j <= m; j++)
            {
                (int D, int L, int R) best = (int.MaxValue, int.MaxValue, 0);
                void Consider(int d, int l, int r)
                {
                    if (d < best.D || (d == best.D && (l < best.L || (l == best.L && r < best.R)))) best = (d, l, r);
                }
                if (a[i - 1] == b[j - 1]) Consider(dist[i - 1, j - 1], longest[i - 1, j - 1], 0);
                else if (char.IsLetterOrDigit(a[i - 1]) && char.IsLetterOrDigit(b[j - 1]))
                    Consider(dist[i - 1, j - 1] + 1, Math.Max(longest[i - 1, j - 1], run[i - 1, j - 1] + 1), run[i - 1, j - 1] + 1);
                else Consider(dist[i - 1, j - 1] + 1, longest[i - 1, j - 1], 0);
                Consider(dist[i - 1, j] + 1, longest[i - 1, j], 0);
                Consider(dist[i, j - 1] + 1, longest[i, j - 1], 0);
                (dist[i, j], longest[i, j], run[i, j]) = best;
            }
        return longest[n, m];
    }

    /// <summary>Levenshtein distance, or any value above <paramref name="limit"/> once it is certain to exceed it.</summary>
    internal static int BoundedDistance(string a, string b, int limit)
    {
        if (a.Length == 0 || b.Length == 0) return Math.Max(a.Length, b.Length);
        // Two rows on the stack: this runs for every known string against every candidate reading of a receipt.
        Span<int> rows = b.Length < 256 ? stackalloc int[2 * (b.Length + 1)] : new int[2 * (b.Length + 1)];
        var prev = rows[..(b.Length + 1)];
        var cur = rows[(b.Length + 1)..];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                cur[j] = v;
                if (v < rowMin) rowMin = v;
            }
            if (rowMin > limit) return limit + 1;
            var swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.Length];
    }

    private static string LettersOf(string key) => string.Concat(key.Where(char.IsLetterOrDigit));

    /// <summary>Upper case, NFKC, without whitespace: the form readings and known strings are compared in.</summary>
    internal static string Key(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
            if (!char.IsWhiteSpace(c)) builder.Append(char.ToUpperInvariant(c));
        return builder.ToString();
    }

    private static string Clean(string text) => string.Join(' ', text.Normalize(NormalizationForm.FormKC).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static readonly Lazy<SupplierRegistry?> Shipped = new(() =>
    {
        using var stream = typeof(SupplierRegistry).Assembly.GetManifestResourceStream("DocFlow.Engine.Models.receipt_suppliers.json");
        return stream is null ? null : FromJson(stream);
    });

    /// <summary>The registry shipped in the engine (Extraction/Models/receipt_suppliers.json), or null when a build has none.</summary>
    public static SupplierRegistry? EmbeddedReceipts => Shipped.Value;

    /// <summary>Reads a registry file: <c>{"suppliers": [{"name": "...", "addresses": ["..."]}]}</c>.</summary>
    public static SupplierRegistry FromJson(Stream json)
    {
        var file = JsonSerializer.Deserialize<RegistryFile>(json) ?? throw new InvalidDataException("Empty supplier registry file.");
        return new SupplierRegistry(file.Suppliers.Select(s => new Supplier(s.Name ?? "", s.Addresses ?? [], s.Receipts,
            s.Spacing?.Select(x => x is null ? null : new AddressSpacing(x.Labels, x.Loose ?? [])).ToList())));
    }

    /// <summary>The JSON form, with how it was learned.</summary>
    public string ToJson(string? provenance = null) => JsonSerializer.Serialize(
        new RegistryFile
        {
            Name = "receipt_suppliers",
            Provenance = provenance,
            Suppliers = [.. Suppliers.Select(s => new SupplierFile
            {
                Name = s.Name,
                Addresses = [.. s.Addresses],
                Receipts = s.Receipts,
                Spacing = s.Spacing is null || s.Spacing.All(x => x is null) ? null
                    : [.. s.Spacing.Select(x => x is null ? null : new SpacingFile { Labels = x.Labels, Loose = [.. x.Loose] })],
            })],
        },
        new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        });

    private sealed class RegistryFile
    {
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("provenance")] public string? Provenance { get; init; }
        [JsonPropertyName("suppliers")] public List<SupplierFile> Suppliers { get; init; } = [];
    }

    private sealed class SupplierFile
    {
        [JsonPropertyName("name")] public string? Name { get; init; }
        [JsonPropertyName("addresses")] public List<string>? Addresses { get; init; }
        [JsonPropertyName("receipts")] public int Receipts { get; init; }
        [JsonPropertyName("spacing")] public List<SpacingFile?>? Spacing { get; init; }
    }

    /// <summary>An address's labels and the gaps beside its punctuation they do not agree on (see <see cref="AddressSpacing"/>).</summary>
    private sealed class SpacingFile
    {
        [JsonPropertyName("labels")] public int Labels { get; init; }
        [JsonPropertyName("loose")] public List<int>? Loose { get; init; }
    }
}
