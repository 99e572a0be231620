using System.ComponentModel.DataAnnotations;

namespace DocFlow.Server.Hosting;

/// <summary>
/// Where the platform's parts are. Root configuration keys, settable as flags (<c>--redis</c>, <c>--database</c>,
/// <c>--storage</c>, <c>--workers</c>), in appsettings.json, or as <c>DOCFLOW__Redis</c> etc. The database is
/// <c>Database:ConnectionString</c> (<c>--database</c>, <c>DOCFLOW__Database__ConnectionString</c>).
/// </summary>
public sealed class PlatformOptions
{
    /// <summary>Redis for the distributed queue: HOST:PORT or a StackExchange.Redis configuration string.
    /// <value>Default: none (the in-process queue).</value></summary>
    public string? Redis { get; set; }

    /// <summary>Blob storage: a folder, or s3://bucket/prefix. <value>Default: blobs/ in the data folder.</value></summary>
    public string? Storage { get; set; }

    /// <summary>Folder for the default blob folder. <value>Default: ./data.</value></summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Worker slots hosted in this process (documents at once); 0 runs the API alone.
    /// <value>Default: the number of cores when no broker is configured, else 0.</value></summary>
    [Range(0, 1024)]
    public int? Workers { get; set; }

    /// <summary>Backpressure: above this many waiting jobs (queued in any lane, plus those held while the queue is
    /// unreachable) uploads are refused with 503 and <see cref="QueueFullRetryAfter"/>. The one limit, the same for the
    /// in-process and the Redis queue. <value>Default 10,000.</value></summary>
    [Range(1, int.MaxValue)]
    public int MaxQueueDepth { get; set; } = 10_000;

    /// <summary>The Retry-After of the 503 an upload gets above <see cref="MaxQueueDepth"/> (whole seconds, at least 1).
    /// <value>Default 30 s.</value></summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "QueueFullRetryAfter must be between 1 second and 1 day.")]
    public TimeSpan QueueFullRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Answer a re-sent file (same content, same options) from its stored result. <value>Default true.</value></summary>
    public bool Deduplicate { get; set; } = true;

    /// <summary>Largest request body of a batch upload (<c>POST /api/v1/batches</c>), all files and form fields together;
    /// a single upload (<c>POST /api/v1/documents</c>) may be <c>Engine:MaxFileBytes</c> plus 1 MiB of multipart framing.
    /// Larger requests get 413 as soon as the limit is passed. <value>Default 1 GiB.</value></summary>
    [System.ComponentModel.DataAnnotations.Range(1L, long.MaxValue)]
    public long MaxBatchBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>S3 endpoint for S3-compatible servers (MinIO, s3rver); credentials from S3AccessKey/S3SecretKey.</summary>
    public string? S3ServiceUrl { get; set; }
    public string? S3AccessKey { get; set; }
    public string? S3SecretKey { get; set; }
    public string? S3Region { get; set; }

    public bool Distributed => !string.IsNullOrWhiteSpace(Redis);

    public int EffectiveWorkers => Workers ?? (Distributed ? 0 : Environment.ProcessorCount);
}
