using DocFlow.Data.Entities;
using DocFlow.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DocFlow.Data;

/// <summary><see cref="IAuditLog"/> on EF Core: table audit_log. An append reads the last entry and inserts the next
/// inside one transaction that holds the database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped
/// advisory lock), so two appends never chain onto the same entry; the sequence is the primary key besides.</summary>
public sealed class EfAuditLog(DocFlowDatabase database) : IAuditLog
{
    /// <summary>The advisory lock key of audit appends on PostgreSQL ("DFAUDIT1" as a number).</summary>
    private const long AdvisoryLockKey = 0x4446_4155_4449_5431;

    private const int VerifyPage = 1000;

    public async Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return (await AppendManyAsync([auditEvent], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>The events chained in order in one transaction: one write lock, one read of the last entry, one commit
    /// for the lot (what the server's buffered writer uses).</summary>
    public Task<IReadOnlyList<AuditEntry>> AppendManyAsync(IReadOnlyList<AuditEvent> auditEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvents);
        if (auditEvents.Count == 0) return Task.FromResult<IReadOnlyList<AuditEntry>>([]);
        return database.RunAsync(async db =>
        {
            // SQLite: BeginTransaction is BEGIN IMMEDIATE (the write lock, taken before the read of the last entry).
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (database.Provider == DatabaseProvider.Postgres)
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken).ConfigureAwait(false);
            var last = await db.Set<AuditEntryEntity>().AsNoTracking().OrderByDescending(e => e.Sequence)
                .Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            var sequence = last?.Sequence ?? 0;
            var previous = last?.Hash ?? AuditChain.Genesis;
            var rows = new List<AuditEntryEntity>(auditEvents.Count);
            foreach (var auditEvent in auditEvents)
            {
                sequence++;
                var at = AuditChain.Truncate(auditEvent.At);
                var hash = AuditChain.Hash(sequence, at, auditEvent.Principal, auditEvent.Role, auditEvent.Action, auditEvent.Target,
                    auditEvent.Outcome, auditEvent.ClientAddress, auditEvent.RequestId, previous, auditEvent.Tenant);
                rows.Add(new AuditEntryEntity
                {
                    Sequence = sequence, At = at, Principal = auditEvent.Principal, Role = auditEvent.Role, Action = auditEvent.Action,
                    Target = auditEvent.Target, Outcome = auditEvent.Outcome, ClientAddress = auditEvent.ClientAddress,
                    RequestId = auditEvent.RequestId, PreviousHash = previous, Hash = hash, Tenant = auditEvent.Tenant,
                });
                previous = hash;
            }
            await InsertAsync(db, transaction.GetDbTransaction(), rows, RowsPerStatementOf(database.Provider), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<AuditEntry>)[.. rows.Select(ToEntry)];
        }, cancellationToken);
    }

    /// <summary>Rows per INSERT statement: on PostgreSQL 64 (64 × 12 = 768 parameters, one round trip for many rows); on
    /// SQLite one, the statement prepared once per batch and run for each row. SQLite finds a named parameter by walking
    /// the statement's list of names (sqlite3_bind_parameter_index is linear, and Microsoft.Data.Sqlite binds every
    /// parameter by name on every execution), so a statement of n rows costs O(n²) to bind: 64 rows cost 22–28 µs of CPU
    /// per row, one row 4.2 µs (docs/benchmarks.md, "Authentication and audit cost", session 9). An audited read pays it.</summary>
    internal static int RowsPerStatementOf(DatabaseProvider provider) => provider == DatabaseProvider.Sqlite ? 1 : 64;

    private static readonly string[] Columns = ["sequence", "at", "principal", "role", "action", "target", "outcome", "client_address", "request_id", "previous_hash", "hash", "tenant"];

