using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using DocFlow.IntegrationTests.Support;
using DocFlow.Queueing;
using DocFlow.Redis;
using DocFlow.Security;
using DocFlow.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace DocFlow.IntegrationTests.Security;

/// <summary>
/// Issue 11's "done when" for erasure: after DELETE, no byte of the document is anywhere: not its id, its batch's id or its
/// content hash in any table (but the audit entries, which keep ids and hashes and nothing else), not a key or object of
/// the blob store, not a Redis key, stream entry, hash field or set member (its dead letter and a delayed retry put there
/// first in the queue's own format); and not its content (a unique marker in its text and file name) anywhere at all.
/// On the distributed platform (PostgreSQL + Redis + S3) and embedded (SQLite + file system, raw bytes of every file).
/// Then legal holds (409) and a document a worker has (409 with Retry-After).
/// </summary>
public sealed class ErasureTests(RedisServerFixture redis, PostgresServerFixture postgres, S3ServerFixture s3)
    : IClassFixture<RedisServerFixture>, IClassFixture<PostgresServerFixture>, IClassFixture<S3ServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    /// <summary>A one-page PDF whose text layer (uncompressed) carries <paramref name="marker"/>: it reaches the original,
    /// the result's text and entities, and (through the file name too) the batch report's files.</summary>
    internal static byte[] UniquePdf(string marker) =>
        UncompressedPdf.WithLines($"Invoice {marker}", $"Customer reference {marker}", "Date 2026-12-06", "Total 12.50 EUR");

    /// <summary>What identifies the document: ids and hash (allowed in the audit log only) and content (nowhere).</summary>
    private sealed record Traces(string JobId, string BatchId, string Sha256, string Marker, string FileName)
    {
        public string[] Ids => [JobId, BatchId, Sha256];
        public string[] Content => [Marker, FileName];
        public string[] All => [.. Ids, .. Content];
    }

    private static async Task<(Traces Traces, byte[] Content)> UploadAndWaitAsync(ServerHarness server)
    {
        var marker = "ZQ" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        var fileName = $"erase-{marker}.pdf";
        var content = UniquePdf(marker);
        using var upload = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", (fileName, content)));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var jobId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var doc = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{jobId}");
        var batchId = doc.GetProperty("batchId").GetString()!;
        await server.WaitForBatchAsync(batchId, Patience);
        await server.WaitForReportAsync(batchId, Patience);
        // Content reads: the result, and a page image (rendered through temporary files).
        Assert.Contains(marker, await server.Client.GetStringAsync($"api/v1/documents/{jobId}/text"), StringComparison.Ordinal);
        using (var image = await server.Client.GetAsync($"api/v1/documents/{jobId}/pages/1/image")) Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        return (new Traces(jobId, batchId, sha, marker, fileName), content);
    }

    /// <summary>DELETE, then the document's routes answer 404, and the one erasure entry of the audit log names its ids and
    /// hash (nothing else).</summary>
    private static async Task EraseAndCheckAuditAsync(ServerHarness server, Traces t)
    {
        using var erase = await server.Client.DeleteAsync($"api/v1/documents/{t.JobId}");
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        foreach (var path in new[] { $"api/v1/documents/{t.JobId}", $"api/v1/documents/{t.JobId}/result", $"api/v1/documents/{t.JobId}/original",
                     $"api/v1/documents/{t.JobId}/pages/1/image", $"api/v1/batches/{t.BatchId}", $"api/v1/batches/{t.BatchId}/report.pdf" })
        {
            using var gone = await server.Client.GetAsync(path);
            Assert.True(gone.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)gone.StatusCode}");
        }
        using var again = await server.Client.DeleteAsync($"api/v1/documents/{t.JobId}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        var log = server.Services.GetRequiredService<IAuditLog>();
        var entries = await log.QueryAsync(new AuditQuery(null, null, "DELETE /api/v1/documents/{id}", null, null, 10), CancellationToken.None);
        var entry = Assert.Single(entries, e => e.Outcome == 204);
        Assert.Equal($"id={t.JobId} batch={t.BatchId} documents={t.JobId} sha256={t.Sha256}", entry.Target);
        Assert.True((await log.VerifyAsync(CancellationToken.None)).Intact);
    }

    [Fact]
    public async Task Distributed_ErasureLeavesNoByteOfTheDocument_InPostgres_S3_OrRedis()
    {
        var database = await postgres.CreateDatabaseAsync("erasure");
        var prefix = RedisServerFixture.NewPrefix("erasure");
        var blobPrefix = "erasure-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "1", ["Redis"] = redis.Endpoint, ["Queue:Redis:KeyPrefix"] = prefix,
            ["Database:ConnectionString"] = database, ["Database:MigrateOnStartup"] = "true",
            ["Storage"] = $"s3://{S3ServerFixture.Bucket}/{blobPrefix}",
            ["S3ServiceUrl"] = s3.ServiceUrl, ["S3AccessKey"] = "S3RVER", ["S3SecretKey"] = "S3RVER", ["S3Region"] = "us-east-1",
        });
        var (t, _) = await UploadAndWaitAsync(server);
        // What a queue keeps of a job after trouble: a dead letter and a retry waiting in the delayed set, in its own format.
        await BuryAndDelayAsync(prefix, t);
        var dead = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/dead-letters");
        Assert.Contains(dead.EnumerateArray(), d => d.GetProperty("jobId").GetString() == t.JobId);

        // Before: every search finds it, so the searches below can fail.
        Assert.Contains(t.Marker, await DumpPostgresAsync(database, withAudit: false));
        Assert.Contains(t.JobId, await DumpPostgresAsync(database, withAudit: false));
        var bucket = await DumpBucketAsync();
        Assert.Contains(t.Sha256, bucket);
        Assert.Contains(t.Marker, bucket);
        Assert.Contains(t.FileName, bucket); // results.csv and results.json of the batch report
        var queue = await DumpRedisAsync(prefix);
        Assert.Contains(t.JobId, queue);
        Assert.Contains(t.FileName, queue);

        await EraseAndCheckAuditAsync(server, t);

        var rows = await DumpPostgresAsync(database, withAudit: false);
        var audit = await DumpPostgresAsync(database, withAudit: true);
        bucket = await DumpBucketAsync();
        queue = await DumpRedisAsync(prefix);
        var found = new List<string>();
        foreach (var needle in t.All)
        {
            if (rows.Contains(needle, StringComparison.Ordinal)) found.Add($"database: {needle}");
            if (bucket.Contains(needle, StringComparison.Ordinal)) found.Add($"blob store: {needle}");
            if (queue.Contains(needle, StringComparison.Ordinal)) found.Add($"redis: {needle}");
        }
        foreach (var needle in t.Content)
            if (audit.Contains(needle, StringComparison.Ordinal)) found.Add($"audit log: {needle}");
        Assert.True(found.Count == 0, string.Join("\n", found));
        Assert.Equal(0, (await server.Client.GetFromJsonAsync<JsonElement>("api/v1/dead-letters")).GetArrayLength());

        // No dedup entry is left: the same bytes again are processed afresh (attempts ≥ 1; an answer from an earlier
        // result has none) and stored again.
        await ReuploadIsProcessedAfreshAsync(server, t);
    }

    [Fact]
    public async Task Embedded_ErasureLeavesNoByteOfTheDocument_InSqlite_OrTheBlobFolder_NotEvenInFreePages()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "1" });
        var (t, _) = await UploadAndWaitAsync(server);
        var db = Path.Combine(server.DataDirectory, "docflow.db");
        Assert.Contains(t.Marker, DumpSqlite(db, withAudit: false));
        Assert.Contains(t.Sha256, DumpSqlite(db, withAudit: false));
        Assert.Contains(t.Sha256, string.Join('\n', Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories)));
        // The raw search below can fail: before the erasure the marker is in the database's own bytes (file or log).
        var marker = Encoding.UTF8.GetBytes(t.Marker);
        var inDatabase = false;
        foreach (var file in Directory.EnumerateFiles(server.DataDirectory, "docflow.db*"))
            inDatabase |= (await ReadSharedAsync(file)).AsSpan().IndexOf(marker) >= 0;
        Assert.True(inDatabase);

        await EraseAndCheckAuditAsync(server, t);

        var rows = DumpSqlite(db, withAudit: false);
        var audit = DumpSqlite(db, withAudit: true);
        var paths = string.Join('\n', Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories));
        var found = new List<string>();
        foreach (var needle in t.All)
        {
            if (rows.Contains(needle, StringComparison.Ordinal)) found.Add($"database: {needle}");
            if (paths.Contains(needle, StringComparison.Ordinal)) found.Add($"file name: {needle}");
        }
        foreach (var needle in t.Content)
            if (audit.Contains(needle, StringComparison.Ordinal)) found.Add($"audit log: {needle}");
        // The raw bytes of every file (the database, its -wal, the blobs): the content is not in a free page or an old log frame.
        foreach (var file in Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories))
        {
            var bytes = await ReadSharedAsync(file);
            foreach (var needle in t.Content)
                if (bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0) found.Add($"{Path.GetRelativePath(server.DataDirectory, file)} (raw): {needle}");
        }
        Assert.True(found.Count == 0, string.Join("\n", found));

        await ReuploadIsProcessedAfreshAsync(server, t);
    }

    [Fact]
    public async Task HeldDocumentOrBatch_IsRefused409_UntilTheHoldIsLifted_AndAQueuedOneLeavesTheQueue()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        using var upload = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("held.pdf", UniquePdf("HELD"))));
        var jobId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var batchId = (await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{jobId}")).GetProperty("batchId").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PutAsync($"api/v1/documents/{jobId}/hold", null)).StatusCode);
        Assert.True((await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{jobId}")).GetProperty("legalHold").GetBoolean());
        foreach (var path in new[] { $"api/v1/documents/{jobId}", $"api/v1/batches/{batchId}" })
        {
            using var refused = await server.Client.DeleteAsync(path);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal("legal_hold", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync($"api/v1/documents/{jobId}/hold")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PutAsync($"api/v1/batches/{batchId}/hold", null)).StatusCode);
        Assert.True((await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}")).GetProperty("legalHold").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, (await server.Client.DeleteAsync($"api/v1/documents/{jobId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync($"api/v1/batches/{batchId}/hold")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.PutAsync("api/v1/documents/no-such-id/hold", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.DeleteAsync("api/v1/batches/no-such-id")).StatusCode);
        var log = server.Services.GetRequiredService<IAuditLog>();
        // Placing, lifting and the refused hold on an unknown id: each audited.
        Assert.Equal(3, (await log.QueryAsync(new AuditQuery(null, null, "PUT /api/v1/documents/{id}/hold", null, null, 10), CancellationToken.None))
            .Count + (await log.QueryAsync(new AuditQuery(null, null, "DELETE /api/v1/documents/{id}/hold", null, null, 10), CancellationToken.None)).Count);

        // Queued (no worker): the ticket leaves the queue with the document.
        Assert.Equal("queued", (await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{jobId}")).GetProperty("status").GetString());
        Assert.Equal(1, (await server.Services.GetRequiredService<IJobQueue>().GetStatisticsAsync(CancellationToken.None)).TotalDepth);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync($"api/v1/batches/{batchId}")).StatusCode);
        Assert.Equal(0, (await server.Services.GetRequiredService<IJobQueue>().GetStatisticsAsync(CancellationToken.None)).TotalDepth);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"api/v1/documents/{jobId}")).StatusCode);
    }

    [Fact]
    public async Task DocumentAWorkerHas_Answers409WithRetryAfter_AndIsErasedOnceItEnded()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        using var upload = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("busy.pdf", UniquePdf("BUSY"))));
        var jobId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var store = server.Services.GetRequiredService<IJobIntakeStore>();
        Assert.True(await store.TryTransitionAsync(jobId, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None));

        using var busy = await server.Client.DeleteAsync($"api/v1/documents/{jobId}");
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), busy.Headers.RetryAfter?.Delta);
        Assert.Equal("processing", (await busy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        Assert.True(await store.TryTransitionAsync(jobId, JobStatus.Processing, JobStatus.Failed, new StatusDetails("x", "y"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync($"api/v1/documents/{jobId}")).StatusCode);
    }

    [Fact]
    public async Task ErasingOneDocumentOfABatch_ShrinksTheBatch_AndItsReportIsMadeAgainWithoutIt()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "1" });
        var (goneMarker, keptMarker) = ("ZQGONE" + Guid.NewGuid().ToString("N")[..8], "ZQKEPT" + Guid.NewGuid().ToString("N")[..8]);
        using var upload = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files",
            ($"{goneMarker}.pdf", UniquePdf(goneMarker)), ($"{keptMarker}.pdf", UniquePdf(keptMarker))));
        var accepted = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = accepted.GetProperty("batchId").GetString()!;
        var gone = accepted.GetProperty("documents")[0].GetProperty("id").GetString()!;
        await server.WaitForBatchAsync(batchId, Patience);
        await server.WaitForReportAsync(batchId, Patience);
        Assert.Contains(goneMarker, await server.Client.GetStringAsync($"api/v1/batches/{batchId}/results.csv"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync($"api/v1/documents/{gone}")).StatusCode);

        var batch = await server.WaitForBatchAsync(batchId, Patience);
        Assert.Equal((1, 1), (batch.GetProperty("total").GetInt32(), batch.GetProperty("succeeded").GetInt32()));
        Assert.Equal(1, batch.GetProperty("aggregate").GetProperty("documents").GetInt32());
        var csv = await server.Client.GetStringAsync($"api/v1/batches/{batchId}/results.csv");
        Assert.DoesNotContain(goneMarker, csv, StringComparison.Ordinal);
        Assert.Contains(keptMarker, csv, StringComparison.Ordinal);
        var pdf = await server.WaitForReportAsync(batchId, Patience); // made again: the old one (which showed it) is gone
        Assert.StartsWith("%PDF", Encoding.ASCII.GetString(pdf, 0, 4));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "blobs"), "*", SearchOption.AllDirectories))
            Assert.True((await ReadSharedAsync(file)).AsSpan().IndexOf(Encoding.UTF8.GetBytes(goneMarker)) < 0, file);
    }

    private static async Task ReuploadIsProcessedAfreshAsync(ServerHarness server, Traces t)
    {
        using var upload = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("again.pdf", UniquePdf(t.Marker))));
        var again = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var batch = (await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{again}")).GetProperty("batchId").GetString()!;
        await server.WaitForBatchAsync(batch, Patience);
        var doc = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{again}");
        Assert.Equal("succeeded", doc.GetProperty("status").GetString());
        Assert.True(doc.GetProperty("attempts").GetInt32() >= 1, $"answered from an earlier result: {doc}");
        using var original = await server.Client.GetAsync($"api/v1/documents/{again}/original");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
    }

    // ---- the searches ------------------------------------------------------------------------------------------

    /// <summary>Every row of every table as text (<c>SELECT t::text</c>): audit_log alone, or everything but it.</summary>
    private static async Task<string> DumpPostgresAsync(string connectionString, bool withAudit)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        Assert.Contains("jobs", tables);
        var dump = new StringBuilder();
        foreach (var table in tables.Where(t => (t == "audit_log") == withAudit))
        {
            await using var select = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" AS t", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync()) dump.Append(table).Append(": ").AppendLine(reader.GetString(0));
        }
        return dump.ToString();
    }

    /// <summary>Every value of every row of every table, as text: audit_log alone, or everything but it.</summary>
    private static string DumpSqlite(string file, bool withAudit)
    {
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        Assert.Contains("jobs", tables);
        var dump = new StringBuilder();
        foreach (var table in tables.Where(t => (t == "audit_log") == withAudit))
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                dump.Append(table).Append(':');
                for (var i = 0; i < reader.FieldCount; i++)
                    dump.Append(' ').Append(reader.IsDBNull(i) ? "" : reader.GetValue(i) is byte[] b ? Encoding.UTF8.GetString(b) : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
                dump.AppendLine();
            }
        }
        return dump.ToString();
    }

    /// <summary>Every object of the bucket: its key and its body.</summary>
    private async Task<string> DumpBucketAsync()
    {
        using var client = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config
        {
            ServiceURL = s3.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED, ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
        var dump = new StringBuilder();
        var request = new ListObjectsV2Request { BucketName = S3ServerFixture.Bucket };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            foreach (var o in page.S3Objects ?? [])
            {
                using var body = await client.GetObjectAsync(S3ServerFixture.Bucket, o.Key);
                using var buffer = new MemoryStream();
                await body.ResponseStream.CopyToAsync(buffer);
                dump.Append(o.Key).Append(": ").AppendLine(Encoding.Latin1.GetString(buffer.ToArray()));
            }
            request.ContinuationToken = page.NextContinuationToken;
        } while (page.IsTruncated == true);
        return dump.ToString();
    }

    /// <summary>Every key under the queue's prefix with its value, read by its type (SCAN, then GET, HGETALL, XRANGE,
    /// ZRANGE, LRANGE, SMEMBERS).</summary>
    private async Task<string> DumpRedisAsync(string prefix)
    {
        var connection = redis.Connection;
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var db = connection.GetDatabase();
        var dump = new StringBuilder();
        await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 500))
        {
            dump.Append((string)key!).Append(": ");
            switch (await db.KeyTypeAsync(key))
            {
                case RedisType.String: dump.Append((string?)await db.StringGetAsync(key)); break;
                case RedisType.Hash: foreach (var e in await db.HashGetAllAsync(key)) dump.Append(e.Name).Append('=').Append(e.Value).Append(' '); break;
                case RedisType.Stream:
                    foreach (var e in await db.StreamRangeAsync(key))
                        foreach (var v in e.Values) dump.Append(v.Name).Append('=').Append(v.Value).Append(' ');
                    break;
                case RedisType.SortedSet: foreach (var m in await db.SortedSetRangeByRankAsync(key)) dump.Append(m).Append(' '); break;
                case RedisType.List: foreach (var m in await db.ListRangeAsync(key)) dump.Append(m).Append(' '); break;
                case RedisType.Set: foreach (var m in await db.SetMembersAsync(key)) dump.Append(m).Append(' '); break;
            }
            dump.AppendLine();
        }
        return dump.ToString();
    }

    /// <summary>A dead letter of the job (as the queue's bury script writes it: the ticket's fields, reason, time, stream,
    /// and the index entry) and a retry of it in the delayed set (the member the retry script writes).</summary>
    private async Task BuryAndDelayAsync(string prefix, Traces t)
    {
        var db = redis.Connection.GetDatabase();
        var stream = $"{prefix}:q:normal:pdf";
        var ticket = new JobTicket(t.JobId, JobRoute.Pdf, JobPriority.Normal, t.Sha256, 3) { BatchId = t.BatchId, FileName = t.FileName, EnqueuedAt = DateTimeOffset.UtcNow };
        NameValueEntry[] fields =
        [
            .. TicketFields.ToEntry(ticket, 3), new(TicketFields.Reason, $"failed 3 times: {t.FileName}"),
            new(TicketFields.DeadAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), new(TicketFields.Stream, stream),
        ];
        var id = await db.StreamAddAsync($"{prefix}:dead", fields);
        await db.HashSetAsync($"{prefix}:dead:index", t.JobId, id);
        var member = JsonSerializer.Serialize(new DelayedMember(stream, TicketFields.Flatten(TicketFields.ToEntry(ticket with { Attempt = 4 }, 4)), "0-1"),
            RedisJson.Default.DelayedMember);
        await db.SortedSetAddAsync($"{prefix}:delayed", member, DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds());
    }

    private static async Task<byte[]> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
