using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's API over a PostgreSQL store holding 100,000 jobs (DOCFLOW_BENCH_DASHBOARD_JOBS changes it):
/// p50/p95/max per call, reported in the test output only (timing claims are never assertions). The overview
/// cache is off, so every overview call runs its queries. Figures are in docs/dashboard.md.
/// </summary>
public sealed class DashboardBenchmarkTests(PostgresServerFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresServerFixture>
{
    private const int PerBatch = 100;
    private const int Iterations = 100;

    [Fact]
    public async Task DashboardCalls_Over100000Jobs_ReportLatency()
    {
        var jobs = int.TryParse(Environment.GetEnvironmentVariable("DOCFLOW_BENCH_DASHBOARD_JOBS"), out var n) ? n : 100_000;
        var connectionString = await postgres.CreateDatabaseAsync("dashbench");
        try
        {
            await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
            {
                ["Database:ConnectionString"] = connectionString, ["Database:MigrateOnStartup"] = "true",
                ["Workers"] = "0", ["Dashboard:OverviewCacheDuration"] = "00:00:00",
            });
            var seeding = Stopwatch.StartNew();
            await SeedAsync(connectionString, jobs);
            output.WriteLine($"seeded {jobs:N0} jobs in {jobs / PerBatch:N0} batches over 24 h in {seeding.Elapsed.TotalSeconds:F1} s");

            var firstJobs = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/jobs?limit=50");
            var jobCursor = Uri.EscapeDataString(firstJobs.GetProperty("nextCursor").GetString()!);
            var firstBatches = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/batches?limit=20");
            var batchCursor = Uri.EscapeDataString(firstBatches.GetProperty("nextCursor").GetString()!);
            Assert.Equal(20, firstBatches.GetProperty("items").GetArrayLength());
            var overview = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/dashboard/overview");
            Assert.True(overview.GetProperty("lastHour").GetProperty("documents").GetInt64() > 0);

            var calls = new (string Name, string Url)[]
            {
                ("overview (uncached)", "api/v1/dashboard/overview"),
                ("jobs, newest 50", "api/v1/jobs?limit=50"),
                ("jobs, next page", $"api/v1/jobs?limit=50&cursor={jobCursor}"),
                ("jobs, failed 50", "api/v1/jobs?status=failed&limit=50"),
                ("batches, newest 20", "api/v1/batches?limit=20"),
                ("batches, next page", $"api/v1/batches?limit=20&cursor={batchCursor}"),
                ("workers", "api/v1/workers"),
            };
            var report = new StringBuilder($"{"call",-22} {"p50 ms",8} {"p95 ms",8} {"max ms",8}\n");
            foreach (var (name, url) in calls)
            {
                for (var i = 0; i < 10; i++) (await server.Client.GetAsync(url)).EnsureSuccessStatusCode();
                var times = new double[Iterations];
                for (var i = 0; i < Iterations; i++)
                {
                    var sw = Stopwatch.StartNew();
                    using var response = await server.Client.GetAsync(url);
                    await response.Content.ReadAsByteArrayAsync();
                    times[i] = sw.Elapsed.TotalMilliseconds;
                    response.EnsureSuccessStatusCode();
                }
                Array.Sort(times);
                report.AppendLine(CultureInfo.InvariantCulture, $"{name,-22} {times[Iterations / 2],8:F1} {times[(int)Math.Ceiling(0.95 * Iterations) - 1],8:F1} {times[^1],8:F1}");
            }
            output.WriteLine(report.ToString());
        }
        finally
        {
            await postgres.DropDatabaseAsync(connectionString);
        }
    }

    /// <summary>Batches of 100 spread over the last 24 hours; 2 % failed, the newest 200 still queued.</summary>
    private static async Task SeedAsync(string connectionString, int jobs)
    {
        var batches = (jobs + PerBatch - 1) / PerBatch;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var sql = $"""
            INSERT INTO batches (id, created_at, total)
            SELECT 'bench-b' || lpad(b::text, 7, '0'), now() - interval '24 hours' + b * (interval '24 hours' / {batches}), {PerBatch}
            FROM generate_series(0, {batches - 1}) b;
            INSERT INTO jobs (id, batch_id, ordinal, file_name, blob_key, mime_type, route, priority, status, attempts, pages,
                              error_code, error_message, created_at, started_at, finished_at, duration_ms)
            SELECT 'bench-j' || lpad(i::text, 8, '0'), 'bench-b' || lpad((i / {PerBatch})::text, 7, '0'), i % {PerBatch},
                   'document-' || i || '.pdf', repeat('0', 64), 'application/pdf',
                   CASE WHEN i % 3 = 0 THEN 'image' ELSE 'pdf' END, CASE WHEN i % 10 = 0 THEN 'express' ELSE 'normal' END,
                   CASE WHEN i >= {jobs - 200} THEN 'queued' WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END,
                   CASE WHEN i >= {jobs - 200} THEN 0 ELSE 1 END, 1 + i % 4,
                   CASE WHEN i % 50 = 0 AND i < {jobs - 200} THEN 'corrupt' END, CASE WHEN i % 50 = 0 AND i < {jobs - 200} THEN 'bench failure' END,
                   at, CASE WHEN i < {jobs - 200} THEN at + interval '1 second' END,
                   CASE WHEN i < {jobs - 200} THEN at + interval '2 seconds' + (i % 30) * interval '1 second' END,
                   CASE WHEN i < {jobs - 200} AND i % 50 <> 0 THEN 300 + (i * 37) % 4000 END
            FROM (SELECT i, now() - interval '24 hours' + (i / {PerBatch}) * (interval '24 hours' / {batches}) AS at
                  FROM generate_series(0, {jobs - 1}) i) s;
            ANALYZE batches; ANALYZE jobs;
            """;
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }
}
