using DocFlow.Data;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;
using DocFlow.Server.Security;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.IntegrationTests.Security;

/// <summary>
/// The server's key cache (<see cref="CachingApiKeyStore"/>, <c>Auth:KeyCacheSeconds</c>) in front of the real key table
/// (SQLite): a key revoked behind the server's back (`docflow keys revoke`, another replica) is refused once the cache
/// time has passed, never later; one revoked through the server is refused at once; unknown ids are never remembered.
/// </summary>
public sealed class ApiKeyCacheTests : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private readonly string _dir = Repo.NewTempDirectory("key-cache");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 17, 0, 0, TimeSpan.Zero));
    private DocFlowDatabase _database = null!;
    private EfApiKeyStore _table = null!;

    public async Task InitializeAsync()
    {
        _database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = Path.Combine(_dir, "docflow.db") });
        await _database.MigrateAsync(CancellationToken.None);
        _table = new EfApiKeyStore(_database);
    }

    [Fact]
    public async Task KeyRevokedBehindTheServersBack_IsRefusedOnceTheCacheTimeHasPassed()
    {
        var ct = CancellationToken.None;
        var cache = new CachingApiKeyStore(_table, _time, Ttl);
        var (record, _) = await ApiKeys.CreateAsync(_table, Roles.Submitter, "cached", _time.GetUtcNow(), ct);
        Assert.Null((await cache.FindAsync(record.Id, ct))!.RevokedAt);

        // Revoked in the table, not through the cache (the CLI, another replica).
        Assert.True(await _table.RevokeAsync(record.Id, _time.GetUtcNow(), ct));

        // Within the bound the cached row may still answer; at the bound it no longer does, and stays refused.
        // The synchronous look a cached FindAsync answers from (TryFindCached) keeps the same bound.
        _time.Advance(Ttl - TimeSpan.FromMilliseconds(1));
        Assert.True(cache.TryFindCached(record.Id, out var cached));
        Assert.Null(cached.RevokedAt);
        Assert.Null((await cache.FindAsync(record.Id, ct))!.RevokedAt);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(cache.TryFindCached(record.Id, out _));
        Assert.NotNull((await cache.FindAsync(record.Id, ct))!.RevokedAt);
        Assert.False(cache.TryFindCached(record.Id, out _));
        _time.Advance(Ttl * 3);
        Assert.NotNull((await cache.FindAsync(record.Id, ct))!.RevokedAt);
    }

    [Fact]
    public async Task KeyRevokedThroughTheServer_IsRefusedAtOnce()
    {
        var ct = CancellationToken.None;
        var cache = new CachingApiKeyStore(_table, _time, Ttl);
        var (record, _) = await ApiKeys.CreateAsync(_table, Roles.Reader, "cached", _time.GetUtcNow(), ct);
        Assert.Null((await cache.FindAsync(record.Id, ct))!.RevokedAt);

        Assert.True(await cache.RevokeAsync(record.Id, _time.GetUtcNow(), ct));

        Assert.False(cache.TryFindCached(record.Id, out _));
        Assert.NotNull((await cache.FindAsync(record.Id, ct))!.RevokedAt);
    }

    [Fact]
    public async Task UnknownKey_IsNotRemembered_SoAKeyCreatedLaterIsFoundAtOnce()
    {
        var ct = CancellationToken.None;
        var cache = new CachingApiKeyStore(_table, _time, Ttl);
        var record = new ApiKeyRecord("later001", "later", Roles.Reader, ApiKeyFormat.Hash("dfk_later001_x"), _time.GetUtcNow(), null, null);
        Assert.Null(await cache.FindAsync(record.Id, ct));

        await _table.CreateAsync(record, ct);

        Assert.NotNull(await cache.FindAsync(record.Id, ct));
    }

    [Fact]
    public async Task ZeroCacheTime_ReadsTheTableEveryTime()
    {
        var ct = CancellationToken.None;
        var cache = new CachingApiKeyStore(_table, _time, TimeSpan.Zero);
        var (record, _) = await ApiKeys.CreateAsync(_table, Roles.Reader, "uncached", _time.GetUtcNow(), ct);
        Assert.Null((await cache.FindAsync(record.Id, ct))!.RevokedAt);

        Assert.True(await _table.RevokeAsync(record.Id, _time.GetUtcNow(), ct));

        Assert.NotNull((await cache.FindAsync(record.Id, ct))!.RevokedAt);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
