using DocFlow.Data;
using DocFlow.Data.Entities;
using DocFlow.IntegrationTests.Support;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.IntegrationTests.Data;

/// <summary>
/// The tenant filter as the database sees it. Written plainly (<c>TenantFilter == null || tenant == TenantFilter</c>), EF
/// Core 10 sends <c>(@ef_filter__p OR "tenant" = @t)</c> on every scoped read, an OR the planner cannot use an index for;
/// with the null test as a constant (<c>EF.Constant</c>) a tenant-bound principal's reads say <c>"tenant" = @t</c> and
/// admin's and operator's (no filter) have no tenant condition at all: two SQL texts, each cached.
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
    public void ScopedRead_FiltersByTenantEquality_WithoutANullTest()
    {
        using var db = _database.CreateDbContext();
        db.TenantFilter = "acme";

        var sql = db.Set<JobEntity>().AsNoTracking().Where(j => j.Id == "d_1").ToQueryString();

        Assert.Matches("\"tenant\" = @", sql);
        Assert.DoesNotContain("IS NULL", sql, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" OR ", sql, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void UnscopedRead_HasNoTenantCondition()
    {
        using var db = _database.CreateDbContext();
        db.TenantFilter = null;

        var sql = db.Set<JobEntity>().AsNoTracking().Where(j => j.Id == "d_1").ToQueryString();

        Assert.DoesNotContain("\"tenant\" =", sql);
        Assert.DoesNotContain(" OR ", sql, StringComparison.OrdinalIgnoreCase);
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
