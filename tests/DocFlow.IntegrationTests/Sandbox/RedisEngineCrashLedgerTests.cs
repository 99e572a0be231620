using DocFlow.IntegrationTests.Support;
using DocFlow.Redis;
using Xunit;

namespace DocFlow.IntegrationTests.Sandbox;

/// <summary>The cluster's crash counts on a real Redis: what one worker records, every other worker sees.</summary>
public sealed class RedisEngineCrashLedgerTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task CrashesRecordedByOneWorker_AreSeenByAnother_AndExpire()
    {
        var prefix = RedisServerFixture.NewPrefix("crashes");
        var sha = new string('a', 64);
        var here = new RedisEngineCrashLedger(redis.Connection, prefix);
        await using var otherConnection = await RedisServerFixture.Connect(redis.Endpoint);
        var elsewhere = new RedisEngineCrashLedger(otherConnection, prefix);

        Assert.Equal(0, await elsewhere.GetCrashesAsync(sha, CancellationToken.None));
        Assert.Equal(1, await here.RecordCrashAsync(sha, CancellationToken.None));
        Assert.Equal(2, await elsewhere.RecordCrashAsync(sha, CancellationToken.None));
        Assert.Equal(2, await here.GetCrashesAsync(sha, CancellationToken.None));
        Assert.Equal(0, await here.GetCrashesAsync(new string('b', 64), CancellationToken.None));

        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync($"{prefix}:engine-crashes:{sha}");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromDays(29), RedisEngineCrashLedger.Retention);
    }
}
