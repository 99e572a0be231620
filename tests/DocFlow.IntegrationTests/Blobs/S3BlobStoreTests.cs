using DocFlow.Blobs;
using DocFlow.Blobs.S3;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security.Encryption;
using DocFlow.Tests.Contracts;

namespace DocFlow.IntegrationTests.Blobs;

/// <summary>The blob store contract (tests/Contracts/BlobStoreContract.cs) against a real S3-compatible server
/// (s3rver), each test under a prefix of its own; then what only the S3 store has: prefixes, s3:// addresses.</summary>
public sealed class S3BlobStoreTests : BlobStoreContract, IClassFixture<S3ServerFixture>, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly S3ServerFixture _s3;
    private readonly List<S3BlobStore> _stores = [];
    private readonly S3BlobStore _store;

    public S3BlobStoreTests(S3ServerFixture s3)
    {
        _s3 = s3;
        _store = NewStore("contract-" + Guid.NewGuid().ToString("N"));
    }

    protected override IBlobStore Store => _store;

    private S3BlobStore NewStore(string prefix, AtRestEncryption? encryption = null, string? sse = null)
    {
        var store = new S3BlobStore(new S3BlobStoreOptions
        {
            Bucket = S3ServerFixture.Bucket,
            Prefix = prefix,
            ServiceUrl = _s3.ServiceUrl,
            AccessKey = "S3RVER",
            SecretKey = "S3RVER",
            Region = "us-east-1",
            ServerSideEncryption = sse,
        }, encryption);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task Prefixes_KeepStoresApart()
    {
        var tenant = Guid.NewGuid().ToString("N");
        var a = NewStore($"tenant-a-{tenant}");
        var b = NewStore($"tenant-b-{tenant}");
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

    [Fact]
    public async Task ServeWithS3Storage_KeepsOriginalsInTheBucket_ThroughAddDocFlowS3Blobs()
    {
        var prefix = "serve-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "0",
            ["Storage"] = $"s3://{S3ServerFixture.Bucket}/{prefix}",
            ["S3ServiceUrl"] = _s3.ServiceUrl, ["S3AccessKey"] = "S3RVER", ["S3SecretKey"] = "S3RVER", ["S3Region"] = "us-east-1",
        });
        var content = await File.ReadAllBytesAsync(Path.Combine(Repo.Samples, "receipt-digital.pdf"));

        var upload = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("r.pdf", content)));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, upload.StatusCode);

        Assert.IsType<S3BlobStore>(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IBlobStore>(server.Services));
        // Under the uploader's tenant (the loopback principal's: default), at <prefix>/default/<sha256>.
        Assert.True(await NewStore(prefix).ExistsAsync("default/" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), None));
    }

    [Fact]
    public async Task Sealed_TheObjectInTheBucketIsNotPlaintext_AndRotationRewrapsIt()
    {
        var prefix = "sealed-" + Guid.NewGuid().ToString("N");
        var k1 = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var k2 = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var sealing = NewStore(prefix, new AtRestEncryption(new KeyRing(new Dictionary<string, byte[]> { ["k1"] = k1 }, null)), sse: "AES256");
        var plain = System.Text.Encoding.UTF8.GetBytes("%PDF-1.7 MARKER7F3A " + new string('x', 150_000));

        var info = await sealing.PutAsync(new MemoryStream(plain), None);

        Assert.Equal(plain.Length, info.Length);
        var raw = await ReadRawAsync($"{prefix}/{info.Key}");
        Assert.True(Envelope.HasMagic(raw));
        Assert.Equal(-1, raw.AsSpan().IndexOf("MARKER7F3A"u8));
        Assert.Equal(plain, await ReadAsync(sealing, info.Key));
        var e = await Assert.ThrowsAsync<SealedDataException>(() => ReadAsync(NewStore(prefix), info.Key));
        Assert.Contains("blob " + info.Key, e.Message);

        var rotating = NewStore(prefix, new AtRestEncryption(new KeyRing(new Dictionary<string, byte[]> { ["k1"] = k1, ["k2"] = k2 }, "k2")));
        var keys = new List<string>();
        await foreach (var key in rotating.ListKeysAsync(None)) keys.Add(key);
        Assert.Equal([info.Key], keys);
        Assert.Equal(RewrapOutcome.Rewrapped, await rotating.RewrapAsync(info.Key, sealPlaintext: false, None));
        Assert.Equal(RewrapOutcome.AlreadyCurrent, await rotating.RewrapAsync(info.Key, sealPlaintext: false, None));
        var k2Only = NewStore(prefix, new AtRestEncryption(new KeyRing(new Dictionary<string, byte[]> { ["k2"] = k2 }, null)));
        Assert.Equal(plain, await ReadAsync(k2Only, info.Key));
    }

    [Fact]
    public void UnknownServerSideEncryption_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new S3BlobStoreOptions { Bucket = "b", ServerSideEncryption = "rot13" }.SseMethod);
        Assert.Contains("AES256, aws:kms", e.Message);
    }

    /// <summary>Straight from the bucket, past the store: what someone holding the bucket's contents has.</summary>
    private async Task<byte[]> ReadRawAsync(string objectKey)
    {
        using var s3 = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("S3RVER", "S3RVER"),
            new Amazon.S3.AmazonS3Config { ServiceURL = _s3.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        using var response = await s3.GetObjectAsync(S3ServerFixture.Bucket, objectKey, None);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<byte[]> ReadAsync(S3BlobStore store, string key)
    {
        using var copy = new MemoryStream();
        await using var read = await store.OpenReadAsync(key, None);
        await read.CopyToAsync(copy);
        return copy.ToArray();
    }

    public void Dispose()
    {
        foreach (var store in _stores) store.Dispose();
    }
}
