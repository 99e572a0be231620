namespace DocFlow.Blobs;

/// <summary>A stored original: its content-addressed key (SHA-256 of the bytes, lower-case hex) and size.</summary>
public sealed record BlobInfo(string Key, long Length);

/// <summary>Where originals live: a folder by default, an S3-compatible bucket when distributed.</summary>
/// <remarks>Keys are the SHA-256 of the content, so the same file uploaded twice is stored once and a key
/// names exactly one content.</remarks>
public interface IBlobStore
{
    /// <summary>Streams <paramref name="content"/> into the store and returns its key; never buffers it whole in memory.</summary>
    Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>Opens a stored blob for reading. Throws <see cref="FileNotFoundException"/> for an unknown key.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

public static class BlobKeys
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> while hashing it; returns the content key.</summary>
    public static async Task<string> CopyAndHashAsync(Stream source, Stream target, CancellationToken cancellationToken)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Whether <paramref name="key"/> is a well-formed content key (64 lower-case hex digits).</summary>
    public static bool IsValid(string key) =>
        key.Length == 64 && key.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public static void Validate(string key)
    {
        if (!IsValid(key)) throw new ArgumentException($"'{key}' is not a blob key (64 lower-case hex digits).", nameof(key));
    }
}
