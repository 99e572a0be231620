namespace DocFlow.IntegrationTests.Support;

/// <summary>
/// The distributed platform as an operator runs it: `docflow serve --workers 0` (API only, in this process) on the
/// shared Redis and a new PostgreSQL database, a blob folder for all, and what a `docflow worker` process needs to
/// join: <see cref="WorkerArgs"/> and <see cref="WorkerEnvironment"/> (the shared settings as DOCFLOW__ variables).
/// </summary>
public sealed record DistributedPlatform(ServerHarness Server, Dictionary<string, string> WorkerEnvironment, string[] WorkerArgs) : IAsyncDisposable
{
    /// <param name="shared">Settings for the API and every worker (a queue key prefix of its own is added).</param>
    public static async Task<DistributedPlatform> StartAsync(RedisServerFixture redis, PostgresServerFixture postgres, string name,
        IReadOnlyDictionary<string, string>? shared = null)
    {
        var database = await postgres.CreateDatabaseAsync(name);
        var storage = Repo.NewTempDirectory("shared-blobs");
        var common = new Dictionary<string, string>(shared ?? new Dictionary<string, string>())
        {
            ["Queue:Redis:KeyPrefix"] = RedisServerFixture.NewPrefix(name),
        };
        var settings = new Dictionary<string, string?>
        {
            ["Workers"] = "0",
            ["Redis"] = redis.Endpoint,
            ["Database:ConnectionString"] = database,
            ["Database:MigrateOnStartup"] = "true",
            ["Storage"] = storage,
        };
        foreach (var (k, v) in common) settings[k] = v;
        var server = await ServerHarness.StartAsync(settings);
        var env = common.ToDictionary(kv => "DOCFLOW__" + kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        return new DistributedPlatform(server, env, ["--redis", redis.Endpoint, "--database", database, "--storage", storage]);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
