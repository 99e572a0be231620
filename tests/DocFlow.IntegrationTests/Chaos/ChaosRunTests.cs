using System.Text.RegularExpressions;
using DocFlow.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Chaos;

/// <summary>
/// The short chaos run and the short load test of issue 12, as `docflow-chaos` (tools/chaos) runs them from outside:
/// Redis with AOF, PostgreSQL, s3rver, `docflow serve` and `docflow worker` processes of their own on loopback.
/// The tool checks the invariants from the store and the API and exits 1 on any violation; these tests also read its
/// summary, so a run that did not do the chaos it was asked for fails too. Timings go to docs/benchmarks.md, not here.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed partial class ChaosRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ShortRun_300Documents_10WorkerKills_RedisAndPostgresRestarts_NothingLostDuplicatedOrStuck()
    {
        var (exit, text) = await Executables.RunAsync("docflow-chaos.dll", TimeSpan.FromMinutes(25),
            "run", "--documents", "300", "--workers", "3", "--kills", "10", "--redis-restarts", "1", "--pg-restarts", "1", "--seed", "12",
            "--stuck-after", "4");
        output.WriteLine(text);

        Assert.True(exit == 0, $"docflow-chaos run exited with {exit}:\n{text}");
        Assert.Contains("chaos: PASS", text);
        Assert.Matches(@"accepted \(202\)\s+300 ", text);
        Assert.Matches(@"lost / duplicated / stuck 0 / 0 / 0", text);
        var chaos = ChaosLine().Match(text);
        Assert.True(chaos.Success, text);
        Assert.Equal(10, int.Parse(chaos.Groups["kills"].Value));
        Assert.Equal(1, int.Parse(chaos.Groups["redis"].Value));
        Assert.Equal(1, int.Parse(chaos.Groups["pg"].Value));
        Assert.Matches(@"hostile failed \d+, samples failed 0", text);
    }

    [Fact]
    public async Task Load_FloodAtTheLimits_Answers202Or429Or503WithRetryAfter_AndEveryAcceptedDocumentEnds()
    {
        var (exit, text) = await Executables.RunAsync("docflow-chaos.dll", TimeSpan.FromMinutes(15),
            "load", "--seconds", "20", "--clients", "6", "--workers", "2", "--max-queue-depth", "15", "--uploads-per-minute", "240",
            "--stuck-after", "4");
        output.WriteLine(text);

        Assert.True(exit == 0, $"docflow-chaos load exited with {exit}:\n{text}");
        Assert.Contains("load: PASS", text);
        var answers = Regex.Match(text, @"answers\s+(?<list>.*)").Groups["list"].Value;
        Assert.Contains("202: ", answers);
        Assert.Matches(@"(429|503): \d+", answers); // the flood did reach a limit
        Assert.DoesNotMatch(@"\b5(0[0-24-9]|[1-9]\d): ", answers);
        Assert.Matches(@"lost 0, not final 0", text);
    }

    [GeneratedRegex(@"chaos\s+(?<kills>\d+) worker SIGKILLs, \d+ engine hosts killed, (?<redis>\d+) Redis restarts, (?<pg>\d+) PostgreSQL restarts")]
    private static partial Regex ChaosLine();
}

/// <summary>The chaos run and the load test each start a whole platform: one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ChaosCollection
{
    public const string Name = "chaos";
}
