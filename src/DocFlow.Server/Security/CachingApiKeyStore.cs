using System.Collections.Concurrent;
using DocFlow.Security;

namespace DocFlow.Server.Security;

/// <summary>
/// The key store as the server reads it on every request: a found, active key is remembered for
/// <c>Auth:KeyCacheSeconds</c> (default 5 s; 0 turns the cache off), so a busy client costs one database read per key per
/// few seconds instead of one per request (docs/benchmarks.md, "Authentication and audit cost"). The presented key is
/// still hashed and compared with the stored hash on every request. A key revoked through this server (its admin API)
/// is forgotten at once; one revoked elsewhere (`docflow keys revoke`, another replica) fails within the cache time.
/// Unknown ids are never remembered (a flood of made-up keys cannot grow the cache).
/// </summary>
internal sealed class CachingApiKeyStore(IApiKeyStore inner, TimeProvider time, TimeSpan ttl) : IApiKeyStore
{
    /// <summary>Cached keys at most; past it the cache is cleared (keys are few, this only bounds memory).</summary>
    internal const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, (ApiKeyRecord Record, DateTimeOffset Until)> _found = new(StringComparer.Ordinal);

    public IApiKeyStore Inner => inner;

    /// <summary>The key's row when it is cached and its cache time has not passed: what <see cref="FindAsync"/> answers
    /// without the database, without a task (the authentication handler asks on every request).</summary>
    public bool TryFindCached(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ApiKeyRecord? record)
    {
        if (ttl > TimeSpan.Zero && _found.TryGetValue(id, out var hit) && hit.Until > time.GetUtcNow())
        {
            record = hit.Record;
            return true;
        }
        record = null;
        return false;
    }

    public ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken) =>
        TryFindCached(id, out var cached) ? new(cached) : new(FindAndCacheAsync(id, cancellationToken));

    private async Task<ApiKeyRecord?> FindAndCacheAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = await inner.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (ttl <= TimeSpan.Zero) return record;
        if (record is null || record.RevokedAt is not null)
        {
            _found.TryRemove(id, out _);
            return record;
        }
        if (_found.Count >= Capacity) _found.Clear();
        _found[id] = (record, now + ttl);
        return record;
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _found.TryRemove(id, out _);
        var revoked = await inner.RevokeAsync(id, at, cancellationToken).ConfigureAwait(false);
        // A request that read the key while it was being revoked may have put it back: forget it again.
        _found.TryRemove(id, out _);
        return revoked;
    }

    public Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken) => inner.CreateAsync(key, cancellationToken);

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<bool> AnyActiveAsync(CancellationToken cancellationToken) => inner.AnyActiveAsync(cancellationToken);

    public Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => inner.TouchAsync(id, at, cancellationToken);
}
