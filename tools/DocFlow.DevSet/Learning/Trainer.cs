using DocFlow.Engine.Extraction.Learning;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace DocFlow.DevSet.Learning;

/// <summary>One training example: its features, its label, and the document it comes from (folds never split a document).</summary>
public sealed record Sample(float[] Features, bool Label, string Group);

/// <summary>Which library grows the trees. FastTree (the shipped models) unless DEVSET_TRAINER=lightgbm.</summary>
public enum TreeAlgorithm { FastTree, LightGbm }

/// <summary>Boosted-tree settings. Small on purpose: the dev sets are a few hundred documents.</summary>
/// <remarks><see cref="Explicit"/> is false for the code's defaults: LightGbm then runs with ML.NET's own defaults for it
/// (100 rounds; leaves, examples a leaf and rate chosen by ML.NET from the data), FastTree with the values here.</remarks>
public sealed record TrainOptions(int Trees = 100, int Leaves = 16, int MinExamplesPerLeaf = 10, double LearningRate = 0.1, int Seed = 1)
{
    /// <summary>Set from an environment variable (trees,leaves,minPerLeaf,rate) rather than the code's defaults.</summary>
    public bool Explicit { get; init; }

    /// <summary>DEVSET_TRAINER=lightgbm trains every model with ML.NET's LightGbm; unset or fasttree, FastTree.</summary>
    public TreeAlgorithm Algorithm { get; init; } = AlgorithmFromEnvironment();

    public static TreeAlgorithm AlgorithmFromEnvironment() =>
        ParseAlgorithm("DEVSET_TRAINER", Environment.GetEnvironmentVariable("DEVSET_TRAINER") ?? "");

    private static TreeAlgorithm ParseAlgorithm(string variable, string value) => value.Trim().ToLowerInvariant() switch
    {
        "" or "fasttree" => TreeAlgorithm.FastTree,
        "lightgbm" => TreeAlgorithm.LightGbm,
        var other => throw new FormatException($"{variable}: trainer '{other}', expected fasttree or lightgbm"),
    };

    /// <summary>Settings from an environment variable holding "trees,leaves,minPerLeaf,rate" (for experiments; e.g.
    /// FORMS_ROLE_OPTS=200,16,10,0.05), optionally after a trainer ("lightgbm:100,16,10,0.1"), or a trainer alone
    /// ("lightgbm": its defaults; "fasttree"), or <paramref name="fallback"/> when it is not set.</summary>
    public static TrainOptions FromEnvironment(string variable, TrainOptions fallback)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        var colon = value.IndexOf(':');
        var trainer = colon >= 0 ? value[..colon] : value.Contains(',') ? null : value;
        var settings = colon >= 0 ? value[(colon + 1)..] : trainer is null ? value : null;
        var options = fallback;
        if (trainer is not null)
        {
            var algorithm = ParseAlgorithm(variable, trainer);
            options = algorithm == fallback.Algorithm ? fallback : new TrainOptions { Algorithm = algorithm, Seed = fallback.Seed };
        }
        if (settings is null) return options;
        if (settings.Split(',') is not [var t, var l, var m, var r])
            throw new FormatException($"{variable}={value}: expected [trainer:]trees,leaves,minPerLeaf,rate");
        var c = System.Globalization.CultureInfo.InvariantCulture;
        return options with { Trees = int.Parse(t, c), Leaves = int.Parse(l, c), MinExamplesPerLeaf = int.Parse(m, c), LearningRate = double.Parse(r, c), Explicit = true };
    }

    public override string ToString() => Algorithm == TreeAlgorithm.LightGbm && !Explicit
        ? "LightGbm, ML.NET's defaults"
        : $"{Algorithm}, {Trees} trees, {Leaves} leaves, {MinExamplesPerLeaf} a leaf, rate {LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>Binary classification quality at a 0.5 threshold, plus the area under the ROC curve.</summary>
public sealed record BinaryQuality(int Positives, int Negatives, double Precision, double Recall, double F1, double Auc)
{
    public override string ToString() => $"P {Precision:F3} R {Recall:F3} F1 {F1:F3} AUC {Auc:F3} (+{Positives} -{Negatives})";
}

/// <summary>
/// Trains ML.NET FastTree (or LightGbm, DEVSET_TRAINER=lightgbm) binary classifiers and exports them as <see cref="TreeEnsemble"/> JSON, which the engine
/// evaluates itself; every export is checked against ML.NET's own predictions before it is returned.
/// </summary>
public static class Trainer
{
    private sealed class Row
    {
        public bool Label { get; set; }
        [VectorType]
        public float[] Features { get; set; } = [];
    }

    private sealed class Output
    {
        public float Score { get; set; }
        public float Probability { get; set; }
    }

