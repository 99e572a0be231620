using System.Security.Cryptography;
using DocFlow.Blobs;

namespace DocFlow.Tests.Contracts;

/// <summary>
/// The contract of <see cref="IBlobStore"/>, run against each adapter by a subclass: FileSystemBlobStoreTests (unit
/// tests) and S3BlobStoreTests (integration tests, real s3rver). Where an adapter keeps its blobs (file layout,
/// bucket prefixes) is tested beside its subclass, not here.
/// </summary>
public abstract class BlobStoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A store of its own for this test, empty at the start.</summary>
    protected abstract IBlobStore Store { get; }

    private static async Task<byte[]> ReadAllAsync(IBlobStore store, string key)
    {
        await using var read = await store.OpenReadAsync(key, None);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Theory]
    [InlineData(14)]
    [InlineData(3 * 1024 * 1024 + 17)] // many 64 KiB copy buffers, the last one partly filled
    public async Task Put_KeysByContentHash_AndReadsBackTheSameBytes(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);

        var info = await Store.PutAsync(new MemoryStream(bytes), None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), info.Key);
        Assert.Equal(bytes.Length, info.Length);
        Assert.True(await Store.ExistsAsync(info.Key, None));
        Assert.Equal(bytes, await ReadAllAsync(Store, info.Key));
    }

    [Fact]
    public async Task Put_SameContentTwice_IsOneBlob()
    {
        var a = await Store.PutAsync(new MemoryStream([1, 2, 3]), None);
        var b = await Store.PutAsync(new MemoryStream([1, 2, 3]), None);

        Assert.Equal(a, b);
        Assert.Equal([1, 2, 3], await ReadAllAsync(Store, a.Key));
        await Store.DeleteAsync(a.Key, None); // one delete removes it: there was one blob, not two
        Assert.False(await Store.ExistsAsync(b.Key, None));
    }

    [Fact]
    public async Task PutForTenants_KeysTenantSlashHash_AndTheSameFileOfTwoTenantsIsTwoBlobs()
    {
        byte[] bytes = [4, 5, 6];
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var acme = await Store.PutAsync(new MemoryStream(bytes), "acme", None);
        var globex = await Store.PutAsync(new MemoryStream(bytes), "globex", None);

        Assert.Equal("acme/" + hash, acme.Key);
        Assert.Equal("globex/" + hash, globex.Key);
        Assert.False(await Store.ExistsAsync(hash, None)); // no shared, unscoped copy
        await Store.DeleteAsync(acme.Key, None); // one tenant's delete leaves the other's copy
        Assert.False(await Store.ExistsAsync(acme.Key, None));
        Assert.Equal(bytes, await ReadAllAsync(Store, globex.Key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(new MemoryStream(bytes), "../etc", None));
    }

    [Fact]
    public async Task UnknownKey_IsNotFound()
    {
        var missing = new string('c', 64);

        Assert.False(await Store.ExistsAsync(missing, None));
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.OpenReadAsync(missing, None));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")] // upper case: keys are lower-case hex
    [InlineData("abc")]
    [InlineData("../0000000000000000000000000000000000000000000000000000000000000000")] // not a tenant id
    [InlineData("Acme/0000000000000000000000000000000000000000000000000000000000000000")] // tenant ids are lower case
    [InlineData("acme/b/0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task MalformedKeys_AreRejected(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(key, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ExistsAsync(key, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key, None));
    }

    [Fact]
    public async Task Delete_RemovesTheBlob()
    {
        var kept = await Store.PutAsync(new MemoryStream([8]), None);
        var info = await Store.PutAsync(new MemoryStream([9]), None);

        await Store.DeleteAsync(info.Key, None);

        Assert.False(await Store.ExistsAsync(info.Key, None));
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.OpenReadAsync(info.Key, None));
        Assert.True(await Store.ExistsAsync(kept.Key, None));
    }
}
