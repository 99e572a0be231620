using DocFlow.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace DocFlow.Data;

/// <summary>The configured database: makes contexts for the right provider, migrates, owns the connection pool.</summary>
public sealed class DocFlowDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _dataSource;
    private readonly DbContextOptions? _postgres;
    private readonly DbContextOptions? _sqlite;
    private readonly PooledDbContextFactory<PostgresDocFlowDbContext>? _postgresPool;
    private readonly PooledDbContextFactory<SqliteDocFlowDbContext>? _sqlitePool;

    /// <summary>Contexts kept for reuse by <see cref="RunAsync{T}"/>. A new context builds its own service scope (about
    /// half of a job-record read's allocations, docs/benchmarks.md "Authentication and audit cost", session 12); a
    /// pooled one is reset by EF Core when it is returned and reused.</summary>
    internal const int ContextPoolSize = 256;

    public DocFlowDatabase(DatabaseOptions options) : this(options, null)
    {
    }

    /// <param name="options">Connection string and timeouts.</param>
    /// <param name="configure">Extra EF configuration (tests add interceptors).</param>
    internal DocFlowDatabase(DatabaseOptions options, Action<DbContextOptionsBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        Provider = options.Provider;
        var timeout = options.CommandTimeoutSeconds;
        if (Provider == DatabaseProvider.Postgres)
        {
            var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            if (options.MaxPoolSize is { } pool) connection.MaxPoolSize = pool;
            _dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
            var builder = new DbContextOptionsBuilder<PostgresDocFlowDbContext>()
                .UseNpgsql(_dataSource, o => o.CommandTimeout(timeout));
            configure?.Invoke(builder);
            _postgres = builder.Options;
            _postgresPool = new PooledDbContextFactory<PostgresDocFlowDbContext>(builder.Options, ContextPoolSize);
        }
        else
        {
            var connectionString = DatabaseOptions.SqliteConnectionString(options.ConnectionString);
            var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            var builder = new DbContextOptionsBuilder<SqliteDocFlowDbContext>()
                .UseSqlite(connectionString, o => o.CommandTimeout(timeout))
                .AddInterceptors(new SqliteBusyTimeout(timeout));
            configure?.Invoke(builder);
            _sqlite = builder.Options;
            _sqlitePool = new PooledDbContextFactory<SqliteDocFlowDbContext>(builder.Options, ContextPoolSize);
        }
    }

    public DatabaseProvider Provider { get; }

    /// <summary>A new context for one unit of work; the caller disposes it.</summary>
    public DocFlowDbContext CreateDbContext() => Provider == DatabaseProvider.Postgres
        ? new PostgresDocFlowDbContext((DbContextOptions<PostgresDocFlowDbContext>)_postgres!)
        : new SqliteDocFlowDbContext((DbContextOptions<SqliteDocFlowDbContext>)_sqlite!);

    /// <summary>A context from the pool, reset: EF Core clears its own state (tracking, transactions, connection) when a
    /// context is returned; the tenant filter is ours, so it is cleared here, and every unit of work sets its own.</summary>
    internal DocFlowDbContext RentDbContext()
    {
        DocFlowDbContext db = Provider == DatabaseProvider.Postgres ? _postgresPool!.CreateDbContext() : _sqlitePool!.CreateDbContext();
        db.TenantFilter = null;
        return db;
    }

    /// <summary>Applies pending migrations (<c>docflow db migrate</c>); returns the names of those applied.</summary>
    /// <remarks>EF Core takes a database lock while migrating, so several hosts starting at once are safe.</remarks>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = CreateDbContext();
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
            // Nothing to apply: done, without Migrate's check of the model against the snapshot (about 150 ms of a cold start).
            if (pending.Count == 0) return pending;
            await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            if (Provider == DatabaseProvider.Sqlite)
            {
                // Readers never wait for the writer; persistent in the file once set.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
            }
            return pending;
        }
        catch (Exception e) when (StoreErrors.IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    /// <summary>One unit of work on a pooled context; an unreachable database becomes <see cref="StoreUnavailableException"/>
    /// (and its pooled connections are dropped).</summary>
    internal async Task<T> RunAsync<T>(Func<DocFlowDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await using var db = RentDbContext();
            return await work(db).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreErrors.IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    /// <summary>Drops pooled connections; called when the server went away so none of them is reused.</summary>
    internal void ResetConnections()
    {
        if (_dataSource is not null) _dataSource.Clear();
        else SqliteConnection.ClearAllPools();
    }

    private StoreUnavailableException Unavailable(Exception e)
    {
        ResetConnections();
        return new StoreUnavailableException($"The {(Provider == DatabaseProvider.Postgres ? "PostgreSQL" : "SQLite")} job store cannot be reached: {e.Message}", e);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null) await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// Lets SQLite itself wait for the write lock (<c>sqlite3_busy_timeout</c>, on every connection as it opens). Without it
/// Microsoft.Data.Sqlite answers SQLITE_BUSY by sleeping 150 ms and trying again, so two writers that meet (an upload and
/// the audit writer, two uploads) cost the second one 150 ms; SQLite's own handler retries within a millisecond or
/// two. Same limit as the command timeout. Set through the C API on the connection's handle: a <c>PRAGMA busy_timeout</c>
/// command did the same, but was parsed, prepared and stepped on every open of a pooled connection, about 11 µs of a
/// 0.4 ms job-record read (perf, session 16).
/// </summary>
internal sealed class SqliteBusyTimeout(int timeoutSeconds) : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    private readonly int _milliseconds = Math.Max(1, timeoutSeconds) * 1000;

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData) =>
        Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(System.Data.Common.DbConnection connection)
    {
        var handle = ((SqliteConnection)connection).Handle;
        var rc = SQLitePCL.raw.sqlite3_busy_timeout(handle, _milliseconds);
        if (rc != SQLitePCL.raw.SQLITE_OK) throw new SqliteException($"sqlite3_busy_timeout failed ({rc}).", rc);
    }
}