    public static TreeEnsemble Train(IReadOnlyList<Sample> samples, IReadOnlyList<string> featureNames, string name, TrainOptions? options = null, string? provenance = null)
    {
        options ??= new TrainOptions();
        if (samples.Count == 0 || samples.All(s => s.Label) || samples.All(s => !s.Label))
            throw new InvalidOperationException($"Model '{name}': training needs positive and negative examples.");
        var width = featureNames.Count;
        var ml = new MLContext(seed: options.Seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var data = ml.Data.LoadFromEnumerable(samples.Select(s => new Row { Label = s.Label, Features = s.Features }), schema);
        ITransformer model;
        TreeEnsembleFile file;
        if (options.Algorithm == TreeAlgorithm.LightGbm)
        {
            var lightGbm = new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = options.Trees,
                Seed = options.Seed,
                NumberOfThreads = 1,
                Deterministic = true,
                FeatureColumnName = nameof(Row.Features),
                LabelColumnName = nameof(Row.Label),
            };
            if (options.Explicit)
            {
                lightGbm.NumberOfLeaves = options.Leaves;
                lightGbm.MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf;
                lightGbm.LearningRate = options.LearningRate;
            }
            var fitted = ml.BinaryClassification.Trainers.LightGbm(lightGbm).Fit(data);
            model = fitted;
            // ML.NET's score is LightGBM's raw score; its Platt calibrator holds LightGBM's sigmoid (slope -sigmoid, offset 0).
            file = Export(name, featureNames, provenance, fitted.Model.SubModel.TrainedTreeEnsemble, fitted.Model.Calibrator);
        }
        else
        {
            var fitted = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = options.Trees,
                NumberOfLeaves = options.Leaves,
                MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf,
                LearningRate = options.LearningRate,
                Seed = options.Seed,
                NumberOfThreads = 1,
                FeatureColumnName = nameof(Row.Features),
                LabelColumnName = nameof(Row.Label),
            }).Fit(data);
            model = fitted;
            file = Export(name, featureNames, provenance, fitted.Model.SubModel.TrainedTreeEnsemble, fitted.Model.Calibrator);
        }
        var exported = TreeEnsemble.Create(file);

        // The exported trees must give what ML.NET gives, or the engine would run a different model than the one measured.
        var engine = ml.Model.CreatePredictionEngine<Row, Output>(model, inputSchemaDefinition: schema);
        foreach (var s in samples.Take(500))
        {
            var expected = engine.Predict(new Row { Features = s.Features });
            var got = exported.Probability(s.Features);
            if (Math.Abs(expected.Probability - got) > 1e-5)
                throw new InvalidOperationException($"Model '{name}': exported trees give {got}, ML.NET {expected.Probability} (score {expected.Score} vs {exported.Score(s.Features)}).");
        }
        return exported;
    }

    private static TreeEnsembleFile Export(string name, IReadOnlyList<string> featureNames, string? provenance,
        Microsoft.ML.Trainers.FastTree.RegressionTreeEnsemble ensemble, Microsoft.ML.Calibrators.PlattCalibrator calibrator)
    {
        if (ensemble.Trees.Any(t => t.CategoricalSplitFlags.Any(f => f)))
            throw new InvalidOperationException($"Model '{name}': a categorical split, which the exported trees cannot hold.");
        return new TreeEnsembleFile
        {
            Name = name,
            Features = [.. featureNames],
            Bias = ensemble.Bias,
            Slope = calibrator.Slope,
            Offset = calibrator.Offset,
            Provenance = provenance,
            Trees = [.. ensemble.Trees.Select((tree, i) => new TreeFile
            {
                Weight = ensemble.TreeWeights[i],
                Feature = [.. tree.NumericalSplitFeatureIndexes],
                Threshold = [.. tree.NumericalSplitThresholds],
                Left = [.. tree.LeftChild],
                Right = [.. tree.RightChild],
                Leaves = [.. tree.LeafValues],
            })],
        };
    }

    /// <summary>DEVSET_FOLD_SEED=N (N &gt; 0) draws another assignment of documents to folds, to check that settings chosen
    /// on one assignment hold on another; unset or 0 keeps the usual one.</summary>
    public static string FoldSeed { get; } = Environment.GetEnvironmentVariable("DEVSET_FOLD_SEED") is { Length: > 0 } seed && seed != "0" ? seed + "/" : "";

    /// <summary>k folds by document (a stable hash of <see cref="Sample.Group"/>, after <see cref="FoldSeed"/>): fold of each group, 0..k-1.</summary>
    public static int FoldOf(string group, int folds)
    {
        var hash = 2166136261u;
        foreach (var c in FoldSeed) hash = (hash ^ c) * 16777619u;
        foreach (var c in group) hash = (hash ^ c) * 16777619u;
        return (int)(hash % (uint)folds);
    }

    /// <summary>Trains on k-1 folds and predicts the held-out one, k times: every sample gets a probability from a model
    /// that never saw its document.</summary>
    public static float[] CrossValidatedProbabilities(IReadOnlyList<Sample> samples, IReadOnlyList<string> featureNames, int folds, TrainOptions? options = null)
    {
        var result = new float[samples.Count];
        for (var fold = 0; fold < folds; fold++)
        {
            var train = samples.Where(s => FoldOf(s.Group, folds) != fold).ToList();
            var model = Train(train, featureNames, $"cv{fold}", options);
            for (var i = 0; i < samples.Count; i++)
                if (FoldOf(samples[i].Group, folds) == fold)
                    result[i] = model.Probability(samples[i].Features);
        }
        return result;
    }

    public static BinaryQuality Quality(IReadOnlyList<Sample> samples, IReadOnlyList<float> probabilities, float threshold = 0.5f)
    {
        int tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            var predicted = probabilities[i] >= threshold;
            if (predicted && samples[i].Label) tp++;
            else if (predicted) fp++;
            else if (samples[i].Label) fn++;
        }
        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        // AUC: the chance that a random positive scores above a random negative (ties count half).
        var ranked = samples.Select((s, i) => (s.Label, P: probabilities[i])).OrderBy(x => x.P).ToList();
        double rankSum = 0;
        var positives = 0;
        for (var i = 0; i < ranked.Count;)
        {
            var j = i;
            while (j < ranked.Count && ranked[j].P == ranked[i].P) j++;
            var averageRank = (i + j + 1) / 2.0;
            for (var k = i; k < j; k++) if (ranked[k].Label) { rankSum += averageRank; positives++; }
            i = j;
        }
        var negatives = ranked.Count - positives;
        var auc = positives == 0 || negatives == 0 ? 0 : (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
        return new BinaryQuality(positives, negatives, precision, recall, f1, auc);
    }
}
