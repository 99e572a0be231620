namespace DocFlow.Idempotency;

/// <summary>The first answer to a request sent with an <c>Idempotency-Key</c>; <see cref="StatusCode"/> 0 while that
/// request is still being handled.
/// <para><c>Scope</c>: Whose key it is: <c>{tenant}/{principal}</c> (one caller's keys never meet another's).</para>
/// <para><c>RequestHash</c>: SHA-256 of the request (route, fields, files): the same key with other content is refused.</para>
/// </summary>
public sealed record IdempotencyRecord(
    string Scope, string Key, string RequestHash, int StatusCode, string? ContentType, string? Body, string? Location,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    public bool Completed => StatusCode != 0;
}

/// <summary>Stored idempotency keys (table idempotency_keys, primary key scope + key, so two racing requests cannot
/// both start).</summary>
public interface IIdempotencyStore
{
    /// <summary>Claims the key for a new request: true when this call inserted <paramref name="record"/> (the caller
    /// handles the request and then <see cref="CompleteAsync"/> or <see cref="ReleaseAsync"/>); false when the key is
    /// taken (read it with <see cref="GetAsync"/>). An expired record is replaced.</summary>
    Task<bool> TryBeginAsync(IdempotencyRecord record, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IdempotencyRecord?> GetAsync(string scope, string key, CancellationToken cancellationToken);

    /// <summary>Stores the answer of a claimed key.</summary>
    Task CompleteAsync(string scope, string key, int statusCode, string? contentType, string? body, string? location, CancellationToken cancellationToken);

    /// <summary>Forgets a claimed key whose request ended without an answer worth repeating (an error, a busy server).</summary>
    Task ReleaseAsync(string scope, string key, CancellationToken cancellationToken);

    /// <summary>Deletes records expired before <paramref name="now"/>; returns how many.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
