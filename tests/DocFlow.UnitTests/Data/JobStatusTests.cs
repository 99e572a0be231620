using DocFlow.Data;
using DocFlow.Storage;

namespace DocFlow.UnitTests.Data;

public sealed class JobStatusTests
{
    [Theory]
    [InlineData(JobStatus.Queued, "queued")]
    [InlineData(JobStatus.Processing, "processing")]
    [InlineData(JobStatus.Succeeded, "succeeded")]
    [InlineData(JobStatus.Failed, "failed")]
    public void WireNames_RoundTrip(JobStatus status, string wire)
    {
        Assert.Equal(wire, status.ToWireName());
        Assert.True(WireName.TryParse<JobStatus>(wire, out var parsed));
        Assert.Equal(status, parsed);
    }

    [Fact]
    public void CanMove_AllowsForwardMovesAndOnlyTheRetryBack()
    {
        var allowed = (from f in Enum.GetValues<JobStatus>()
                       from t in Enum.GetValues<JobStatus>()
                       where JobStatuses.CanMove(f, t)
                       select (f, t)).ToHashSet();

        Assert.Equal(
            new HashSet<(JobStatus, JobStatus)>
            {
                (JobStatus.Queued, JobStatus.Processing),
                (JobStatus.Queued, JobStatus.Failed),
                (JobStatus.Processing, JobStatus.Succeeded),
                (JobStatus.Processing, JobStatus.Failed),
                (JobStatus.Processing, JobStatus.Queued),
            },
            allowed);
    }

    [Fact]
    public void Batch_IsCompletedOnlyWhenEveryDocumentIsTerminal()
    {
        var at = DateTimeOffset.UnixEpoch;
        Assert.Equal(BatchStatus.Running, new BatchRecord("b", 3, 0, 1, 1, 1, at, null).Status);
        Assert.Equal(BatchStatus.Completed, new BatchRecord("b", 3, 0, 0, 2, 1, at, at).Status);
        Assert.Equal("running", BatchStatus.Running.ToWireName());
    }

    [Fact]
    public void Cursors_RoundTripAndRejectForeignText()
    {
        Assert.Equal(41, Cursor.ParseOrdinal(Cursor.Ordinal(41)));
        var at = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero).AddTicks(7);
        Assert.Equal((at, "job.1"), Cursor.ParseTime(Cursor.Time(at, "job.1")));
        Assert.Throws<ArgumentException>(() => Cursor.ParseOrdinal("t1.x"));
        Assert.Throws<ArgumentException>(() => Cursor.ParseTime("o5"));
        Assert.Throws<ArgumentException>(() => Cursor.ParseTime("t99999999999999999999.x"));
    }
}
