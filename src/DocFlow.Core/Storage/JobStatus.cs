namespace DocFlow.Storage;

/// <summary>Where a document is in its life. The wire names are lower case: queued, processing, succeeded, failed.</summary>
/// <remarks>See <see cref="JobStatuses.CanMove"/> for the moves the store allows.</remarks>
public enum JobStatus
{
    /// <summary>Accepted and recorded; waiting for a worker.</summary>
    Queued,
    /// <summary>A worker has it.</summary>
    Processing,
    /// <summary>Done; the result is stored. Final.</summary>
    Succeeded,
    /// <summary>Done without a result; the error is on the job.</summary>
    Failed,
}

/// <summary>A batch is running until every document is succeeded or failed, then completed.</summary>
public enum BatchStatus
{
    Running,
    Completed,
}

public static class JobStatuses
{
    public static string ToWireName(this JobStatus status) => WireName.Of(status);

    public static string ToWireName(this BatchStatus status) => WireName.Of(status);

    /// <summary>Whether the status is final for the batch (succeeded or failed).</summary>
    public static bool IsTerminal(this JobStatus status) => status is JobStatus.Succeeded or JobStatus.Failed;

    /// <summary>The moves the store allows; everything else is refused.</summary>
    /// <remarks>
    /// Forward: queued→processing, processing→succeeded|failed, queued→failed (rejected before it ran,
    /// e.g. its blob is gone or it was dead-lettered). The only move back is processing→queued: a retry
    /// was scheduled or a crashed worker's delivery was reclaimed, and the work did not finish.
    /// Succeeded and failed are final: a late or duplicate delivery cannot undo them.
    /// </remarks>
    public static bool CanMove(JobStatus from, JobStatus to) => (from, to) switch
    {
        (JobStatus.Queued, JobStatus.Processing) => true,
        (JobStatus.Queued, JobStatus.Failed) => true,
        (JobStatus.Processing, JobStatus.Succeeded) => true,
        (JobStatus.Processing, JobStatus.Failed) => true,
        (JobStatus.Processing, JobStatus.Queued) => true,
        _ => false,
    };
}
