using DocFlow.Documents;

namespace DocFlow.Samples.Evaluation;

/// <summary>
/// Scores a processed document's entities against its ground truth: a truth entity is correct when the
/// document has an entity of the same type whose normalised value (normalizedValue.text, else mentionText)
/// equals the truth's, ignoring case and whitespace. The document type counts as one more item.
/// </summary>
public static class EntityScore
{
    public static (int Correct, int Total, IReadOnlyList<string> Misses) Score(GroundTruth truth, Document document)
    {
        var misses = new List<string>();
        var correct = 0;
        var entities = document.Entities ?? [];
        foreach (var expected in truth.Entities)
        {
            var want = Key(expected.Normalized);
            var candidates = entities.Where(e => e.Type == expected.Type).ToList();
            if (candidates.Any(e => Key(e.NormalizedValue?.Text ?? e.MentionText) == want)) { correct++; continue; }
            var got = candidates.Count == 0 ? "none" : string.Join(" | ", candidates.Select(e => e.NormalizedValue?.Text ?? e.MentionText).Distinct().Take(6));
            misses.Add($"{truth.File}: {expected.Type} expected \"{expected.Normalized}\", got {got}");
        }
        var type = entities.FirstOrDefault(e => e.Type == "document_type")?.MentionText;
        if (string.Equals(type, truth.DocumentType, StringComparison.OrdinalIgnoreCase)) correct++;
        else misses.Add($"{truth.File}: document_type expected \"{truth.DocumentType}\", got \"{type ?? "none"}\"");
        return (correct, truth.Entities.Count + 1, misses);
    }

    private static string Key(string? value) =>
        new string([.. (value ?? string.Empty).Where(c => !char.IsWhiteSpace(c))]).ToUpperInvariant();
}
