using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocFlow.Engine.Extraction.Normalization;

/// <summary>
/// Repairs OCR misreads in a field's words against a lexicon learned from labelled text: a word that is not in the
/// lexicon is replaced by the one lexicon word of the same length that it becomes by at most two substitutions of
/// glyphs OCR confuses (O/D/0, I/T/1/!, S/5/$, B/8/3, N/R/H/M, U/O, Y/¥, ...), e.g. "SON BHD" → "SDN BHD",
/// "SANYO" → "SANYU", "D.I.¥." → "D.I.Y.". A word pair the labels never show but one such substitution turns into
/// a frequent pair is repaired too ("SUN BHD" → "SDN BHD").
/// </summary>
/// <remarks>
/// Deliberately conservative, as the ICDAR 2019 receipt systems' lexicons were: no insertions or deletions, no
/// substitution between glyphs that do not look alike (so a real word the lexicon lacks, "BOON" or "KUT", stays), only
/// words of three characters or more that are mostly letters and hold no digit, and only when one candidate is
/// clearly the best (in at least 4 documents and twice as many as the next at the same cost). Whitespace and line breaks are kept.
/// </remarks>
public sealed class OcrLexicon
{
    private const string Punctuation = "(),.;:'\"";

    /// <summary>How many documents must show a word pair before a word is changed to make it.</summary>
    private const int PairSupport = 5;

    /// <summary>How many documents must show a word before another is changed into it.</summary>
    /// <remarks>4 on the dev sets: OCR'd receipts gain as much as with 2, and on perfect text (where every change is a
    /// harm) it changes least (sroie-lines 5-fold CV, key F1 0.881 at 2, 0.888 at 4, 0.890 at 5 with fewer repairs on OCR).</remarks>
    private const int MinSupport = 4;
    private static readonly string[] ConfusionGroups = ["OD0QÐ", "IT1!|LJ", "S5$§", "B83R", "NRHM", "UOV", "EF", "GC6", "Y¥V", "Z2", "A4@", "PF", "KX", "WV"];
    private static readonly HashSet<(char, char)> Confusable = BuildConfusable(ConfusionGroups);

    /// <summary>
    /// Glyphs OCR confuses on faint thermal print that do not look alike in clean text: only a word pair's repair
    /// (the neighbour being the evidence, "SUN BHD" → "SDN BHD") may swap them, never a word alone ("BDR" stays).
    /// </summary>
    private static readonly HashSet<(char, char)> PairConfusable = BuildConfusable([.. ConfusionGroups, "UD"]);

    private readonly Dictionary<string, int> _words;
    private readonly Dictionary<string, int> _pairs;
    private readonly Dictionary<int, string[]> _byLength;

    /// <param name="words">Each word (upper case, edge punctuation removed) with the number of documents it occurs in.</param>
    /// <param name="pairs">Adjacent word pairs ("A B") with the number of documents they occur in.</param>
    public OcrLexicon(IReadOnlyDictionary<string, int> words, IReadOnlyDictionary<string, int> pairs)
    {
        _words = new Dictionary<string, int>(words, StringComparer.Ordinal);
        _pairs = new Dictionary<string, int>(pairs, StringComparer.Ordinal);
        _byLength = _words.Keys.GroupBy(w => w.Length).ToDictionary(g => g.Key, g => g.Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Number of words known.</summary>
    public int Count => _words.Count;

    /// <summary>
    /// Learns a lexicon from documents' labelled text (one string of lines per document): the words of at least
    /// <paramref name="minDocuments"/> documents (mostly letters, no digits) and the word pairs of at least
    /// <paramref name="minPairDocuments"/> (a pair seen that often is never changed; one seen in <see cref="PairSupport"/>
    /// documents is a repair target).
    /// </summary>
    public static OcrLexicon Learn(IEnumerable<IEnumerable<string>> documents, int minDocuments = 2, int minPairDocuments = 2)
    {
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var pairs = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            var seenWords = new HashSet<string>(StringComparer.Ordinal);
            var seenPairs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in document)
            {
                var tokens = line.Normalize(NormalizationForm.FormKC).ToUpperInvariant()
                    .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(t => Core(t).Core).Where(c => c.Length > 0).ToList();
                foreach (var token in tokens) if (Learnable(token)) seenWords.Add(token);
                for (var i = 0; i + 1 < tokens.Count; i++) seenPairs.Add(tokens[i] + " " + tokens[i + 1]);
            }
            foreach (var w in seenWords) words[w] = words.GetValueOrDefault(w) + 1;
            foreach (var p in seenPairs) pairs[p] = pairs.GetValueOrDefault(p) + 1;
        }
        return new OcrLexicon(
            words.Where(kv => kv.Value >= minDocuments).ToDictionary(),
            pairs.Where(kv => kv.Value >= minPairDocuments).ToDictionary());
    }

