using System.Text.RegularExpressions;
using DocFlow.Documents;

namespace DocFlow.Samples.Evaluation;

/// <summary>
/// Form accuracy against ground truth: each truth field that is a form label (as printed on the page,
/// e.g. "Company name"; not a snake_case key such as invoice_id or total_amount, which are entities)
/// must be a form field with that name and value. Checkbox truth ("checked"/"unchecked") is compared
/// with the field's valueType.
/// </summary>
public static partial class FormScore
{
    public static (int Correct, int Total, IReadOnlyList<string> Misses) Score(GroundTruth truth, Document document)
    {
        var text = document.Text ?? string.Empty;
        var fields = (document.Pages ?? []).SelectMany(p => p.FormFields ?? [])
            .Select(f => (Name: Key(TableScore.Text(f.FieldName, text)), Value: TableScore.Normalise(TableScore.Text(f.FieldValue, text)), f.ValueType))
            .ToList();
        var misses = new List<string>();
        int correct = 0, total = 0;
        foreach (var (label, expected) in truth.Fields)
        {
            if (!IsFormLabel(label)) continue;
            total++;
            var named = fields.Where(f => f.Name == Key(label)).ToList();
            bool ok = expected switch
            {
                "checked" => named.Any(f => f.ValueType == "filled_checkbox"),
                "unchecked" => named.Any(f => f.ValueType == "unfilled_checkbox"),
                _ => named.Any(f => f.ValueType is null && f.Value == TableScore.Normalise(expected)),
            };
            if (ok) correct++;
            else misses.Add($"{truth.File}: \"{label}\" expected \"{expected}\", got " +
                            (named.Count == 0 ? "no such field" : string.Join(" | ", named.Select(f => $"\"{f.Value}\" {f.ValueType}"))));
        }
        return (correct, total, misses);
    }

    /// <summary>Form labels are written as on the page; entity-style keys are lower snake_case words.</summary>
    public static bool IsFormLabel(string key) => !SnakeKey().IsMatch(key);

    private static string Key(string name) => TableScore.Normalise(name).TrimEnd(':').Trim();

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeKey();
}
