using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using Npgsql;

namespace DocFlow.IntegrationTests.Region;

/// <summary>
/// <c>/readyz</c> knows whether the database takes writes: an API pointed at a read-only PostgreSQL (here a database whose
/// sessions default to read-only; the failover test uses a real hot standby) answers 503 naming "read-only standby", and
/// an upload gets a 503 problem instead of a 500.
/// </summary>
public sealed class ReadOnlyDatabaseTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task ReadOnlyDatabase_ReadyzIsUnavailable_WithTheReason_AndUploadsGet503()
    {
        var database = await postgres.CreateDatabaseAsync("region-readonly");
        var settings = new Dictionary<string, string?> { ["Database:ConnectionString"] = database, ["Database:MigrateOnStartup"] = "true" };
        await using (var writable = await ServerHarness.StartAsync(settings))
        {
            var ready = await writable.Client.GetAsync("readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("ok", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("database").GetString());
        }

        var name = new NpgsqlConnectionStringBuilder(database).Database!;
        await AlterAsync(name, "on");
        try
        {
            settings["Database:MigrateOnStartup"] = "false";
            await using var standby = await ServerHarness.StartAsync(settings);
            var response = await standby.Client.GetAsync("readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var ready = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["database"], ready.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
            Assert.StartsWith("read-only standby", ready.GetProperty("checks").GetProperty("database").GetString(), StringComparison.Ordinal);

            var upload = await standby.Client.PostAsync("api/v1/documents", ServerHarness.Form("file",
                ("a.pdf", [.. File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf")), .. Encoding.ASCII.GetBytes($"\n%{Guid.NewGuid():N}\n")])));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
            Assert.Equal("application/problem+json", upload.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            await AlterAsync(name, "off");
        }
    }

    private async Task AlterAsync(string database, string value)
    {
        await using var admin = new NpgsqlConnection(postgres.AdminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand($"ALTER DATABASE \"{database}\" SET default_transaction_read_only = {value}", admin);
        await command.ExecuteNonQueryAsync();
    }
}
