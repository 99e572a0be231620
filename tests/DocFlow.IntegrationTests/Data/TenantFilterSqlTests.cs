using DocFlow.Data;
using DocFlow.Data.Entities;
using DocFlow.IntegrationTests.Support;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.IntegrationTests.Data;

/// <summary>
/// The tenant filter as the database sees it (EF Core global query filter <c>TenantFilter == null || tenant == TenantFilter</c>):
/// a tenant-bound principal's reads carry <c>"tenant" = @t</c>; EF Core 10 sends the null test as a parameter beside it,
/// <c>(@ef_filter__p OR "tenant" = @t)</c>, on every read (docs/benchmarks.md, "Authentication and audit cost", session 7:
/// the two ways tried to drop it cost more than they saved). Unscoped reads carry the same text with the other value.
/// </summary>
public sealed class TenantFilterSqlTests : IAsyncLifetime
{
    private readonly string _dir = Repo.NewTempDirectory("tenant-sql");
    private DocFlowDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = Path.Combine(_dir, "docflow.db") });
        await _database.MigrateAsync(CancellationToken.None);
    }

    [Fact]
    public void ScopedRead_FiltersByTenant()
    {
        using var db = _database.CreateDbContext();
        db.TenantFilter = "acme";

        var sql = db.Set<JobEntity>().AsNoTracking().Where(j => j.Id == "d_1").ToQueryString();

        Assert.Matches("\"tenant\" = @", sql);
        Assert.Contains("'acme'", sql);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
