using System.Globalization;
using DocFlow.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Bench;

/// <summary>`docflow bench api` (the docflow-tools executable, as the launcher runs it) with tiny sizes: it prepares a
/// store, starts the product's `docflow serve` twice (auth off, auth on with a key made by `docflow keys create`), anew
/// for each of two rounds, and reports every row. Figures are not checked (timing claims belong in docs/benchmarks.md, not in assertions); that the
/// 'on' server audited what it was sent is.</summary>
public sealed class ApiBenchTests(ITestOutputHelper output)
{
    private const string CostRow = "cost of authentication and audit (throughput, median of the rounds' paired costs)";

    private static readonly string[] Kinds =
        ["upload (POST /api/v1/documents, 202)", "read result (GET /api/v1/documents/{id}/result)", "read job record (GET /api/v1/documents/{id})"];

    [Fact]
    public async Task ApiBench_WithTinySizes_ReportsEveryRow_AndTheOnServerAudits()
    {
        var work = Repo.NewTempDirectory("bench-api");
        var (exit, text) = await Executables.RunAsync(Executables.Tools, TimeSpan.FromMinutes(10), "bench", "api", "--repeat", "2", "--seconds", "0.5",
            "--connections", "2", "--work", work);
        output.WriteLine(text);
        Assert.Equal(0, exit);

        var lines = await File.ReadAllLinesAsync(Path.Combine(work, "bench-api.md"));
        foreach (var kind in Kinds)
        {
            Assert.Contains(lines, l => l.StartsWith($"| {kind}: auth off / on (req/s) |", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"| {kind}: server CPU per request, off / on |", StringComparison.Ordinal));
            // Each server's threads at the end of its runs, read from /proc: a live server has several.
            var threads = lines.Single(l => l.StartsWith($"| {kind}: server threads at the end of the runs, off / on |", StringComparison.Ordinal)).Split('|')[2];
            Assert.All(threads.Split(';'), side => Assert.All(side.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(t => t != "/"),
                t => Assert.True(int.Parse(t, CultureInfo.InvariantCulture) > 2, $"threads: {threads}")));
            // Each server's garbage collections, read from its own /metrics (the 'on' server's with an operator key):
            // numbers for both, never NaN (what an unreadable /metrics gives).
            var gc = lines.Single(l => l.StartsWith($"| {kind}: garbage collections per 1,000 requests / collector pause per request (µs), medians |", StringComparison.Ordinal)).Split('|')[2];
            var sides = gc.Split(';', StringSplitOptions.TrimEntries);
            Assert.Equal(["off", "on"], sides.Select(side => side.Split(' ')[0]));
            Assert.All(sides, side => Assert.All(side.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(t => t != "/"),
                t => Assert.True(double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0, $"garbage collections: {gc}")));
            // The cost is the median of the rounds' paired costs (each 'on' against its own round's 'off'): with two
            // rounds, the mean of the two printed.
            var cost = lines.Single(l => l.StartsWith($"| {kind}: {CostRow} |", StringComparison.Ordinal)).Split('|')[2].Trim();
            var figure = double.Parse(cost[..cost.IndexOf(" %", StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            var rounds = cost[(cost.IndexOf("(rounds ", StringComparison.Ordinal) + 8)..].TrimEnd(')').Split(" / ")
                .Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(2, rounds.Count);
            Assert.InRange(figure, rounds.Average() - 0.11, rounds.Average() + 0.11);
        }
        var audited = lines.Single(l => l.StartsWith("| audit entries written by the 'on' server |", StringComparison.Ordinal)).Split('|')[2].Trim();
        Assert.True(long.Parse(audited, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) > 0, $"audit entries: {audited}");
        try { Directory.Delete(work, true); } catch (IOException) { }
    }

    [Fact]
    public async Task ApiBench_OnlyOneKind_WithAControlServer_ReportsThatKindAndTheControlRow()
    {
        var work = Repo.NewTempDirectory("bench-api-control");
        var (exit, text) = await Executables.RunAsync(Executables.Tools, TimeSpan.FromMinutes(10), "bench", "api", "--repeat", "1", "--seconds", "0.5",
            "--connections", "2", "--only", "metadata", "--control", "--work", work);
        output.WriteLine(text);
        Assert.Equal(0, exit);

        var lines = await File.ReadAllLinesAsync(Path.Combine(work, "bench-api.md"));
        var kind = Kinds[2];
        Assert.Contains(lines, l => l.StartsWith($"| {kind}: {CostRow} |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"| {kind}: control (a second 'off' server) against off, paired |", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith($"| {Kinds[0]}", StringComparison.Ordinal) || l.StartsWith($"| {Kinds[1]}", StringComparison.Ordinal));
        try { Directory.Delete(work, true); } catch (IOException) { }
    }

    [Fact]
    public async Task ApiBench_UnknownKind_IsRefusedByName()
    {
        var (exit, text) = await Executables.RunAsync(Executables.Tools, TimeSpan.FromMinutes(2), "bench", "api", "--only", "metadata,delete");
        output.WriteLine(text);
        Assert.NotEqual(0, exit);
        Assert.Contains("unknown request kind 'delete'", text, StringComparison.Ordinal);
    }
}
