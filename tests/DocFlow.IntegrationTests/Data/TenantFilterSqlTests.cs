using DocFlow.Data;
using DocFlow.Data.Entities;
using DocFlow.IntegrationTests.Support;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.IntegrationTests.Data;

/// <summary>
/// The tenant filter as the database sees it. Written as one filter (<c>TenantFilter == null || tenant == TenantFilter</c>),
/// EF Core 10 sends <c>(@ef_filter__p OR "tenant" = @t)</c> on every read, an OR the planner cannot use an index for (and
/// <c>EF.Constant</c> on the null test, which fixes the SQL, made every read ~10 % dearer: the SQL was generated per
/// execution). With a model per scope (<see cref="DocFlow.Data.DocFlowDbContext.Scoped"/>) a tenant-bound principal's reads say
/// <c>"tenant" = @t</c> and admin's, operator's and the workers' have no tenant condition at all; setting a tenant on
/// an unscoped context throws rather than reading unfiltered.
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
        using var db = _database.CreateDbContext(scoped: true);
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

        var sql = db.Set<JobEntity>().AsNoTracking().Where(j => j.Id == "d_1").ToQueryString();

        Assert.DoesNotContain("\"tenant\" =", sql);
        Assert.DoesNotContain(" OR ", sql, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ATenantOnAnUnscopedContext_Throws()
    {
        using var db = _database.CreateDbContext();

        Assert.Throws<InvalidOperationException>(() => db.TenantFilter = "acme");
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
