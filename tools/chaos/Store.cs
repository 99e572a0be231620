using Npgsql;

namespace DocFlow.Chaos;

/// <summary>
/// What the run reads from the product's PostgreSQL store (its own database, read with SQL from outside), and the
/// result-write counter: a trigger on job_results that logs every INSERT and UPDATE with the job's status at that moment,
/// so a result stored twice (two deliveries that both got as far as the store) is seen even though the upsert leaves one row.
/// </summary>
internal sealed class Store(string connectionString)
{
    public sealed record Job(string Id, string FileName, string Status, string? ErrorCode, string? ErrorMessage, int Attempts);

    public sealed record Counts(int Total, int Final);

    public async Task InstallWriteCounterAsync(CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS chaos_result_writes (
                id bigserial PRIMARY KEY, job_id text NOT NULL, op text NOT NULL, job_status text, with_final_move boolean,
                at timestamptz NOT NULL DEFAULT clock_timestamp());
            CREATE OR REPLACE FUNCTION chaos_count_result_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- with_final_move: the write of the final move itself (TrySucceedAsync stamps finished_at and saved_at alike).
                INSERT INTO chaos_result_writes (job_id, op, job_status, with_final_move)
                SELECT NEW.job_id, TG_OP, j.status, j.finished_at IS NOT DISTINCT FROM NEW.saved_at FROM jobs j WHERE j.id = NEW.job_id;
                RETURN NEW;
            END $$;
            DROP TRIGGER IF EXISTS chaos_result_writes ON job_results;
            CREATE TRIGGER chaos_result_writes AFTER INSERT OR UPDATE ON job_results FOR EACH ROW EXECUTE FUNCTION chaos_count_result_write();
            """, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Jobs recorded and jobs final (succeeded or failed), or null while the database is down.</summary>
    public async Task<Counts?> TryCountAsync(CancellationToken ct)
    {
        try
        {
            await using var conn = await OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT count(*), count(*) FILTER (WHERE status IN ('succeeded', 'failed')) FROM jobs", conn);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            return new Counts((int)r.GetInt64(0), (int)r.GetInt64(1));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public async Task<List<Job>> JobsAsync(CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT id, file_name, status, error_code, error_message, attempts FROM jobs", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var jobs = new List<Job>();
        while (await r.ReadAsync(ct))
            jobs.Add(new Job(r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetInt32(5)));
        return jobs;
    }

    /// <summary>Per job: how often its history records a final status (succeeded or failed).</summary>
    public Task<Dictionary<string, int>> FinalChangesAsync(CancellationToken ct) => PerJobAsync(
        "SELECT job_id, count(*) FROM job_status_changes WHERE status IN ('succeeded', 'failed') GROUP BY job_id", ct);

    /// <summary>Per job: how often a result was written (inserted or updated).</summary>
    public Task<Dictionary<string, int>> ResultWritesAsync(CancellationToken ct) => PerJobAsync(
        "SELECT job_id, count(*) FROM chaos_result_writes GROUP BY job_id", ct);

    /// <summary>Per job: result writes made after the job was final, other than the final move's own (a late delivery
    /// overwriting a final result). The final move stores the result with the job's finished_at as its saved_at.</summary>
    public Task<Dictionary<string, int>> WritesAfterFinalAsync(CancellationToken ct) => PerJobAsync(
        "SELECT job_id, count(*) FROM chaos_result_writes WHERE job_status IN ('succeeded', 'failed') AND NOT with_final_move GROUP BY job_id", ct);

    public async Task<HashSet<string>> JobsWithResultAsync(CancellationToken ct) =>
        [.. (await PerJobAsync("SELECT job_id, 1 FROM job_results", ct)).Keys];

    public async Task<(int Batches, int Reports)> BatchReportsAsync(CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM batch_reports)", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return ((int)r.GetInt64(0), (int)r.GetInt64(1));
    }

    /// <summary>Batches without a report (made or failed), or null while the database is down.</summary>
    public async Task<int?> TryReportsMissingAsync(CancellationToken ct)
    {
        try
        {
            var (batches, reports) = await BatchReportsAsync(ct);
            return batches - reports;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<Dictionary<string, int>> PerJobAsync(string sql, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await r.ReadAsync(ct)) counts[r.GetString(0)] = Convert.ToInt32(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        return counts;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return conn;
    }
}
