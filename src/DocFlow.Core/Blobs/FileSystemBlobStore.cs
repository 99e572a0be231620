using System.Runtime.CompilerServices;
using DocFlow.Security.Encryption;

namespace DocFlow.Blobs;

/// <summary>
/// Blobs as files under a root folder, at <c>tenants/{tenant}/ab/cd/abcd…</c> (two levels of fan-out; keys stored before
/// tenants existed at <c>ab/cd/abcd…</c>). A put streams into a temporary file while hashing, then renames it into place,
/// so readers never see a partial blob. With encryption at rest the file holds the sealed envelope (the key stays the
/// SHA-256 of the plaintext).
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore, IBlobKeyRotation
{
    private readonly string _root;
    private readonly AtRestEncryption _encryption;

    public FileSystemBlobStore(string root, AtRestEncryption? encryption = null)
    {
        _root = Path.GetFullPath(root);
        _encryption = encryption ?? AtRestEncryption.Off;
        TempDirectory = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(TempDirectory);
    }

    /// <summary>Where puts and rewraps stream before the rename (<c>{root}/tmp</c>): only DocFlow's temp files live here.</summary>
    public string TempDirectory { get; }

    /// <summary>Removes what killed processes left in <see cref="TempDirectory"/> (see <see cref="IO.TempFiles.Sweep"/>): files
    /// older than <see cref="IO.TempFiles.UntaggedMinAge"/>, whoever made them. The folder is often a volume shared by the
    /// API and the workers in other containers, whose pids say nothing here; a put or rewrap writes its file within
    /// seconds, so one untouched for 15 minutes is a leftover.</summary>
    public int SweepTemp(DateTimeOffset now) => IO.TempFiles.Sweep(TempDirectory, IO.TempFiles.UntaggedMinAge, now, everyFile: true, sharedAcrossHosts: true);

    public Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken) => PutCoreAsync(content, null, cancellationToken);

    public Task<BlobInfo> PutAsync(Stream content, string tenant, CancellationToken cancellationToken) =>
        PutCoreAsync(content, Security.Tenants.Validate(tenant, nameof(tenant)), cancellationToken);

    private async Task<BlobInfo> PutCoreAsync(Stream content, string? tenant, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(TempDirectory, IO.TempFiles.NewName("blob"));
        try
        {
            string key;
            long length;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                (key, length) = await _encryption.SealAndHashAsync(content, file, cancellationToken).ConfigureAwait(false);
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
        return _encryption.OpenAsync(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true), "blob " + key, cancellationToken);
    }

    public async IAsyncEnumerable<string> ListKeysAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(file);
            if (!BlobKeys.IsValid(name)) continue;
            // tenants/{tenant}/ab/cd/{sha}: the tenant's key; ab/cd/{sha}: a key from before tenants.
            var tenantFolder = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(file)));
            var key = tenantFolder is not null && Path.GetDirectoryName(tenantFolder) == Path.Combine(_root, "tenants")
                      && Security.Tenants.IsValid(Path.GetFileName(tenantFolder))
                ? BlobKeys.Of(Path.GetFileName(tenantFolder), name)
                : name;
            if (BlobKeys.IsValid(key) && PathOf(key) == file) yield return key;
        }
    }

    public async Task<RewrapOutcome> RewrapAsync(string key, bool sealPlaintext, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var temp = Path.Combine(TempDirectory, IO.TempFiles.NewName("blob"));
        try
        {
            RewrapOutcome outcome;
            await using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                outcome = await _encryption.RewrapAsync(source, target, "blob " + key, sealPlaintext, cancellationToken).ConfigureAwait(false);
            }
            // Rename over the old file: a reader has either the old envelope or the new one, both open.
            if (outcome is RewrapOutcome.Rewrapped or RewrapOutcome.Sealed) File.Move(temp, path, overwrite: true);
            return outcome;
        }
        finally
        {
            File.Delete(temp);
        }
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
