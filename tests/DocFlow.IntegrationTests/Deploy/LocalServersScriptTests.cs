using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DocFlow.IntegrationTests.Support;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Deploy;

/// <summary>deploy/local/servers.sh as the README has a user run it: start Redis and PostgreSQL, use the values it
/// prints, stop. Redis on a free port and a scratch folder; the machine's PostgreSQL cluster is left as it was found.</summary>
public sealed class LocalServersScriptTests(ITestOutputHelper output)
{
    private static readonly string Script = Path.Combine(Repo.Root, "deploy", "local", "servers.sh");

    [Fact]
    public async Task Start_GivesAReachableRedisAndDocflowDatabase_StatusPrintsTheirFlags()
    {
        var port = Ports.Free();
        var dir = Repo.NewTempDirectory("local-servers");
        var env = new Dictionary<string, string> { ["REDIS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["DOCFLOW_SERVERS_DIR"] = dir };
        var postgresWasUp = (await RunAsync(["status"], env)).Output.Contains("database: up", StringComparison.Ordinal);
        try
        {
            var start = await RunAsync(["start"], env);
            output.WriteLine(start.Output);
            Assert.Equal(0, start.Exit);
            Assert.Contains($"redis:    up    --redis 127.0.0.1:{port}", start.Output, StringComparison.Ordinal);
            var database = start.Output.Split('\n').Single(l => l.StartsWith("database: up", StringComparison.Ordinal)).Split("--database ")[1].Trim().Trim('"');

            await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true"))
                Assert.Equal("yes", (await redis.GetServer($"127.0.0.1:{port}").ConfigGetAsync("appendonly")).Single().Value);
            await using (var pg = new NpgsqlConnection(database))
            {
                await pg.OpenAsync();
                await using var cmd = new NpgsqlCommand("select current_database(), current_user", pg);
                await using var reader = await cmd.ExecuteReaderAsync();
                Assert.True(await reader.ReadAsync());
                Assert.Equal("docflow", reader.GetString(0));
                Assert.Equal("docflow", reader.GetString(1));
            }

            var again = await RunAsync(["start"], env); // idempotent: already running, database already there
            Assert.Equal(0, again.Exit);
            Assert.Contains("Redis already answers", again.Output, StringComparison.Ordinal);
        }
        finally
        {
            if (postgresWasUp)
                await RunProcessAsync("redis-cli", ["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "shutdown", "nosave"], env);
            else
                output.WriteLine((await RunAsync(["stop"], env)).Output);
        }
        Assert.Contains("redis:    down", (await RunAsync(["status"], env)).Output, StringComparison.Ordinal);
    }

    private static Task<(int Exit, string Output)> RunAsync(string[] args, IReadOnlyDictionary<string, string> env) =>
        RunProcessAsync("bash", [Script, .. args], env);

    private static async Task<(int Exit, string Output)> RunProcessAsync(string file, string[] args, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (p.ExitCode, await stdout + await stderr);
    }

}
