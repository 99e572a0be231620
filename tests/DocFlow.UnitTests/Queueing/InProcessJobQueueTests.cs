using DocFlow.Queueing;
using DocFlow.Tests.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.UnitTests.Queueing;

/// <summary>The queue contract (tests/Contracts/JobQueueContract.cs) against the embedded queue, on a fake clock:
/// delayed retries come due when the test advances it, never by waiting.</summary>
public sealed class InProcessJobQueueTests : JobQueueContract<InProcessJobQueue>
{
    private readonly FakeTimeProvider _time = new();
    private readonly InProcessJobQueue _queue;

    public InProcessJobQueueTests() => _queue = new InProcessJobQueue(_time);

    protected override TimeProvider Time => _time;

    /// <summary>One process: the API and the workers share the one queue.</summary>
    protected override InProcessJobQueue Client(string name = "c1") => _queue;
}
