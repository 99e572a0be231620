using System.Security.Cryptography;
using DocFlow.Blobs.S3;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Blobs;

public sealed class S3BlobStoreTests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private S3BlobStore Store(string prefix) => new(new S3BlobStoreOptions
    {
        Bucket = S3ServerFixture.Bucket,
        Prefix = prefix,
        ServiceUrl = s3.ServiceUrl,
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        Region = "us-east-1",
    });

    [Fact]
    public async Task Put_StreamsAFileUnderItsContentHash_AndReadsItBack()
    {
        using var store = Store("t1");
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        var info = await store.PutAsync(new MemoryStream(bytes), None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), info.Key);
        Assert.Equal(bytes.Length, info.Length);
        Assert.True(await store.ExistsAsync(info.Key, None));
        await using var read = await store.OpenReadAsync(info.Key, None);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task UnknownKey_IsNotFound_AndDeleteRemoves()
    {
        using var store = Store("t2");
        var missing = new string('c', 64);
        Assert.False(await store.ExistsAsync(missing, None));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync(missing, None));

        var info = await store.PutAsync(new MemoryStream([1, 2, 3]), None);
        await store.DeleteAsync(info.Key, None);
        Assert.False(await store.ExistsAsync(info.Key, None));
    }

    [Fact]
    public async Task Prefixes_KeepStoresApart()
    {
        using var a = Store("tenant-a");
        using var b = Store("tenant-b");
        var info = await a.PutAsync(new MemoryStream([4, 5, 6]), None);
        Assert.True(await a.ExistsAsync(info.Key, None));
        Assert.False(await b.ExistsAsync(info.Key, None));
    }

    [Fact]
    public void ParseUri_SplitsBucketAndPrefix()
    {
        Assert.Equal(("bucket", "a/b"), S3BlobStoreOptions.ParseUri("s3://bucket/a/b/"));
        Assert.Equal(("bucket", ""), S3BlobStoreOptions.ParseUri("s3://bucket"));
        Assert.Throws<ArgumentException>(() => S3BlobStoreOptions.ParseUri("/var/blobs"));
    }
}
