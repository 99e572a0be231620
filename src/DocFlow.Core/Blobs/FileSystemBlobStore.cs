namespace DocFlow.Blobs;

/// <summary>
/// Blobs as files under a root folder, at <c>tenants/{tenant}/ab/cd/abcd…</c> (two levels of fan-out; keys stored before
/// tenants existed at <c>ab/cd/abcd…</c>). A put streams into a
/// temporary file while hashing, then renames it into place, so readers never see a partial blob.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private readonly string _root;

    public FileSystemBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));
    }

    public Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken) => PutCoreAsync(content, null, cancellationToken);

    public Task<BlobInfo> PutAsync(Stream content, string tenant, CancellationToken cancellationToken) =>
        PutCoreAsync(content, Security.Tenants.Validate(tenant, nameof(tenant)), cancellationToken);

    private async Task<BlobInfo> PutCoreAsync(Stream content, string? tenant, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(_root, "tmp", Guid.NewGuid().ToString("N"));
        try
        {
            string key;
            long length;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                key = await BlobKeys.CopyAndHashAsync(content, file, cancellationToken).ConfigureAwait(false);
                length = file.Length;
            }
            if (tenant is not null) key = BlobKeys.Of(tenant, key);
            var path = PathOf(key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path)) File.Delete(temp);
            else File.Move(temp, path, overwrite: true);
            return new BlobInfo(key, length);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) throw new FileNotFoundException($"No blob with key {key}.", path);
        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathOf(key)));

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        var (tenant, hash) = BlobKeys.Split(key);
        return tenant is null
            ? Path.Combine(_root, hash[..2], hash[2..4], hash)
            : Path.Combine(_root, "tenants", tenant, hash[..2], hash[2..4], hash);
    }
}
