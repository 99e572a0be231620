using DocFlow.IntegrationTests.Support;
using DocFlow.Storage;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.IntegrationTests.Data;

public sealed class PostgresJobStoreTests(PostgresServerFixture server) : JobStoreTests, IClassFixture<PostgresServerFixture>
{
    private string? _connectionString;

    protected override async Task<string> CreateEmptyDatabaseAsync() => _connectionString = await server.CreateDatabaseAsync("store");

    protected override Task DeleteDatabaseAsync() => _connectionString is null ? Task.CompletedTask : server.DropDatabaseAsync(_connectionString);

    protected override bool PlanUsesIndex(string plan, string? index) =>
        plan.Contains("Index", StringComparison.Ordinal)
        && !plan.Contains("Seq Scan", StringComparison.Ordinal)
        && !plan.Contains("Sort", StringComparison.Ordinal)
        && (index is null || plan.Contains(index, StringComparison.Ordinal));

    [Fact]
    public async Task SaveResult_StoresTheDocumentAsJsonb()
    {
        var job = Some.Job();
        await Store.CreateBatchAsync(Some.NewId("batch"), [job], CancellationToken.None);
        await Store.SaveResultAsync(job.Id, Some.Document("Hello"), Some.Stats(), CancellationToken.None);

        await using var db = Database.CreateDbContext();
        var row = await db.Database
            .SqlQuery<JsonbRow>($"""SELECT jsonb_typeof(document) AS "Type", document->>'text' AS "Text", pg_typeof(document)::text AS "ColumnType" FROM job_results WHERE job_id = {job.Id}""")
            .SingleAsync();
        Assert.Equal(("object", "Hello", "jsonb"), (row.Type, row.Text, row.ColumnType));
    }

    [Fact]
    public async Task Status_IsStoredUnderItsWireName()
    {
        var job = Some.Job();
        await Store.CreateBatchAsync(Some.NewId("batch"), [job], CancellationToken.None);
        await Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None);

        await using var db = Database.CreateDbContext();
        var status = await db.Database.SqlQuery<string>($"SELECT status AS \"Value\" FROM jobs WHERE id = {job.Id}").SingleAsync();
        Assert.Equal("processing", status);
    }

    private sealed record JsonbRow(string Type, string Text, string ColumnType);
}
