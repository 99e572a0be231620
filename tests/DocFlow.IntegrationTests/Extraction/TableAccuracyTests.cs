using DocFlow.IntegrationTests.Cli;
using DocFlow.Samples.Evaluation;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Extraction;

[Collection(SampleBatchCollection.Name)]
public sealed class TableAccuracyTests(SampleBatchFixture batch, ITestOutputHelper output)
{
    [Fact]
    public void Samples_Tables_AtLeastNinetyFivePercentExact()
    {
        int correct = 0, total = 0;
        foreach (var truth in batch.Truths)
        {
            var (c, t, misses) = TableScore.Score(truth, batch.ReadDocument(truth.File));
            correct += c;
            total += t;
            if (t > 0) output.WriteLine($"{truth.File}: {c}/{t}");
            foreach (var miss in misses) output.WriteLine("  miss: " + miss);
        }
        var accuracy = total == 0 ? 1.0 : (double)correct / total;
        output.WriteLine($"table accuracy: {correct}/{total} = {accuracy:P1}");
        Assert.True(total > 0, "the samples have no table ground truth");
        Assert.True(accuracy >= 0.95, $"table accuracy {accuracy:P1} ({correct}/{total}) is below 95%; misses are in the test output");
    }
}
