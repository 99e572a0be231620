using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DocFlow.Data;

/// <summary>Tells "the database is not there" apart from "the database said no".</summary>
internal static class StoreErrors
{
    // PostgreSQL codes that mean "not now": shutting down, starting up, too many connections, connection failures, and
    // 25006 (read-only transaction: a hot standby not yet promoted, docs/multi-region.md).
    private static readonly HashSet<string> UnavailableStates =
        ["57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006", "25006"];

    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CANTOPEN
    private static readonly HashSet<int> SqliteUnavailable = [5, 6, 10, 14];

    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case OperationCanceledException:
                    return false;
                case PostgresException pg:
                    return UnavailableStates.Contains(pg.SqlState);
                case NpgsqlException:
                    // Not a server answer: refused, reset, broken, timed out.
                    return true;
                case SqliteException sqlite:
                    return SqliteUnavailable.Contains(sqlite.SqliteErrorCode);
                case SocketException or TimeoutException:
                    return true;
            }
        }
        return false;
    }
}
