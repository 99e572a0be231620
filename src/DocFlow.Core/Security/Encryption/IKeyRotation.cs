namespace DocFlow.Security.Encryption;

/// <summary>
/// A blob store whose objects <c>docflow keys rotate</c> can walk and rewrap (file system and S3): every stored
/// object, and a header-only rewrite of one under the active key.
/// </summary>
public interface IBlobKeyRotation
{
    /// <summary>Every stored blob's key.</summary>
    IAsyncEnumerable<string> ListKeysAsync(CancellationToken cancellationToken);

    /// <summary>Rewraps one blob's data key under the active key; a no-op for one already under it, and for one in
    /// plaintext unless <paramref name="sealPlaintext"/> (then it is sealed; its key, the plaintext's hash, stays).</summary>
    Task<RewrapOutcome> RewrapAsync(string key, bool sealPlaintext, CancellationToken cancellationToken);
}

/// <summary>The database side of rotation: rewraps every sealed record (results, part layouts) under the active key.</summary>
public interface IRecordKeyRotation
{
    /// <summary>One pass over every sealed record (and plaintext ones, sealed, when <paramref name="sealPlaintext"/>); safe to
    /// run again (records already under the active key are skipped).</summary>
    Task<RewrapCounts> RewrapAllAsync(bool sealPlaintext, CancellationToken cancellationToken);
}