    /// <summary>The text with misread words repaired; same lines and spacing.</summary>
    public string Correct(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        // Tokens with their positions, so that the rewrite keeps every separator as it was.
        var tokens = new List<(int Start, int Length)>();
        for (var i = 0; i < text.Length;)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            tokens.Add((start, i - start));
        }
        var parts = tokens.Select(t => Core(text.Substring(t.Start, t.Length))).ToArray();
        var cores = parts.Select(p => p.Core.ToUpperInvariant()).ToArray();
        var fixedCores = cores.Select(FixWord).ToArray();
        // Pairs: a word pair the labels never show that one confusable substitution in either word turns into a
        // frequent pair ("SON BHD", "SDN 3HD"); digits allowed here, the neighbour being the evidence.
        for (var i = 0; i + 1 < fixedCores.Length; i++)
        {
            var (a, b) = (fixedCores[i], fixedCores[i + 1]);
            if (a.Length < 3 || b.Length < 3 || _pairs.ContainsKey(a + " " + b)) continue;
            var (left, right, support) = (a, b, 0);
            foreach (var candidate in _byLength.GetValueOrDefault(a.Length, []))
                if (_pairs.TryGetValue(candidate + " " + b, out var n) && n >= PairSupport && n > support && Substitutions(a, candidate, pair: true) == 1)
                    (left, right, support) = (candidate, b, n);
            foreach (var candidate in _byLength.GetValueOrDefault(b.Length, []))
                if (_pairs.TryGetValue(a + " " + candidate, out var n) && n >= PairSupport && n > support && Substitutions(b, candidate, pair: true) == 1)
                    (left, right, support) = (a, candidate, n);
            (fixedCores[i], fixedCores[i + 1]) = (left, right);
        }
        var result = new StringBuilder(text.Length);
        var at = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            result.Append(text, at, tokens[i].Start - at);
            var (lead, core, trail) = parts[i];
            if (fixedCores[i] == cores[i]) result.Append(text, tokens[i].Start, tokens[i].Length);
            else result.Append(lead).Append(MatchCase(fixedCores[i], core)).Append(trail);
            at = tokens[i].Start + tokens[i].Length;
        }
        result.Append(text, at, text.Length - at);
        return result.ToString();
    }

    private string FixWord(string word)
    {
        if (word.Length < 3 || _words.ContainsKey(word) || word.Any(char.IsDigit)) return word;
        if (word.Count(char.IsLetter) * 2 < word.Length || !_byLength.TryGetValue(word.Length, out var same)) return word;
        string? best = null;
        int bestCost = int.MaxValue, bestCount = 0, runnerUp = 0;
        foreach (var candidate in same)
        {
            var cost = Substitutions(word, candidate);
            if (cost is < 1 or > 2) continue;
            var count = _words[candidate];
            if (cost < bestCost || (cost == bestCost && count > bestCount))
            {
                runnerUp = cost < bestCost ? 0 : bestCount;
                (best, bestCost, bestCount) = (candidate, cost, count);
            }
            else if (cost == bestCost) runnerUp = Math.Max(runnerUp, count);
        }
        return best is not null && bestCount >= MinSupport && bestCount >= 2 * runnerUp && (runnerUp == 0 || bestCount > runnerUp) ? best : word;
    }

    /// <summary>How many positions differ when each difference is a confusable pair; -1 when one is not.</summary>
    private static int Substitutions(string word, string candidate, bool pair = false)
    {
        var n = 0;
        var confusable = pair ? PairConfusable : Confusable;
        for (var i = 0; i < word.Length; i++)
        {
            if (word[i] == candidate[i]) continue;
            if (!confusable.Contains((word[i], candidate[i]))) return -1;
            n++;
        }
        return n;
    }

    private static bool Learnable(string token) =>
        token.Length >= 2 && !token.Any(char.IsDigit) && token.Count(char.IsLetter) * 2 >= token.Length;

    private static (string Lead, string Core, string Trail) Core(string token)
    {
        int a = 0, b = token.Length;
        while (a < b && Punctuation.Contains(token[a])) a++;
        while (b > a && Punctuation.Contains(token[b - 1])) b--;
        return (token[..a], token[a..b], token[b..]);
    }

    /// <summary>The replacement in the case of the word it replaces: upper, lower, or capitalised.</summary>
    private static string MatchCase(string replacement, string original)
    {
        if (!original.Any(char.IsLower)) return replacement;
        if (!original.Any(char.IsUpper)) return replacement.ToLowerInvariant();
        var lower = replacement.ToLowerInvariant();
        return char.IsUpper(original[0]) ? char.ToUpperInvariant(lower[0]) + lower[1..] : lower;
    }

    private static HashSet<(char, char)> BuildConfusable(IEnumerable<string> groups)
    {
        var set = new HashSet<(char, char)>();
        foreach (var group in groups)
            foreach (var a in group)
                foreach (var b in group)
                    if (a != b) set.Add((a, b));
        return set;
    }

    private static readonly Lazy<OcrLexicon?> Shipped = new(() =>
    {
        using var stream = typeof(OcrLexicon).Assembly.GetManifestResourceStream("DocFlow.Engine.Models.receipt_lexicon.json");
        return stream is null ? null : FromJson(stream);
    });

    /// <summary>The receipt lexicon shipped in the engine (Extraction/Models/receipt_lexicon.json), or null when a build has none.</summary>
    public static OcrLexicon? EmbeddedReceipts => Shipped.Value;

    /// <summary>The JSON form: words and pairs with their document counts, and how they were learned.</summary>
    public string ToJson(string? provenance = null) => JsonSerializer.Serialize(
        new LexiconFile
        {
            Name = "receipt_lexicon",
            Provenance = provenance,
            Words = new SortedDictionary<string, int>(_words, StringComparer.Ordinal),
            Pairs = new SortedDictionary<string, int>(_pairs, StringComparer.Ordinal),
        },
        new JsonSerializerOptions { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static OcrLexicon FromJson(Stream json)
    {
        var file = JsonSerializer.Deserialize<LexiconFile>(json) ?? throw new InvalidDataException("Empty lexicon file.");
        return new OcrLexicon(file.Words, file.Pairs);
    }

    private sealed class LexiconFile
    {
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("provenance")] public string? Provenance { get; init; }
        [JsonPropertyName("words")] public SortedDictionary<string, int> Words { get; init; } = new(StringComparer.Ordinal);
        [JsonPropertyName("pairs")] public SortedDictionary<string, int> Pairs { get; init; } = new(StringComparer.Ordinal);
    }
}
