using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace DocFlow.Blobs.S3;

/// <summary>Where and how to reach an S3-compatible bucket. <c>--storage s3://bucket/prefix</c> sets Bucket and Prefix.</summary>
public sealed class S3BlobStoreOptions
{
    public required string Bucket { get; init; }

    /// <summary>Key prefix inside the bucket, e.g. "docflow/originals". <value>Default: none.</value></summary>
    public string Prefix { get; init; } = "";

    /// <summary>Endpoint of an S3-compatible service (MinIO, Ceph, s3rver); null for AWS itself.</summary>
    public string? ServiceUrl { get; init; }

    public string? Region { get; init; }
    public string? AccessKey { get; init; }
    public string? SecretKey { get; init; }

    /// <summary>Path-style addressing (bucket in the path), which most S3-compatible servers need. <value>Default true.</value></summary>
    public bool ForcePathStyle { get; init; } = true;

    /// <summary>Parses <c>s3://bucket/prefix</c>.</summary>
    public static (string Bucket, string Prefix) ParseUri(string uri)
    {
        if (!uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"'{uri}' is not an s3://bucket/prefix address.", nameof(uri));
        var rest = uri[5..].Trim('/');
        var slash = rest.IndexOf('/');
        return slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..]);
    }
}

/// <summary>
/// Blobs in an S3-compatible bucket under content-addressed keys. Uploads are streamed: the content is
/// spooled to a temporary file while hashed (the key must be known before the object is written), then
/// sent; an object already present under that key is not sent again.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly S3BlobStoreOptions _options;

    public S3BlobStore(S3BlobStoreOptions options)
    {
        _options = options;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // Flexible checksums (trailing, chunked) are not spoken by every S3-compatible server.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is { } url) config.ServiceURL = url;
        if (options.Region is { } region) config.AuthenticationRegion = region;
        _s3 = options.AccessKey is { } key
            ? new AmazonS3Client(new BasicAWSCredentials(key, options.SecretKey ?? ""), config)
            : new AmazonS3Client(config);
    }

    public Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken) => PutCoreAsync(content, null, cancellationToken);

    public Task<BlobInfo> PutAsync(Stream content, string tenant, CancellationToken cancellationToken) =>
        PutCoreAsync(content, DocFlow.Security.Tenants.Validate(tenant, nameof(tenant)), cancellationToken);

    private async Task<BlobInfo> PutCoreAsync(Stream content, string? tenant, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(Path.GetTempPath(), "docflow-s3-" + Guid.NewGuid().ToString("N"));
        try
        {
            string key;
            long length;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose))
            {
                key = await BlobKeys.CopyAndHashAsync(content, file, cancellationToken).ConfigureAwait(false);
                if (tenant is not null) key = BlobKeys.Of(tenant, key);
                length = file.Length;
                if (!await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    file.Position = 0;
                    await _s3.PutObjectAsync(new PutObjectRequest
                    {
                        BucketName = _options.Bucket,
                        Key = ObjectKey(key),
                        InputStream = file,
                        AutoCloseStream = false,
                        UseChunkEncoding = false,
                        ContentType = "application/octet-stream",
                    }, cancellationToken).ConfigureAwait(false);
                }
            }
            return new BlobInfo(key, length);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _s3.GetObjectAsync(_options.Bucket, ObjectKey(key), cancellationToken).ConfigureAwait(false);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"No blob with key {key}.", key, ex);
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _s3.GetObjectMetadataAsync(_options.Bucket, ObjectKey(key), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        _s3.DeleteObjectAsync(_options.Bucket, ObjectKey(key), cancellationToken);

    private string ObjectKey(string key)
    {
        BlobKeys.Validate(key);
        return _options.Prefix.Length == 0 ? key : $"{_options.Prefix.TrimEnd('/')}/{key}";
    }

    public void Dispose() => _s3.Dispose();
}
