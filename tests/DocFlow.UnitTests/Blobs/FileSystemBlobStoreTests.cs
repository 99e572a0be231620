using DocFlow.Blobs;
using DocFlow.Tests.Contracts;

namespace DocFlow.UnitTests.Blobs;

/// <summary>The blob store contract (tests/Contracts/BlobStoreContract.cs) against a folder, and its file layout.</summary>
public sealed class FileSystemBlobStoreTests : BlobStoreContract, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "docflow-blobs-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemBlobStore _store;

    public FileSystemBlobStoreTests() => _store = new FileSystemBlobStore(_root);

    protected override IBlobStore Store => _store;

    [Fact]
    public async Task Put_SameContentTwice_StoresOneFile_AndLeavesNoTemporaryFile()
    {
        var a = await _store.PutAsync(new MemoryStream([1, 2, 3]), CancellationToken.None);
        var b = await _store.PutAsync(new MemoryStream([1, 2, 3]), CancellationToken.None);

        Assert.Equal(a.Key, b.Key);
        var file = Assert.Single(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
        Assert.Equal(Path.Combine(_root, a.Key[..2], a.Key[2..4], a.Key), file);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "tmp")));
    }

    [Fact]
    public async Task PutForTenant_StoresUnderTenantsFolder_AndKeysFromBeforeTenantsStayReadable()
    {
        var old = await _store.PutAsync(new MemoryStream([1, 2, 3]), CancellationToken.None);
        var scoped = await _store.PutAsync(new MemoryStream([1, 2, 3]), "acme", CancellationToken.None);

        var hash = old.Key;
        Assert.Equal($"acme/{hash}", scoped.Key);
        Assert.True(File.Exists(Path.Combine(_root, "tenants", "acme", hash[..2], hash[2..4], hash)));
        Assert.True(File.Exists(Path.Combine(_root, hash[..2], hash[2..4], hash)));
        Assert.True(await _store.ExistsAsync(old.Key, CancellationToken.None));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }
}
