using System.Security.Cryptography;
using System.Text;
using DocFlow.Blobs;

namespace DocFlow.UnitTests.Blobs;

public sealed class FileSystemBlobStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "docflow-blobs-" + Guid.NewGuid().ToString("N"));
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Put_KeysByContentHash_AndReadsBackTheSameBytes()
    {
        var store = new FileSystemBlobStore(_root);
        var bytes = Encoding.UTF8.GetBytes("%PDF-1.7 hello");

        var info = await store.PutAsync(new MemoryStream(bytes), None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), info.Key);
        Assert.Equal(bytes.Length, info.Length);
        await using var read = await store.OpenReadAsync(info.Key, None);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task Put_SameContentTwice_StoresOneFile()
    {
        var store = new FileSystemBlobStore(_root);
        var a = await store.PutAsync(new MemoryStream([1, 2, 3]), None);
        var b = await store.PutAsync(new MemoryStream([1, 2, 3]), None);

        Assert.Equal(a.Key, b.Key);
        Assert.Single(Directory.EnumerateFiles(_root, a.Key, SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "tmp")));
    }

    [Fact]
    public async Task UnknownOrMalformedKeys_AreRejected()
    {
        var store = new FileSystemBlobStore(_root);
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync(new string('a', 64), None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync("../../etc/passwd", None));
        Assert.False(await store.ExistsAsync(new string('b', 64), None));
    }

    [Fact]
    public async Task Delete_RemovesTheBlob()
    {
        var store = new FileSystemBlobStore(_root);
        var info = await store.PutAsync(new MemoryStream([9]), None);
        await store.DeleteAsync(info.Key, None);
        Assert.False(await store.ExistsAsync(info.Key, None));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }
}
