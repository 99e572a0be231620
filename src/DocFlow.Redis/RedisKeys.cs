using DocFlow.Queueing;
using StackExchange.Redis;

namespace DocFlow.Redis;

/// <summary>The names of every key the queue uses under one prefix.</summary>
internal sealed class RedisKeys(string prefix)
{
    public const string Group = "workers";

    public string Prefix { get; } = prefix;
    public RedisKey Delayed { get; } = $"{prefix}:delayed";
    public RedisKey Dead { get; } = $"{prefix}:dead";

    /// <summary>Hash jobId → entry id in the dead stream, so requeue and purge of one job are O(1).</summary>
    public RedisKey DeadIndex { get; } = $"{prefix}:dead:index";

    /// <summary>The generation marker: set once the store's open jobs are in this Redis (<see cref="RedisQueueGeneration"/>);
    /// absent means this Redis is new or lost its data.</summary>
    public RedisKey Generation { get; } = $"{prefix}:generation";

    /// <summary>Prefix of the liveness keys, one per fetching consumer (with a TTL): <c>{prefix}:alive:{consumer}</c>.</summary>
    public string AlivePrefix => $"{Prefix}:alive:";

    public RedisKey Alive(string consumer) => AlivePrefix + consumer;

    /// <summary>Pub/sub channel on which enqueuers wake the fetch pumps of other processes.</summary>
    public RedisChannel WakeChannel => RedisChannel.Literal($"{Prefix}:wake");

    public RedisKey Stream(JobPriority priority, JobRoute route) => $"{Prefix}:q:{priority.ToWireName()}:{route.ToWireName()}";

    /// <summary>Every lane, express lanes first.</summary>
    public IEnumerable<(JobPriority Priority, JobRoute Route, RedisKey Key)> Lanes()
    {
        foreach (var priority in new[] { JobPriority.Express, JobPriority.Normal })
            foreach (var route in JobRoutes.All)
                yield return (priority, route, Stream(priority, route));
    }

    /// <summary>The streams for <paramref name="routes"/> in fetch order: express lanes, then normal.</summary>
    public RedisKey[] FetchOrder(IEnumerable<JobRoute> routes)
    {
        var ordered = routes.Distinct().Order().ToArray();
        return [.. ordered.Select(r => Stream(JobPriority.Express, r)), .. ordered.Select(r => Stream(JobPriority.Normal, r))];
    }
}
