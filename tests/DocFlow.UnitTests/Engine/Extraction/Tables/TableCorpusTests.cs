using DocFlow.UnitTests.Support;
using Xunit.Abstractions;

namespace DocFlow.UnitTests.Engine.Extraction.Tables;

/// <summary>
/// The generated table corpus (<see cref="TableCorpus"/>) through the PDF text layer and the table
/// enricher. Prints the corpus figures: <c>dotnet test tests/DocFlow.UnitTests --filter "FullyQualifiedName~TableCorpus" --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class TableCorpusTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => [.. TableCorpus.All.Select(c => c.Name)];

    [Fact]
    public void Corpus_Figures()
    {
        var results = TableCorpus.All.Select(TableCorpusScore.Score).ToList();
        var (count, cells, _, report) = TableCorpusScore.Summary(results);
        output.WriteLine(report);
        foreach (var miss in results.SelectMany(r => r.Misses)) output.WriteLine("  miss: " + miss);
        Assert.True(count >= 0.0 && cells >= 0.0);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Document_TablesCountShapeAndCells(string name)
    {
        var result = TableCorpusScore.Score(TableCorpus.All.Single(c => c.Name == name));
        foreach (var miss in result.Misses) output.WriteLine(miss);
        Assert.Empty(result.Misses);
    }
}
