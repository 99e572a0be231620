using Microsoft.Extensions.Logging;

namespace DocFlow.Redis;

internal static partial class Log
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Redis queue fetch failed; retrying in {DelayMs} ms")]
    public static partial void FetchFailed(ILogger logger, int delayMs, Exception exception);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Keep-alive of held jobs failed")]
    public static partial void KeepAliveFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Job entry {EntryId} on {Stream} was taken over by another worker while held")]
    public static partial void Lost(ILogger logger, string stream, string entryId);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Releasing job {JobId} failed; it is redelivered after the visibility timeout")]
    public static partial void ReleaseFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "Entry {EntryId} on {Stream} is malformed and was dead-lettered: {Reason}")]
    public static partial void Malformed(ILogger logger, string stream, string entryId, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Job {JobId} was no longer held by this worker; its {Outcome} was not applied")]
    public static partial void OutcomeLost(ILogger logger, string jobId, string outcome);
}
