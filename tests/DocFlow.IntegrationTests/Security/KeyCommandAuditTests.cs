using System.Security.Cryptography;
using DocFlow.Data;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;

namespace DocFlow.IntegrationTests.Security;

/// <summary>`docflow keys create|revoke|rotate` change the installation behind the server's back: each leaves an entry on
/// the same hash-chained audit log as the API's key routes (issue 11: every key change is audited).</summary>
public sealed class KeyCommandAuditTests : IDisposable
{
    private static readonly string K1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _data = Repo.NewTempDirectory("cli-audit");

    private Task<(int Exit, string Output)> CliAsync(params string[] args) =>
        Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["DOCFLOW__Encryption__Keys__k1"] = K1 }, [.. args, "--data", _data]);

    [Fact]
    public async Task KeysCreateRevokeAndRotate_EachLeaveAnAuditEntry_OnAnIntactChain()
    {
        var (exit, output) = await CliAsync("keys", "create", "--role", "submitter", "--name", "scanner", "--tenant", "acme");
        Assert.True(exit == 0, output);
        var key = output.Split('\n')[0].Trim();
        Assert.True(ApiKeyFormat.TryParse(key, out var id), key);
        (exit, output) = await CliAsync("keys", "revoke", key[..12]);
        Assert.True(exit == 0, output);
        (exit, output) = await CliAsync("keys", "revoke", key[..12]); // no active key any more: refused, and recorded
        Assert.NotEqual(0, exit);
        (exit, output) = await CliAsync("keys", "rotate", "--to", "k1");
        Assert.True(exit == 0, output);
        (exit, output) = await CliAsync("keys", "list"); // a read: not recorded
        Assert.True(exit == 0, output);

        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = Path.Combine(_data, "docflow.db") });
        var entries = (await new EfAuditLog(database).QueryAsync(new AuditQuery(null, null, null, null, null, 100), CancellationToken.None)).Reverse().ToList();

        Assert.Collection(entries,
            e => (e.Action, e.Target, e.Outcome, e.Tenant).Equals(("cli keys create", $"created={id} role=submitter", 201, "acme")).AssertTrue(e),
            e => (e.Action, e.Target, e.Outcome, e.Tenant).Equals(("cli keys revoke", $"id={id}", 204, "acme")).AssertTrue(e),
            e => (e.Action, e.Target, e.Outcome).Equals(("cli keys revoke", $"id={id}", 404)).AssertTrue(e),
            e => (e.Action, e.Target, e.Outcome).Equals(("cli keys rotate",
                "to=k1 blobs_rewrapped=0 blobs_sealed=0 records_rewrapped=0 records_sealed=0 failed=0", 200)).AssertTrue(e));
        Assert.All(entries, e =>
        {
            Assert.Equal($"cli:{Environment.UserName}@{Environment.MachineName}", e.Principal);
            Assert.Null(e.Role);
            Assert.DoesNotContain(key, e.Target ?? "");
        });
        (exit, output) = await CliAsync("audit", "verify");
        Assert.True(exit == 0, output);
        Assert.Contains("OK: 4 entries", output);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

file static class EntryAssertions
{
    /// <summary>Fails naming the whole entry when <paramref name="matches"/> is false.</summary>
    public static void AssertTrue(this bool matches, AuditEntry entry) => Assert.True(matches, $"unexpected entry: {entry}");
}
