using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security.Encryption;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DocFlow.IntegrationTests.Security;

/// <summary>
/// Encryption at rest end to end on `docflow serve` (SQLite, blob folder): what lands on disk and in the database is
/// sealed, the API reads it back, a missing or wrong key fails with a clear error, and `docflow keys rotate` moves
/// everything to a new key so the old one can be removed.
/// </summary>
public sealed class EncryptionAtRestTests : IDisposable
{
    private const string Marker = "MARKER7F3A";
    private static readonly string K1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string K2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _data = Repo.NewTempDirectory("sealed");

    private Dictionary<string, string?> Settings(params (string Id, string Key)[] keys)
    {
        var settings = new Dictionary<string, string?> { ["DataDirectory"] = _data };
        foreach (var (id, key) in keys) settings[$"Encryption:Keys:{id}"] = key;
        return settings;
    }

    private static byte[] MarkedPdf() => UncompressedPdf.WithText($"Invoice {Marker} ACME total 12.00");

    /// <summary>Uploads one marked PDF as a batch, waits for it and its report; the document's id.</summary>
    private static async Task<(string BatchId, string DocumentId)> UploadAsync(ServerHarness server, byte[] pdf)
    {
        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("invoice.pdf", pdf)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = accepted.GetProperty("batchId").GetString()!;
        var documentId = accepted.GetProperty("documents")[0].GetProperty("id").GetString()!;
        await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));
        await server.WaitForReportAsync(batchId, TimeSpan.FromMinutes(10));
        return (batchId, documentId);
    }

    private IEnumerable<string> BlobFiles() => Directory.EnumerateFiles(Path.Combine(_data, "blobs"), "*", SearchOption.AllDirectories)
        .Where(f => !Path.GetRelativePath(Path.Combine(_data, "blobs"), f).StartsWith("tmp", StringComparison.Ordinal));

    private List<string> StoredRows(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "docflow.db")};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add(reader.GetString(0));
        return rows;
    }

    [Fact]
    public async Task AnUploadedDocument_IsNotPlaintextOnDiskOrInTheDatabase_AndTheApiReadsItBack()
    {
        var pdf = MarkedPdf();
        Assert.True(pdf.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Marker)) >= 0, "the test PDF must hold the marker in plaintext");
        string documentId;
        await using (var server = await ServerHarness.StartAsync(Settings(("k1", K1))))
        {
            (_, documentId) = await UploadAsync(server, pdf);

            Assert.Contains(Marker, await server.Client.GetStringAsync($"api/v1/documents/{documentId}/text"));
            Assert.Contains(Marker, await server.Client.GetStringAsync($"api/v1/documents/{documentId}/result"));
            Assert.Equal(pdf, await server.Client.GetByteArrayAsync($"api/v1/documents/{documentId}/original"));
        }

        // Every blob (the original, report.pdf, results.csv, results.json) is an envelope without the marker.
        var files = BlobFiles().ToList();
        Assert.True(files.Count >= 4, $"expected the original and the report's files, found {files.Count}");
        foreach (var file in files)
        {
            var raw = await File.ReadAllBytesAsync(file);
            Assert.True(Envelope.HasMagic(raw), $"{file} is not sealed");
            Assert.Equal(-1, raw.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Marker)));
        }
        // The result row is a sealed JSON string; and nowhere in the database file is the marker.
        var result = Assert.Single(StoredRows("SELECT document FROM job_results"));
        Assert.StartsWith(AtRestEncryption.RecordPrefix, result);
        Assert.DoesNotContain(Marker, result);
        foreach (var file in Directory.EnumerateFiles(_data, "docflow.db*"))
            Assert.Equal(-1, (await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(Encoding.ASCII.GetBytes(Marker)));
    }

    [Fact]
    public async Task AMissingOrWrongKey_FailsWithAClearError_NeverWithCiphertext()
    {
        string documentId;
        await using (var server = await ServerHarness.StartAsync(Settings(("k1", K1))))
            (_, documentId) = await UploadAsync(server, MarkedPdf());

        await using (var keyless = await ServerHarness.StartAsync(Settings()))
        {
            foreach (var path in new[] { "result", "original" })
            {
                var response = await keyless.Client.GetAsync($"api/v1/documents/{documentId}/{path}");
                Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("Encrypted content cannot be opened", problem.GetProperty("title").GetString());
                var detail = problem.GetProperty("detail").GetString()!;
                Assert.Contains("'k1'", detail);
                Assert.Contains("no encryption key is configured", detail);
            }
        }
        await using (var wrong = await ServerHarness.StartAsync(Settings(("k1", K2))))
        {
            var response = await wrong.Client.GetAsync($"api/v1/documents/{documentId}/original");
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Contains("does not unwrap with encryption key 'k1'", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        // Bad key material stops the server at start, naming the setting.
        var bad = Settings(("k1", "c2hvcnQ="));
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => ServerHarness.StartAsync(bad));
        Assert.Contains("Encryption:Keys:k1", e.Message);
    }

    [Fact]
    public async Task Rotate_RewrapsBlobsAndRecords_ThenTheOldKeyCanBeRemoved_AndASecondRunFindsEverythingCurrent()
    {
        var pdf = MarkedPdf();
        string batchId, documentId;
        await using (var server = await ServerHarness.StartAsync(Settings(("k1", K1))))
            (batchId, documentId) = await UploadAsync(server, pdf);
        var blobs = BlobFiles().Count();
        var both = new Dictionary<string, string> { ["DOCFLOW__Encryption__Keys__k1"] = K1, ["DOCFLOW__Encryption__Keys__k2"] = K2 };

        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), both, "keys", "rotate", "--to", "k2", "--data", _data);

        Assert.True(exit == 0, output);
        Assert.Contains($"rotated to k2: blobs {blobs} rewrapped, 0 current, 0 sealed, 0 plaintext; records 1 rewrapped, 0 current, 0 sealed, 0 plaintext; 0 failed", output);
        (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), both, "keys", "rotate", "--to", "k2", "--data", _data);
        Assert.True(exit == 0, output);
        Assert.Contains($"blobs 0 rewrapped, {blobs} current, 0 sealed, 0 plaintext; records 0 rewrapped, 1 current", output);

        // k1 gone: everything still opens under k2.
        await using var server2 = await ServerHarness.StartAsync(Settings(("k2", K2)));
        Assert.Contains(Marker, await server2.Client.GetStringAsync($"api/v1/documents/{documentId}/text"));
        Assert.Equal(pdf, await server2.Client.GetByteArrayAsync($"api/v1/documents/{documentId}/original"));
        Assert.StartsWith("%PDF", Encoding.ASCII.GetString(await server2.Client.GetByteArrayAsync($"api/v1/batches/{batchId}/report.pdf"), 0, 4));
    }

    [Fact]
    public async Task RotateWithSealPlaintext_SealsAnInstallationThatRanWithoutEncryption()
    {
        var pdf = MarkedPdf();
        string documentId;
        await using (var server = await ServerHarness.StartAsync(Settings()))
            (_, documentId) = await UploadAsync(server, pdf);
        var blobs = BlobFiles().ToList();
        Assert.Contains(blobs, f => File.ReadAllBytes(f).AsSpan().IndexOf(Encoding.ASCII.GetBytes(Marker)) >= 0); // plaintext before
        var k1 = new Dictionary<string, string> { ["DOCFLOW__Encryption__Keys__k1"] = K1 };

        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), k1, "keys", "rotate", "--to", "k1", "--seal-plaintext", "--data", _data);

        Assert.True(exit == 0, output);
        Assert.Contains($"blobs 0 rewrapped, 0 current, {blobs.Count} sealed, 0 plaintext; records 0 rewrapped, 0 current, 1 sealed, 0 plaintext; 0 failed", output);
        foreach (var file in BlobFiles())
            Assert.True(Envelope.HasMagic(await File.ReadAllBytesAsync(file)), $"{file} is not sealed");
        Assert.StartsWith(AtRestEncryption.RecordPrefix, Assert.Single(StoredRows("SELECT document FROM job_results")));
        await using var sealedServer = await ServerHarness.StartAsync(Settings(("k1", K1)));
        Assert.Contains(Marker, await sealedServer.Client.GetStringAsync($"api/v1/documents/{documentId}/text"));
        Assert.Equal(pdf, await sealedServer.Client.GetByteArrayAsync($"api/v1/documents/{documentId}/original"));
    }

    [Fact]
    public async Task Rotate_ToAKeyThatIsNotConfigured_FailsNamingIt()
    {
        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["DOCFLOW__Encryption__Keys__k1"] = K1 }, "keys", "rotate", "--to", "k9", "--data", _data);

        Assert.Equal(2, exit);
        Assert.Contains("'k9', which is not among the configured keys (k1)", output);
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, true); } catch (IOException) { }
    }
}
