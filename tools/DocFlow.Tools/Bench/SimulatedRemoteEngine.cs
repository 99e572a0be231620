using DocFlow.Documents;
using DocFlow.Processing;

namespace DocFlow.Tools.Bench;

/// <summary>
/// A latency simulation for the benchmark, not an API client: an <see cref="IDocumentEngine"/> that answers after a
/// fixed delay (2.3 s, the cloud document API latency of the proposal) with a one-page Document, doing no work.
/// It shows how many documents one worker process keeps in flight when the engine is remote and slow.
/// </summary>
internal sealed class SimulatedRemoteEngine(TimeSpan latency, TimeProvider time) : IDocumentEngine
{
    public static readonly TimeSpan ProposalLatency = TimeSpan.FromMilliseconds(2300);

    private int _inFlight;
    private int _maxInFlight;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public async Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }
        try
        {
            await Task.Delay(latency, time, cancellationToken).ConfigureAwait(false);
            var text = $"simulated remote answer for {input.Name} ({input.Content.Length} bytes)";
            var document = new Document { Text = text, MimeType = "application/pdf", Pages = [new Page { PageNumber = 1 }] };
            return new DocumentResult(document, new ProcessingStats("application/pdf", 1, [], [], new Dictionary<int, int>(), latency));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
