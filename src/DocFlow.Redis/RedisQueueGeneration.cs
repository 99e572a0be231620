using StackExchange.Redis;

namespace DocFlow.Redis;

/// <summary>
/// Tells whether this Redis holds DocFlow's queue or is empty (new, flushed, restarted without persistence, or the
/// standby region's Redis after a failover): the key <c>{prefix}:generation</c>. A fresh Redis has no marker and no
/// queue entries; the API that claims it (<see cref="TryClaimAsync"/>) offers every open job of the store again and then
/// marks it (<see cref="CompleteAsync"/>). The claim is a lease: an API that dies while rebuilding lets another claim it
/// when the lease ends. A Redis that has entries but no marker (a queue from before the marker existed) is adopted as it
/// is: its entries are the jobs.
/// </summary>
public sealed class RedisQueueGeneration(IConnectionMultiplexer redis, string keyPrefix)
{
    private const string ClaimScript = """
        local marker = redis.call('GET', KEYS[1])
        if marker then return 0 end
        for i = 2, #KEYS - 1 do
          if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('XLEN', KEYS[i]) > 0 then
            redis.call('SET', KEYS[1], ARGV[2])
            return 0
          end
        end
        if redis.call('ZCARD', KEYS[#KEYS]) > 0 then
          redis.call('SET', KEYS[1], ARGV[2])
          return 0
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """;

    private const string CompleteScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
        return 0
        """;

    private readonly RedisKeys _keys = new(keyPrefix);

    /// <summary>The marker's key.</summary>
    public string Key => _keys.Generation.ToString();

    /// <summary>True when this Redis has neither the marker nor any queued entry and this caller now holds the rebuild
    /// lease for <paramref name="lease"/> (<paramref name="owner"/> identifies it). False when the queue is already there
    /// (or another API is rebuilding it).</summary>
    public async Task<bool> TryClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        RedisKey[] keys = [_keys.Generation, .. _keys.Lanes().Select(l => l.Key), _keys.Delayed];
        var result = await redis.GetDatabase().ScriptEvaluateAsync(ClaimScript, keys,
                ["rebuilding:" + owner, NewGeneration(), (long)Math.Max(1, lease.TotalMilliseconds)])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>Marks the rebuild claimed by <paramref name="owner"/> done: the marker stays for good. False when the
    /// lease had ended (another API may be rebuilding; a duplicate ticket is harmless).</summary>
    public async Task<bool> CompleteAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var result = await redis.GetDatabase().ScriptEvaluateAsync(CompleteScript, [_keys.Generation], ["rebuilding:" + owner, NewGeneration()])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>Gives up a claim that could not finish (the store failed mid-way), so the next check claims it again at
    /// once instead of after the lease.</summary>
    public async Task ReleaseAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [_keys.Generation], ["rebuilding:" + owner])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The marker's value, or null when absent.</summary>
    public async Task<string?> ReadAsync(CancellationToken cancellationToken) =>
        await redis.GetDatabase().StringGetAsync(_keys.Generation).WaitAsync(cancellationToken).ConfigureAwait(false);

    private static string NewGeneration() => $"{DateTimeOffset.UtcNow:O} {Guid.NewGuid():N}";
}
