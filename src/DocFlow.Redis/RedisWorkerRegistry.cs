using System.Globalization;
using DocFlow.Workers;
using StackExchange.Redis;

namespace DocFlow.Redis;

/// <summary>
/// The distributed worker registry: one hash per worker, <c>{prefix}:workers:{id}</c>, refreshed on every heartbeat
/// with a TTL of <see cref="WorkerRegistryOptions.ForgetAfter"/>, and a set <c>{prefix}:workers</c> of the ids, so
/// listing is one SMEMBERS plus one pipelined HGETALL per worker (never a SCAN over the keyspace).
/// </summary>
/// <remarks>A worker that dies leaves its hash to expire; its id is dropped from the set by the next listing.</remarks>
public sealed class RedisWorkerRegistry(IConnectionMultiplexer redis, string keyPrefix, WorkerRegistryOptions options, TimeProvider timeProvider)
    : IWorkerRegistry
{
    private readonly RedisKey _set = $"{keyPrefix}:workers";

    private IDatabase Db => redis.GetDatabase();

    private RedisKey Key(string id) => $"{keyPrefix}:workers:{id}";

    public async ValueTask HeartbeatAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        cancellationToken.ThrowIfCancellationRequested();
        var key = Key(worker.Id);
        var tx = Db.CreateTransaction();
        _ = tx.HashSetAsync(key,
        [
            new("host", worker.Host),
            new("slots", worker.Slots),
            new("busy", worker.Busy),
            new("processed", worker.Processed),
            new("failed", worker.Failed),
            new("routes", string.Join(',', worker.Routes)),
            new("started", worker.StartedAt.ToUnixTimeMilliseconds()),
            new("heartbeat", worker.LastHeartbeat.ToUnixTimeMilliseconds()),
        ]);
        _ = tx.KeyExpireAsync(key, options.ForgetAfter);
        _ = tx.SetAddAsync(_set, worker.Id);
        await tx.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<WorkerStatus>> ListAsync(CancellationToken cancellationToken)
    {
        var db = Db;
        var ids = (await db.SetMembersAsync(_set).WaitAsync(cancellationToken).ConfigureAwait(false))
            .Select(v => v.ToString()).Order(StringComparer.Ordinal).ToArray();
        var reads = ids.Select(id => db.HashGetAllAsync(Key(id))).ToArray();
        var hashes = await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        var result = new List<WorkerStatus>(ids.Length);
        var gone = new List<RedisValue>();
        for (var i = 0; i < ids.Length; i++)
        {
            if (hashes[i].Length == 0)
            {
                gone.Add(ids[i]); // its hash expired: the worker is long gone
                continue;
            }
            var worker = Parse(ids[i], hashes[i].ToDictionary(e => e.Name.ToString(), e => e.Value));
            result.Add(new WorkerStatus(worker, options.IsStale(worker.LastHeartbeat, now)));
        }
        if (gone.Count > 0) await db.SetRemoveAsync(_set, [.. gone]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async ValueTask<bool> RemoveAsync(string workerId, CancellationToken cancellationToken)
    {
        var tx = Db.CreateTransaction();
        var removed = tx.SetRemoveAsync(_set, workerId);
        _ = tx.KeyDeleteAsync(Key(workerId));
        await tx.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await removed.ConfigureAwait(false);
    }

    private static WorkerInfo Parse(string id, Dictionary<string, RedisValue> h)
    {
        long Long(string name) => h.TryGetValue(name, out var v) && long.TryParse(v.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var routes = h.TryGetValue("routes", out var r) && !r.IsNullOrEmpty ? r.ToString().Split(',') : [];
        return new WorkerInfo(id, h.TryGetValue("host", out var host) ? host.ToString() : "", (int)Long("slots"), (int)Long("busy"),
            Long("processed"), Long("failed"), routes,
            DateTimeOffset.FromUnixTimeMilliseconds(Long("started")), DateTimeOffset.FromUnixTimeMilliseconds(Long("heartbeat")));
    }
}
