using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using DocFlow.Security.Encryption;

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

    /// <summary>S3 server-side encryption asked for on every object written: <c>AES256</c> (SSE-S3) or
    /// <c>aws:kms</c> (SSE-KMS, with <see cref="KmsKeyId"/>). Independent of DocFlow's own envelope encryption, which
    /// seals the bytes before they leave the process. <value>Default: none (the bucket's default applies).</value></summary>
    public string? ServerSideEncryption { get; init; }

    /// <summary>The KMS key (id, ARN or alias) for <c>aws:kms</c>. <value>Default: the account's aws/s3 key.</value></summary>
    public string? KmsKeyId { get; init; }

    /// <summary>The SSE method for <see cref="ServerSideEncryption"/>; throws for an unknown value.</summary>
    public ServerSideEncryptionMethod? SseMethod => ServerSideEncryption?.Trim().ToLowerInvariant() switch
    {
        null or "" or "none" => null,
        "aes256" => ServerSideEncryptionMethod.AES256,
        "aws:kms" => ServerSideEncryptionMethod.AWSKMS,
        "aws:kms:dsse" => ServerSideEncryptionMethod.AWSKMSDSSE,
        var other => throw new ArgumentException($"S3:ServerSideEncryption '{other}' is not AES256, aws:kms or aws:kms:dsse."),
    };

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
/// sent; an object already present under that key is not sent again. With encryption at rest the spooled file and the
/// object hold the sealed envelope (the key stays the SHA-256 of the plaintext).
/// </summary>
public sealed class S3BlobStore : IBlobStore, IBlobKeyRotation, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly S3BlobStoreOptions _options;
    private readonly AtRestEncryption _encryption;
    private readonly ServerSideEncryptionMethod? _sse;

    public S3BlobStore(S3BlobStoreOptions options, AtRestEncryption? encryption = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _encryption = encryption ?? AtRestEncryption.Off;
        _sse = options.SseMethod;
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
        var temp = DocFlow.IO.TempFiles.NewPath("s3");
        try
        {
            string key;
            long length;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose))
            {
                (key, length) = await _encryption.SealAndHashAsync(content, file, cancellationToken).ConfigureAwait(false);
                if (tenant is not null) key = BlobKeys.Of(tenant, key);
                if (!await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    file.Position = 0;
                    await _s3.PutObjectAsync(NewPut(key, file), cancellationToken).ConfigureAwait(false);
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
            return await _encryption.OpenAsync(response.ResponseStream, "blob " + key, cancellationToken).ConfigureAwait(false);
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

    public async IAsyncEnumerable<string> ListKeysAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = _options.Prefix.Length == 0 ? "" : _options.Prefix.TrimEnd('/') + "/";
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = prefix };
        ListObjectsV2Response response;
        do
        {
            response = await _s3.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (var o in response.S3Objects ?? [])
            {
                var key = o.Key[prefix.Length..];
                if (BlobKeys.IsValid(key)) yield return key;
            }
            request.ContinuationToken = response.NextContinuationToken;
        } while (response.IsTruncated == true);
    }

    public async Task<RewrapOutcome> RewrapAsync(string key, bool sealPlaintext, CancellationToken cancellationToken)
    {
        // S3 objects are immutable: the new envelope (new header, same segments) is spooled and put under the same key.
        var temp = DocFlow.IO.TempFiles.NewPath("s3");
        try
        {
            await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            RewrapOutcome outcome;
            using (var response = await _s3.GetObjectAsync(_options.Bucket, ObjectKey(key), cancellationToken).ConfigureAwait(false))
            {
                outcome = await _encryption.RewrapAsync(response.ResponseStream, file, "blob " + key, sealPlaintext, cancellationToken).ConfigureAwait(false);
            }
            if (outcome is RewrapOutcome.Rewrapped or RewrapOutcome.Sealed)
            {
                file.Position = 0;
                await _s3.PutObjectAsync(NewPut(key, file), cancellationToken).ConfigureAwait(false);
            }
            return outcome;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private PutObjectRequest NewPut(string key, Stream content)
    {
        var put = new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = ObjectKey(key),
            InputStream = content,
            AutoCloseStream = false,
            UseChunkEncoding = false,
            ContentType = "application/octet-stream",
        };
        if (_sse is { } sse)
        {
            put.ServerSideEncryptionMethod = sse;
            if (_options.KmsKeyId is { Length: > 0 } kms && sse != ServerSideEncryptionMethod.AES256)
                put.ServerSideEncryptionKeyManagementServiceKeyId = kms;
        }
        return put;
    }

    private string ObjectKey(string key)
    {
        BlobKeys.Validate(key);
        return _options.Prefix.Length == 0 ? key : $"{_options.Prefix.TrimEnd('/')}/{key}";
    }

    public void Dispose() => _s3.Dispose();
}
