using DocFlow.Documents;
using DocFlow.Processing;

namespace DocFlow.Engines.Cloud;

/// <summary>One document waiting in a pack: its input, its inspection and the Document it will get.</summary>
internal sealed class PackItem(DocumentInput input, DocumentOutline outline)
{
    private readonly TaskCompletionSource<Document> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DocumentInput Input { get; } = input;
    public DocumentOutline Outline { get; } = outline;
    public Task<Document> Result => _result.Task;
    public bool TrySucceed(Document document) => _result.TrySetResult(document);
    public bool TryFail(Exception error) => _result.TrySetException(error);
    public bool TryCancel() => _result.TrySetCanceled();
}

/// <summary>Documents sent in one request: filled until <see cref="RequestPacker.MaxPages"/> pages or the byte limit,
/// or until its window ends.</summary>
internal sealed class Pack : IDisposable
{
    private int _waiting;

    public List<PackItem> Items { get; } = [];
    public int Pages { get; private set; }
    public long Bytes { get; private set; }
    public ITimer? Timer { get; set; }

    /// <summary>Cancelled when no caller waits for the pack any more (all of them cancelled).</summary>
    public CancellationTokenSource Abandoned { get; } = new();

    public void Add(PackItem item)
    {
        Items.Add(item);
        Pages += item.Outline.Pages;
        Bytes += item.Input.Content.Length;
        _waiting++;
    }

    public void Remove(PackItem item)
    {
        if (!Items.Remove(item)) return;
        Pages -= item.Outline.Pages;
        Bytes -= item.Input.Content.Length;
        _waiting--;
    }

    /// <summary>A caller of a sealed pack stopped waiting; the last one abandons the pack.</summary>
    public void Left()
    {
        if (Interlocked.Decrement(ref _waiting) == 0)
        {
            try
            {
                Abandoned.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Sent and done already.
            }
        }
    }

    public void Dispose()
    {
        Timer?.Dispose();
        Abandoned.Dispose();
    }
}

/// <summary>
/// Request packing for one cloud engine (so one endpoint and processor): documents that arrive while a pack is open join
/// it; the pack leaves when it holds <see cref="MaxPages"/> pages, when the next document would take it over
/// <see cref="MaxPages"/> pages or <see cref="MaxBytes"/>, or when its window (from its first document) ends.
/// <see cref="Send"/> then takes it (assembly, the request, the split) and completes every item.
/// </summary>
internal sealed class RequestPacker(int maxPages, long maxBytes, TimeSpan window, TimeProvider time, Action<Pack> send)
{
    private readonly Lock _gate = new();
    private Pack? _open;

    public int MaxPages { get; } = maxPages;
    public long MaxBytes { get; } = maxBytes;
    private Action<Pack> Send { get; } = send;

    /// <summary>Whether a document of this outline and size may join a pack.</summary>
    public bool Accepts(DocumentOutline outline, int bytes) =>
        outline.Pages < MaxPages && bytes <= MaxBytes / 2 && PackAssembler.CanPack(outline.MimeType);

    /// <summary>The document's own Document, split from its pack's answer.</summary>
    /// <exception cref="CloudUnavailableException">The pack's request failed as an unpacked one would (breaker open,
    /// quota, timeouts, 5xx, unreachable): the document falls back as it would alone.</exception>
    /// <exception cref="PackRefusedException">The pack could not take this document, or its answer could not be split,
    /// or the endpoint refused the pack (4xx other than 429): the document should be sent alone.</exception>
    public async Task<Document> ProcessAsync(DocumentInput input, DocumentOutline outline, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var item = new PackItem(input, outline);
        Pack? full = null, filled = null, pack;
        lock (_gate)
        {
            if (_open is not null && (_open.Pages + outline.Pages > MaxPages || _open.Bytes + input.Content.Length > MaxBytes))
                (full, _open) = (_open, null);
            if (_open is null)
            {
                _open = new Pack();
                var opened = _open;
                if (window > TimeSpan.Zero)
                    opened.Timer = time.CreateTimer(_ => Expire(opened), null, window, Timeout.InfiniteTimeSpan);
            }
            pack = _open;
            pack.Add(item);
            if (pack.Pages >= MaxPages || window <= TimeSpan.Zero)
                (filled, _open) = (_open, null);
        }
        if (full is not null) Seal(full);
        if (filled is not null) Seal(filled);

        await using var registration = ct.Register(() => Withdraw(pack, item)).ConfigureAwait(false);
        return await item.Result.ConfigureAwait(false);
    }

    /// <summary>A caller gave up: out of a pack still open; a sealed pack goes on without it (its result is dropped).</summary>
    private void Withdraw(Pack pack, PackItem item)
    {
        bool open;
        lock (_gate)
        {
            open = ReferenceEquals(pack, _open);
            if (open)
            {
                pack.Remove(item);
                if (pack.Items.Count == 0)
                {
                    _open = null;
                    pack.Dispose();
                }
            }
        }
        if (!open) pack.Left();
        item.TryCancel();
    }

    private void Expire(Pack pack)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(pack, _open)) return;
            _open = null;
        }
        Seal(pack);
    }

    private void Seal(Pack pack)
    {
        pack.Timer?.Dispose();
        Send(pack);
    }
}

/// <summary>The pack could not carry this document; it should be sent alone. <see cref="Reason"/> labels the metric.</summary>
internal sealed class PackRefusedException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
