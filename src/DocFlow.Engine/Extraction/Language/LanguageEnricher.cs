using DocFlow.Documents;

namespace DocFlow.Engine.Extraction.Language;

/// <summary>
/// Detects each page's language from its words and writes it to <c>page.detectedLanguages</c>, best first.
/// </summary>
/// <remarks>
/// Stop-word profiles for en, de, fr, es, it, nl, pt, pl, sv, da (function words make up a large share of any
/// running text, and differ between these languages), plus characters unique to one language (ß, ñ, ã).
/// A page without evidence (a receipt of numbers) keeps what it had; confidence is the winner's share of the
/// evidence, damped for little text.
/// </remarks>
public sealed class LanguageEnricher : IDocumentEnricher
{
    private static readonly Dictionary<string, HashSet<string>> StopWords = new()
    {
        ["en"] = Set("the and of to in is that for it with as was on be by this are at from or an have not which but we you your our will all please thank any if has can been would their there what so"),
        ["de"] = Set("der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch es an als wir sie ich bei oder aus nach wird sind einer einem einen bitte vielen dank zur zum vom über unter haben werden wurde ihr ihre unsere"),
        ["fr"] = Set("le la les et des est un une du en que qui dans pour pas sur au avec ce il elle sont nous vous par plus ne se aux cette être ont mais ou son leur merci votre vos notre"),
        ["es"] = Set("el la los las y de que en un una es por con para no se del al lo como más su sus pero este esta están son fue ha muy gracias usted nuestro nuestra"),
        ["it"] = Set("il la lo gli le e di che è un una per non con del della dei delle nel nella sono si al alla ma come anche questo questa ha grazie vostro nostro"),
        ["nl"] = Set("de het een en van is dat op te in voor met niet zijn er aan ook als bij dit die wordt worden maar om of uit naar ze wij u uw onze hebben heeft"),
        ["pt"] = Set("o a os as e de que em um uma é do da dos das para com não no na por se ao mais como mas foi são seu sua obrigado obrigada você nosso nossa"),
        ["pl"] = Set("i w na z się nie do to że jest o jak po co ale od przez dla tak są oraz jego jej już"),
        ["sv"] = Set("och i att det som en på är av för med till den har de inte om ett var jag men från eller vi sig"),
        ["da"] = Set("og i at det som en på er af for med til den har de ikke om et var jeg men fra eller vi sig"),
    };

    private static HashSet<string> Set(string words) => new(words.Split(' '), StringComparer.Ordinal);

    public void Enrich(Document document, IReadOnlyList<PageLayout> pages, CancellationToken cancellationToken)
    {
        var text = document.Text ?? string.Empty;
        foreach (var page in document.Pages ?? [])
        {
            var segment = page.Layout?.TextAnchor?.TextSegments?.FirstOrDefault();
            if (segment is null) continue;
            var detected = Detect(text[(int)segment.StartIndex..(int)segment.EndIndex]);
            if (detected.Count > 0) page.DetectedLanguages = detected;
        }
    }

    /// <summary>Languages of <paramref name="text"/> with confidences, best first; empty when there is no evidence.</summary>
    public static List<DetectedLanguage> Detect(string text)
    {
        var scores = StopWords.Keys.ToDictionary(k => k, _ => 0.0);
        var words = 0;
        foreach (var raw in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var word = raw.Trim('.', ',', ';', ':', '!', '?', '"', '\'', '(', ')', '«', '»', '„', '“', '”').ToLowerInvariant();
            if (word.Length == 0 || !word.Any(char.IsLetter)) continue;
            words++;
            var hits = StopWords.Where(kv => kv.Value.Contains(word)).Select(kv => kv.Key).ToList();
            // A word shared by several languages counts for each a little.
            foreach (var lang in hits) scores[lang] += 1.0 / hits.Count;
            foreach (var c in word)
            {
                switch (c)
                {
                    case 'ß': scores["de"] += 2; break;
                    case 'ä' or 'ö' or 'ü': scores["de"] += 0.5; break;
                    case 'ñ' or '¿' or '¡': scores["es"] += 2; break;
                    case 'ã' or 'õ': scores["pt"] += 2; break;
                    case 'ç': scores["fr"] += 0.5; scores["pt"] += 0.5; break;
                    case 'è' or 'ê' or 'à' or 'ù' or 'û' or 'ë' or 'œ': scores["fr"] += 0.5; break;
                    case 'ą' or 'ę' or 'ł' or 'ś' or 'ź' or 'ż' or 'ć' or 'ń': scores["pl"] += 2; break;
                    case 'å': scores["sv"] += 1; scores["da"] += 1; break;
                    case 'ø' or 'æ': scores["da"] += 2; break;
                }
            }
        }
        var total = scores.Values.Sum();
        if (total < 1) return [];
        var ranked = scores.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Take(3).ToList();
        // The winner's share of the evidence, damped when there are few words to go on.
        var damping = Math.Min(1.0, total / 8.0);
        return [.. ranked.Select(kv => new DetectedLanguage { LanguageCode = kv.Key, Confidence = (float)Math.Round(kv.Value / total * (0.5 + 0.5 * damping), 3) })];
    }
}