    /// <summary>The rows through parameterised INSERTs of <paramref name="perStatement"/> rows each (<see cref="RowsPerStatementOf"/>),
    /// the statement prepared once per batch and reused: a batch of hundreds costs a fraction of EF's change tracking,
    /// which matters because a busy server appends all the time: one entry per content read (docs/benchmarks.md,
    /// "Authentication and audit cost").</summary>
    private static async Task InsertAsync(DocFlowDbContext db, System.Data.Common.DbTransaction transaction, List<AuditEntryEntity> rows, int perStatement,
        CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        System.Data.Common.DbCommand? full = null;
        try
        {
            var at = 0;
            for (; rows.Count - at >= perStatement; at += perStatement)
            {
                full ??= Command(connection, transaction, perStatement);
                Bind(db, full, rows, at, perStatement);
                await full.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            if (at < rows.Count)
            {
                await using var tail = Command(connection, transaction, rows.Count - at);
                Bind(db, tail, rows, at, rows.Count - at);
                await tail.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            if (full is not null) await full.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static System.Data.Common.DbCommand Command(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, int count)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new System.Text.StringBuilder("INSERT INTO audit_log (").AppendJoin(", ", Columns).Append(") VALUES ");
        for (var r = 0; r < count; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < Columns.Length; c++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{r}_{c}";
                command.Parameters.Add(parameter);
                sql.Append(c == 0 ? "" : ", ").Append(parameter.ParameterName);
            }
            sql.Append(')');
        }
        command.CommandText = sql.ToString();
        return command;
    }

    private static void Bind(DocFlowDbContext db, System.Data.Common.DbCommand command, List<AuditEntryEntity> rows, int from, int count)
    {
        var parameters = command.Parameters;
        for (var r = 0; r < count; r++)
        {
            var row = rows[from + r];
            var i = r * Columns.Length;
            parameters[i].Value = row.Sequence;
            parameters[i + 1].Value = db.ToDbTime(row.At);
            parameters[i + 2].Value = row.Principal;
            parameters[i + 3].Value = (object?)row.Role ?? DBNull.Value;
            parameters[i + 4].Value = row.Action;
            parameters[i + 5].Value = (object?)row.Target ?? DBNull.Value;
            parameters[i + 6].Value = row.Outcome;
            parameters[i + 7].Value = (object?)row.ClientAddress ?? DBNull.Value;
            parameters[i + 8].Value = (object?)row.RequestId ?? DBNull.Value;
            parameters[i + 9].Value = row.PreviousHash;
            parameters[i + 10].Value = row.Hash;
            parameters[i + 11].Value = row.Tenant;
        }
    }

    public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return database.RunAsync(async db =>
        {
            var rows = db.Set<AuditEntryEntity>().AsNoTracking();
            if (query.From is { } from) rows = rows.Where(e => e.At >= from.ToUniversalTime());
            if (query.To is { } to) rows = rows.Where(e => e.At < to.ToUniversalTime());
            if (!string.IsNullOrEmpty(query.Action)) rows = rows.Where(e => e.Action == query.Action);
            if (!string.IsNullOrEmpty(query.Principal)) rows = rows.Where(e => e.Principal == query.Principal);
            if (query.Tenant is { } tenant) rows = rows.Where(e => e.Tenant == tenant);
            if (query.Before is { } before) rows = rows.Where(e => e.Sequence < before);
            var page = await rows.OrderByDescending(e => e.Sequence).Take(Math.Clamp(query.Limit, 1, 1000))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<AuditEntry>)[.. page.Select(ToEntry)];
        }, cancellationToken);
    }

    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        AuditEntry? previous = null;
        long count = 0;
        while (true)
        {
            var after = previous?.Sequence ?? long.MinValue;
            var page = await db.Set<AuditEntryEntity>().AsNoTracking().Where(e => e.Sequence > after).OrderBy(e => e.Sequence)
                .Take(VerifyPage).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var row in page)
            {
                var entry = ToEntry(row);
                if (AuditChain.Check(previous, entry) is { } reason) return new AuditVerification(count, entry.Sequence, reason);
                previous = entry;
                count++;
            }
            if (page.Count < VerifyPage) return new AuditVerification(count, null, null);
        }
    }, cancellationToken);

    private static AuditEntry ToEntry(AuditEntryEntity e) =>
        new(e.Sequence, e.At, e.Principal, e.Role, e.Action, e.Target, e.Outcome, e.ClientAddress, e.RequestId, e.PreviousHash, e.Hash) { Tenant = e.Tenant };
}
