using DocFlow.Data.Entities;
using DocFlow.Security;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.Data;

/// <summary><see cref="IApiKeyStore"/> on EF Core: table api_keys (id, name, role, tenant, key_hash, created/revoked/last used).</summary>
public sealed class EfApiKeyStore(DocFlowDatabase database) : IApiKeyStore
{
    public Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return database.RunAsync(async db =>
        {
            db.Add(new ApiKeyEntity { Id = key.Id, Name = key.Name, Role = key.Role, KeyHash = key.Hash, CreatedAt = key.CreatedAt, Tenant = key.Tenant });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken) => new(database.RunAsync(async db =>
    {
        var row = await db.Set<ApiKeyEntity>().AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }, cancellationToken));

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        var rows = await db.Set<ApiKeyEntity>().AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return (IReadOnlyList<ApiKeyRecord>)[.. rows.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Select(ToRecord)];
    }, cancellationToken);

    public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        var row = await db.Set<ApiKeyEntity>().FirstOrDefaultAsync(k => k.Id == id, cancellationToken).ConfigureAwait(false);
        if (row is null || row.RevokedAt is not null) return false;
        row.RevokedAt = at;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public Task<bool> AnyActiveAsync(CancellationToken cancellationToken) => database.RunAsync(
        db => db.Set<ApiKeyEntity>().AnyAsync(k => k.RevokedAt == null, cancellationToken), cancellationToken);

    public Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        var row = await db.Set<ApiKeyEntity>().FirstOrDefaultAsync(k => k.Id == id, cancellationToken).ConfigureAwait(false);
        if (row is null) return false;
        row.LastUsedAt = at;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    private static ApiKeyRecord ToRecord(ApiKeyEntity e) => new(e.Id, e.Name, e.Role, e.KeyHash, e.CreatedAt, e.RevokedAt, e.LastUsedAt, e.Tenant);
}
