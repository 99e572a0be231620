using DocFlow.Engine.Extraction.Learning;

namespace DocFlow.UnitTests.Engine.Extraction.Learning;

public sealed class TreeEnsembleTests
{
    // One tree: x0 <= 0.5 ? leaf 0 (-2) : (x1 <= 1 ? leaf 1 (1) : leaf 2 (3)); a second tree adds a constant 0.5 at weight 2.
    private const string Json = """
        {"name":"t","features":["x0","x1"],"bias":0.25,"slope":-1,"offset":0,
         "trees":[{"weight":1,"feature":[0,1],"threshold":[0.5,1],"left":[-1,-2],"right":[1,-3],"leaves":[-2,1,3]},
                  {"weight":2,"feature":[],"threshold":[],"left":[],"right":[],"leaves":[0.5]}]}
        """;

    [Theory]
    [InlineData(0.2f, 9f, 0.25 - 2 + 1)]
    [InlineData(0.5f, 9f, 0.25 - 2 + 1)]
    [InlineData(0.7f, 1f, 0.25 + 1 + 1)]
    [InlineData(0.7f, 2f, 0.25 + 3 + 1)]
    public void Score_FollowsSplitsToTheLeaf_AndAddsWeightedTrees(float x0, float x1, double expected)
    {
        var model = TreeEnsemble.FromJson(Json);
        Assert.Equal(expected, model.Score([x0, x1]), 6);
    }

    [Fact]
    public void Probability_IsPlattCalibratedScore()
    {
        var model = TreeEnsemble.FromJson(Json);
        var score = model.Score([0.7f, 2f]);
        Assert.Equal(1 / (1 + Math.Exp(-score)), model.Probability([0.7f, 2f]), 5);
    }

    [Fact]
    public void Score_RejectsAFeatureVectorOfTheWrongLength()
    {
        var model = TreeEnsemble.FromJson(Json);
        Assert.Throws<ArgumentException>(() => model.Score([1f]));
    }

    [Fact]
    public void FromJson_RejectsASplitOnAMissingFeature()
    {
        var broken = Json.Replace("\"feature\":[0,1]", "\"feature\":[0,5]", StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => TreeEnsemble.FromJson(broken));
    }

    [Fact]
    public void ToJson_RoundTrips()
    {
        var model = TreeEnsemble.FromJson(Json);
        var again = TreeEnsemble.FromJson(model.ToJson());
        Assert.Equal(model.Score([0.7f, 2f]), again.Score([0.7f, 2f]));
    }
}
