using DocFlow.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DocFlow.Blobs.S3;

public static class S3ServiceCollectionExtensions
{
    /// <summary>The S3 adapter: <see cref="IBlobStore"/> on an S3-compatible bucket (AWS, MinIO, Ceph, s3rver),
    /// one client for the process, created when first needed.</summary>
    public static IServiceCollection AddDocFlowS3Blobs(this IServiceCollection services, S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Bucket);
        _ = options.SseMethod; // an unknown S3:ServerSideEncryption fails here, at start-up
        services.TryAddSingleton(sp => new S3BlobStore(options, sp.GetService<DocFlow.Security.Encryption.AtRestEncryption>()));
        services.TryAddSingleton<IBlobStore>(sp => sp.GetRequiredService<S3BlobStore>());
        return services;
    }
}
