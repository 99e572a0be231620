using DocFlow.Data;
using DocFlow.IntegrationTests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.IntegrationTests.Data;

/// <summary>Every SQLite connection the store opens, new or from the pool, waits for the write lock inside SQLite for
/// the command timeout (<see cref="SqliteBusyTimeout"/>).</summary>
public sealed class SqliteBusyTimeoutTests
{
    [Fact]
    public async Task EveryOpen_WaitsForTheWriteLock_ForTheCommandTimeout()
    {
        var dir = Repo.NewTempDirectory("sqlite-busy");
        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = Path.Combine(dir, "docflow.db"), CommandTimeoutSeconds = 7 });
        await database.MigrateAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++) // the first open, then pooled connections reopened
        {
            var timeout = await database.RunAsync(async db =>
            {
                var connection = (SqliteConnection)db.Database.GetDbConnection();
                await db.Database.OpenConnectionAsync();
                try
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA busy_timeout;";
                    return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
                }
                finally
                {
                    await db.Database.CloseConnectionAsync();
                }
            }, CancellationToken.None);
            Assert.Equal(7000, timeout);
        }
        SqliteConnection.ClearAllPools();
    }
}
