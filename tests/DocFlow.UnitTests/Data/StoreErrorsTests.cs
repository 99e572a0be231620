using System.Net.Sockets;
using DocFlow.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DocFlow.UnitTests.Data;

public sealed class StoreErrorsTests
{
    [Fact]
    public void ConnectionFailures_AreUnavailable()
    {
        Assert.True(StoreErrors.IsUnavailable(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(StoreErrors.IsUnavailable(new InvalidOperationException("transient", new NpgsqlException("broken"))));
        Assert.True(StoreErrors.IsUnavailable(new SqliteException("unable to open database file", 14)));
        Assert.True(StoreErrors.IsUnavailable(new SqliteException("database is locked", 5)));
    }

    [Fact]
    public void AnswersFromTheDatabase_AreNotUnavailable()
    {
        Assert.False(StoreErrors.IsUnavailable(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")));
        Assert.True(StoreErrors.IsUnavailable(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")));
        Assert.False(StoreErrors.IsUnavailable(new SqliteException("UNIQUE constraint failed", 19)));
        Assert.False(StoreErrors.IsUnavailable(new OperationCanceledException()));
        Assert.False(StoreErrors.IsUnavailable(new InvalidOperationException("no job")));
    }
}
