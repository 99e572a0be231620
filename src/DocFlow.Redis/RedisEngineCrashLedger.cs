using DocFlow.Sandbox;
using StackExchange.Redis;

namespace DocFlow.Redis;

/// <summary>
/// The engine-crash counts of a cluster: one key per content hash, <c>{prefix}:engine-crashes:{sha256}</c> (INCR, kept
/// <see cref="Retention"/> after the last crash), so every worker refuses bytes that crashed hosts elsewhere.
/// </summary>
public sealed class RedisEngineCrashLedger(IConnectionMultiplexer redis, string keyPrefix) : IEngineCrashLedger
{
    /// <summary>How long a crash count is kept after the last crash.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private RedisKey Key(string sha256) => $"{keyPrefix}:engine-crashes:{sha256}";

    public async Task<int> GetCrashesAsync(string sha256, CancellationToken cancellationToken)
    {
        var value = await redis.GetDatabase().StringGetAsync(Key(sha256)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.TryParse(out int n) ? n : 0;
    }

    public async Task<int> RecordCrashAsync(string sha256, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var n = await db.StringIncrementAsync(Key(sha256)).WaitAsync(cancellationToken).ConfigureAwait(false);
        await db.KeyExpireAsync(Key(sha256), Retention).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)n;
    }
}
