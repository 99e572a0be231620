using DocFlow.IntegrationTests.Support;
using DocFlow.Tools.Bench;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Bench;

/// <summary>A throughput measurement, reported in the test output only (timing claims are never assertions).
/// DOCFLOW_BENCH_JOBS and DOCFLOW_BENCH_SLOTS change the run.</summary>
public sealed class RedisQueueBenchmarkTests(RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task NoOpJobs_EndToEnd_ReportsThroughput()
    {
        var jobs = int.TryParse(Environment.GetEnvironmentVariable("DOCFLOW_BENCH_JOBS"), out var j) ? j : 20_000;
        var slots = int.TryParse(Environment.GetEnvironmentVariable("DOCFLOW_BENCH_SLOTS"), out var s) ? s : 64;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        var result = await RedisQueueBenchmark.RunAsync(redis.Connection, jobs, slots, timeout.Token);

        output.WriteLine(result.ToString());
        Assert.Equal(jobs, result.Jobs);
    }
}
