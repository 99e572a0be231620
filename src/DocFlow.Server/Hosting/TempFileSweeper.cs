using DocFlow.Blobs;
using DocFlow.IO;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Hosting;

/// <summary>
/// At start-up, removes the temporary files killed processes left behind (<see cref="TempFiles.Sweep"/>): in the system
/// temp folder (<c>docflow-*</c>, ASP.NET Core's <c>ASPNETCORE_*.tmp</c> form buffers) and in the blob store's
/// <c>tmp</c> folder. Files of processes still running (another worker on the same machine) are kept; untagged files
/// only when older than <see cref="TempFiles.UntaggedMinAge"/>.
/// </summary>
public sealed partial class TempFileSweeper(IServiceProvider services, TimeProvider time, ILogger<TempFileSweeper> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var removed = TempFiles.Sweep(Path.GetTempPath(), TempFiles.UntaggedMinAge, now);
        // Only a folder store has a tmp folder of its own (S3 spools in the system temp folder).
        if (services.GetService<FileSystemBlobStore>() is { } blobs) removed += blobs.SweepTemp(now);
        if (removed > 0) Log.Swept(logger, removed);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 450, Level = LogLevel.Information, Message = "Removed {Count} temporary files left behind by processes that are no longer running")]
        public static partial void Swept(ILogger logger, int count);
    }
}
