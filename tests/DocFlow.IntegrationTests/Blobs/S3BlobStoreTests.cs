using DocFlow.Blobs;
using DocFlow.Blobs.S3;
using DocFlow.IntegrationTests.Support;
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

    private S3BlobStore NewStore(string prefix)
    {
        var store = new S3BlobStore(new S3BlobStoreOptions
        {
            Bucket = S3ServerFixture.Bucket,
            Prefix = prefix,
            ServiceUrl = _s3.ServiceUrl,
            AccessKey = "S3RVER",
            SecretKey = "S3RVER",
            Region = "us-east-1",
        });
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

    public void Dispose()
    {
        foreach (var store in _stores) store.Dispose();
    }
}
