using DocFlow.IntegrationTests.Support;
using Microsoft.Data.Sqlite;

namespace DocFlow.IntegrationTests.Data;

public sealed class SqliteJobStoreTests : JobStoreTests
{
    private string? _dir;

    protected override Task<string> CreateEmptyDatabaseAsync()
    {
        _dir = Repo.NewTempDirectory("sqlite-store");
        return Task.FromResult(Path.Combine(_dir, "docflow.db"));
    }

    protected override Task DeleteDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        if (_dir is not null) Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    protected override bool PlanUsesIndex(string plan, string? index)
    {
        var lines = plan.Split('\n');
        return lines.Any(l => l.Contains("USING INDEX", StringComparison.Ordinal) || l.Contains("USING COVERING INDEX", StringComparison.Ordinal))
            && !lines.Any(l => l.StartsWith("SCAN", StringComparison.Ordinal) && !l.Contains("INDEX", StringComparison.Ordinal))
            && !plan.Contains("TEMP B-TREE", StringComparison.Ordinal)
            && (index is null || plan.Contains(index, StringComparison.Ordinal));
    }
}
