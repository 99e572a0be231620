using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocFlow.Engine.Extraction.Learning;

/// <summary>
/// A boosted ensemble of regression trees for binary classification, trained with ML.NET (FastTree) by
/// <c>tools/DocFlow.DevSet</c> and exported as JSON; evaluated here without ML.NET.
/// </summary>
/// <remarks>Evaluating the exported trees is a few comparisons per tree, microseconds a sample, and keeps ML.NET
/// (tens of assemblies, hundreds of ms to load) out of the engine and its start-up.</remarks>
public sealed class TreeEnsemble
{
    private static readonly ConcurrentDictionary<string, TreeEnsemble> Embedded = new(StringComparer.Ordinal);

    private readonly TreeEnsembleFile _file;

    private TreeEnsemble(TreeEnsembleFile file)
    {
        _file = file;
        foreach (var tree in file.Trees)
        {
            var nodes = tree.Feature.Length;
            if (tree.Threshold.Length != nodes || tree.Left.Length != nodes || tree.Right.Length != nodes || tree.Leaves.Length != nodes + 1)
                throw new InvalidDataException($"Model '{file.Name}': a tree's arrays disagree in length.");
            if (tree.Feature.Any(f => f < 0 || f >= file.Features.Length))
                throw new InvalidDataException($"Model '{file.Name}': a split names a feature it does not have.");
        }
    }

    /// <summary>The model's name (its file name without extension).</summary>
    public string Name => _file.Name;

    /// <summary>The features, in the order <see cref="Probability"/> expects them.</summary>
    public IReadOnlyList<string> Features => _file.Features;

    /// <summary>The raw ensemble output: bias plus the weighted sum of each tree's leaf.</summary>
    public double Score(ReadOnlySpan<float> features)
    {
        if (features.Length != _file.Features.Length)
            throw new ArgumentException($"Model '{Name}' takes {_file.Features.Length} features, not {features.Length}.", nameof(features));
        var score = _file.Bias;
        foreach (var tree in _file.Trees)
        {
            var node = 0;
            if (tree.Feature.Length > 0)
            {
                // Inner nodes are numbered from 0; a negative child is a leaf, ~child its index.
                while (node >= 0)
                    node = features[tree.Feature[node]] <= tree.Threshold[node] ? tree.Left[node] : tree.Right[node];
                node = ~node;
            }
            score += tree.Weight * tree.Leaves[node];
        }
        return score;
    }

    /// <summary>The calibrated probability of the positive class (Platt: 1 / (1 + e^(slope·score + offset))).</summary>
    public float Probability(ReadOnlySpan<float> features) =>
        (float)(1.0 / (1.0 + Math.Exp(_file.Slope * Score(features) + _file.Offset)));

    /// <summary>Reads a model from its JSON form.</summary>
    public static TreeEnsemble FromJson(string json) =>
        new(JsonSerializer.Deserialize(json, TreeEnsembleJson.Default.TreeEnsembleFile) ?? throw new InvalidDataException("The model is null."));

    /// <summary>The JSON form of this model.</summary>
    public string ToJson() => JsonSerializer.Serialize(_file, TreeEnsembleJson.Default.TreeEnsembleFile);

    /// <summary>Builds a model from exported trees.</summary>
    public static TreeEnsemble Create(TreeEnsembleFile file) => new(file);

    /// <summary>A model shipped in this assembly (Extraction/Models/NAME.json), loaded once.</summary>
    public static TreeEnsemble LoadEmbedded(string name) => Embedded.GetOrAdd(name, static n =>
    {
        var resource = "DocFlow.Engine.Models." + n + ".json";
        using var stream = typeof(TreeEnsemble).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The engine has no embedded model '{n}' ({resource}).");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    });
}

/// <summary>The JSON form of a <see cref="TreeEnsemble"/>.</summary>
public sealed class TreeEnsembleFile
{
    public required string Name { get; init; }
    public required string[] Features { get; init; }
    public double Bias { get; init; }
    public double Slope { get; init; } = -1;
    public double Offset { get; init; }
    public required TreeFile[] Trees { get; init; }
    /// <summary>How the model was trained and what cross-validation measured (free text, for people).</summary>
    public string? Provenance { get; init; }
}

/// <summary>One regression tree: inner node i splits on Feature[i] ≤ Threshold[i] (left) else right.</summary>
public sealed class TreeFile
{
    public double Weight { get; init; } = 1;
    public required int[] Feature { get; init; }
    public required float[] Threshold { get; init; }
    public required int[] Left { get; init; }
    public required int[] Right { get; init; }
    public required double[] Leaves { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(TreeEnsembleFile))]
internal sealed partial class TreeEnsembleJson : JsonSerializerContext;
