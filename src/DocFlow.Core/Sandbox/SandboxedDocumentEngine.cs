using System.Collections.Concurrent;
using System.Security.Cryptography;
using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Queueing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.Sandbox;

/// <summary>
/// The engine ports served by a pool of engine hosts (<c>docflow engine-host</c> child processes): the worker process itself
/// never loads the PDF parser, Tesseract or leptonica. Hosts start lazily (at most <see cref="SandboxOptions.Hosts"/>, up to
/// <see cref="SandboxOptions.HostDocuments"/> requests each at a time), are reused, and are replaced when they die or are
/// killed for a limit.
/// </summary>
/// <remarks>
/// A host that crashes on a document (a stack overflow in the parser, a native fault) is replaced and the document is tried
/// once more on a fresh host: a single crash may be the machine's (the OOM killer, an operator's kill). Every crash of a
/// document alone in its host is counted by the bytes' SHA-256 in the <see cref="IEngineCrashLedger"/>; at
/// <see cref="SandboxOptions.PoisonAfterCrashes"/> the document fails with the final <see cref="DocumentErrorCode.EngineCrashed"/>,
/// and the same bytes are refused at once afterwards, by every worker sharing the ledger. A host killed for a limit fails
/// the document at once (final <see cref="DocumentErrorCode.Timeout"/> or <see cref="DocumentErrorCode.TooLarge"/>, naming
/// the page and the limit). When a host that read several documents dies or is killed, none of them is blamed: each is
/// tried again alone in a host (not counted), where the rules above apply to it.
/// </remarks>
public sealed partial class SandboxedDocumentEngine : IDocumentEngine, IPageRangeEngine, IDisposable
{
    private readonly SandboxOptions _options;
    private readonly byte[] _engineOptionsPayload;
    private readonly IEngineCrashLedger _ledger;
    private readonly ILogger _logger;
    /// <summary>Documents in the hosts at once (Hosts × HostDocuments); a request alone takes HostDocuments of them.</summary>
    private readonly SemaphoreSlim _gate;
    /// <summary>One request alone gathers its permits at a time (two half-gathered ones would wait for each other).</summary>
    private readonly SemaphoreSlim _aloneGate = new(1, 1);
    private readonly Lock _lock = new();
    private readonly List<HostEntry> _hosts = [];
    private bool _disposed;

    public SandboxedDocumentEngine(SandboxOptions options, EngineOptions engineOptions, IEngineCrashLedger? ledger = null, ILogger<SandboxedDocumentEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engineOptions);
        _options = options;
        _ledger = ledger ?? new InProcessEngineCrashLedger();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        HostDocuments = Math.Max(1, options.HostDocuments);
        Hosts = options.Hosts > 0 ? options.Hosts : Math.Max(1, (engineOptions.Slots + HostDocuments - 1) / HostDocuments);
        _gate = new SemaphoreSlim(Documents, Documents);
        // The host reads its documents with its own slots; the rest of the options are the worker's.
        _engineOptionsPayload = HostProtocol.EngineOptionsPayload(engineOptions, options.HostSlots > 0 ? options.HostSlots : HostDocuments);
    }

    /// <summary>Most hosts at once.</summary>
    public int Hosts { get; }

    /// <summary>Documents one host reads at once.</summary>
    public int HostDocuments { get; }

    /// <summary>Documents in the engine at once (all hosts).</summary>
    public int Documents => Hosts * HostDocuments;

    /// <summary>Process ids of the hosts alive now (for operators' tools and tests).</summary>
    public IReadOnlyCollection<int> HostProcessIds
    {
        get
        {
            lock (_lock)
                return [.. _hosts.Where(h => h.Started.IsCompletedSuccessfully && !h.Started.Result.HasExited).Select(h => h.Started.Result.ProcessId)];
        }
    }

    /// <summary>Raised with a host's process id when one has started (tests kill it; logs name it).</summary>
    public event Action<int>? HostStarted;

    /// <summary>Starts every host of the pool at once, in the background (they load while the caller opens its store and
    /// reads its inputs), and returns when the first is ready: a host that cannot start, e.g. for a language that is not
    /// installed, throws here with its reason. Documents that come first join the hosts being started.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var started = new List<Task<EngineHostProcess>>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var i = _hosts.Count; i < Hosts; i++)
            {
                var entry = NewEntry();
                started.Add(entry.Started);
            }
        }
        foreach (var task in started.Skip(1))
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return started.Count > 0 ? started[0].WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    public Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var payload = HostProtocol.Payload(w =>
        {
            w.Write(input.Name);
            w.WriteBytes(input.Content.Span);
            // The page selection (empty: every page), in the form the job stores it.
            w.Write(input.Pages?.ToString() ?? "");
        });
        return RunAsync(input.Content, HostProtocol.ProcessDocument, payload,
            static r => HostProtocol.ReadResult(HostProtocol.Reader(r)), cancellationToken);
    }

    public DocumentOutline Inspect(DocumentInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var payload = HostProtocol.Payload(w =>
        {
            w.Write(input.Name);
            w.WriteBytes(input.Content.Span);
        });
        return RunAsync(input.Content, HostProtocol.InspectDocument, payload, static r =>
        {
            using var reader = HostProtocol.Reader(r);
            return new DocumentOutline(reader.ReadString(), reader.ReadInt32());
        }, CancellationToken.None).GetAwaiter().GetResult();
    }

    public Task<PageRangeResult> ProcessPagesAsync(DocumentInput input, PageRange pages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var payload = HostProtocol.Payload(w =>
        {
            w.Write(input.Name);
            w.WriteBytes(input.Content.Span);
            w.Write(pages.First);
            w.Write(pages.Last);
        });
        return RunAsync(input.Content, HostProtocol.ReadPages, payload, static r =>
        {
            using var reader = HostProtocol.Reader(r);
            var mime = reader.ReadString();
            var layouts = PageLayoutJson.Deserialize(reader.ReadString());
            return new PageRangeResult(mime, layouts, reader.ReadInts());
        }, cancellationToken);
    }

    public DocumentResult Finish(string mimeType, IReadOnlyList<PageLayout> layouts, IReadOnlyCollection<int> rasterizedPages,
        TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var payload = HostProtocol.Payload(w =>
        {
            w.Write(mimeType);
            w.Write(PageLayoutJson.Serialize(layouts));
            w.WriteInts(rasterizedPages);
            w.Write(elapsed.Ticks);
        });
        return RunAsync(payload, HostProtocol.FinishDocument, payload,
            static r => HostProtocol.ReadResult(HostProtocol.Reader(r)), cancellationToken).GetAwaiter().GetResult();
    }

    private async Task<T> RunAsync<T>(ReadOnlyMemory<byte> content, byte kind, byte[] payload, Func<byte[], T> read, CancellationToken ct)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var crashes = await _ledger.GetCrashesAsync(sha, ct).ConfigureAwait(false);
        if (crashes >= _options.PoisonAfterCrashes)
            throw Poisoned(crashes, null);
        var killed = 0;
        // With one document per host every request is alone; else alone only after a host it shared died.
        var alone = HostDocuments == 1;
        while (true)
        {
            var lease = await AcquireAsync(alone, ct).ConfigureAwait(false);
            try
            {
                var answer = await lease.Host.RequestAsync(kind, payload, ct).ConfigureAwait(false);
                return read(answer);
            }
            catch (EngineHostCrashedException crash) when (crash.RetryAlone && !alone)
            {
                // Not known to be these bytes' doing: tried again alone in a host, not counted.
                Log.SharedHostDied(_logger, lease.Host.ProcessId, sha, crash.Message);
                alone = true;
            }
            catch (EngineHostCrashedException crash) when ((crash.KilledFromOutside || crash.RetryAlone) && ++killed <= MaxOutsideKills)
            {
                // Not the document's doing: tried again on a fresh host without counting a crash against its bytes.
                Log.KilledFromOutside(_logger, lease.Host.ProcessId, sha, crash.Message);
            }
            catch (EngineHostCrashedException crash)
            {
                crashes = await _ledger.RecordCrashAsync(sha, ct).ConfigureAwait(false);
                Log.Crashed(_logger, lease.Host.ProcessId, sha, crashes, crash.Message);
                if (crashes >= _options.PoisonAfterCrashes)
                    throw Poisoned(crashes, crash);
            }
            finally
            {
                Release(lease);
            }
        }
    }

    /// <summary>Hosts killed from outside (SIGKILL) while on one request before the next such death counts as a crash.</summary>
    private const int MaxOutsideKills = 3;

    private DocumentException Poisoned(int crashes, EngineHostCrashedException? last) =>
        new(DocumentErrorCode.EngineCrashed, last is null
            ? $"These bytes crashed the engine {crashes} times before (Engine:Sandbox:PoisonAfterCrashes = {_options.PoisonAfterCrashes}); they are not tried again."
            : $"{last.Message} The same bytes crashed the engine {crashes} times (Engine:Sandbox:PoisonAfterCrashes = {_options.PoisonAfterCrashes}); they are not tried again.",
            last)
        { Deterministic = true };

    /// <summary>A host started (or being started) in the pool, and the requests it holds.</summary>
    private sealed class HostEntry(Task<EngineHostProcess> started)
    {
        public Task<EngineHostProcess> Started { get; } = started;
        public int InFlight { get; set; }

        /// <summary>A request alone holds it: nobody joins.</summary>
        public bool Exclusive { get; set; }

        /// <summary>Out of the pool (dead, or at MaxRequestsPerHost): disposed when its last request leaves.</summary>
        public bool Retired { get; set; }

        public bool Usable => !Retired && (!Started.IsCompleted || (Started.IsCompletedSuccessfully && !Started.Result.HasExited));
    }

    private sealed record Lease(HostEntry Entry, EngineHostProcess Host, bool Alone);

    /// <summary>Under <see cref="_lock"/>: a new host, starting in the background, in the pool.</summary>
    private HostEntry NewEntry()
    {
        var entry = new HostEntry(StartHostAsync());
        _hosts.Add(entry);
        return entry;
    }

    private async Task<EngineHostProcess> StartHostAsync()
    {
        await Task.Yield(); // not under the caller's lock
        var host = await EngineHostProcess.StartAsync(_options, _engineOptionsPayload, CancellationToken.None).ConfigureAwait(false);
        bool disposed;
        lock (_lock) disposed = _disposed;
        if (disposed)
        {
            host.Dispose();
            throw new ObjectDisposedException(nameof(SandboxedDocumentEngine));
        }
        Log.Started(_logger, host.ProcessId);
        HostStarted?.Invoke(host.ProcessId);
        return host;
    }

    /// <summary>A place in a host: the least busy one with room (a new host while fewer than Hosts run), or, alone, a host
    /// with nothing else in it, held exclusively.</summary>
    private async Task<Lease> AcquireAsync(bool alone, CancellationToken ct)
    {
        var permits = alone ? HostDocuments : 1;
        if (alone)
        {
            await _aloneGate.WaitAsync(ct).ConfigureAwait(false);
            var taken = 0;
            try
            {
                for (; taken < permits; taken++) await _gate.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (taken > 0) _gate.Release(taken);
                throw;
            }
            finally
            {
                _aloneGate.Release();
            }
        }
        else
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
        }
        try
        {
            while (true)
            {
                HostEntry entry;
                List<HostEntry>? gone = null;
                lock (_lock)
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    // Hosts that died (or never started) while idle leave the pool here.
                    foreach (var idle in _hosts.Where(h => h.InFlight == 0 && h.Started.IsCompleted && !h.Usable))
                        (gone ??= []).Add(idle);
                    if (gone is not null) _hosts.RemoveAll(gone.Contains);
                    entry = alone
                        ? _hosts.FirstOrDefault(h => h.Usable && h.InFlight == 0) ?? NewEntry()
                        : _hosts.Where(h => h.Usable && !h.Exclusive && h.InFlight < HostDocuments).MinBy(h => h.InFlight)
                          ?? NewEntry();
                    entry.InFlight++;
                    entry.Exclusive = alone;
                }
                foreach (var dead in gone ?? [])
                    if (dead.Started.IsCompletedSuccessfully) dead.Started.Result.Dispose();
                EngineHostProcess host;
                try
                {
                    host = await entry.Started.WaitAsync(ct).ConfigureAwait(false);
                }
                catch
                {
                    Leave(entry, alone);
                    throw;
                }
                if (!host.HasExited) return new Lease(entry, host, alone);
                Leave(entry, alone); // died while idle: replaced
            }
        }
        catch
        {
            _gate.Release(permits);
            throw;
        }
    }

    private void Release(Lease lease)
    {
        Leave(lease.Entry, lease.Alone);
        _gate.Release(lease.Alone ? HostDocuments : 1);
    }

    /// <summary>A request leaves its host; a dead, worn-out or surplus host is retired (disposed once empty).</summary>
    private void Leave(HostEntry entry, bool alone)
    {
        EngineHostProcess? dispose = null;
        lock (_lock)
        {
            entry.InFlight--;
            if (alone) entry.Exclusive = false;
            var host = entry.Started.IsCompletedSuccessfully ? entry.Started.Result : null;
            if (_disposed || !entry.Usable || entry.Started.IsFaulted
                || (host is not null && _options.MaxRequestsPerHost > 0 && host.Requests >= _options.MaxRequestsPerHost)
                || (entry.InFlight == 0 && _hosts.Count(h => h.Usable) > Hosts))
            {
                entry.Retired = true;
                _hosts.Remove(entry);
            }
            if (entry.Retired && entry.InFlight == 0) dispose = host;
        }
        dispose?.Dispose();
    }

    public void Dispose()
    {
        List<HostEntry> hosts;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            hosts = [.. _hosts];
            _hosts.Clear();
        }
        foreach (var entry in hosts)
        {
            if (!entry.Started.IsCompletedSuccessfully) continue;
            if (entry.InFlight == 0) entry.Started.Result.Dispose();
            else entry.Started.Result.Kill();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 260, Level = LogLevel.Information, Message = "Engine host {ProcessId} started")]
        public static partial void Started(ILogger logger, int processId);

        [LoggerMessage(EventId = 262, Level = LogLevel.Warning, Message = "Engine host {ProcessId} was killed from outside while on bytes {Sha256} (not counted as a crash): {Reason}")]
        public static partial void KilledFromOutside(ILogger logger, int processId, string sha256, string reason);

        [LoggerMessage(EventId = 263, Level = LogLevel.Warning, Message = "Engine host {ProcessId} died while it read more than one document; bytes {Sha256} are tried again alone (not counted as a crash): {Reason}")]
        public static partial void SharedHostDied(ILogger logger, int processId, string sha256, string reason);

        [LoggerMessage(EventId = 261, Level = LogLevel.Warning, Message = "Engine host {ProcessId} crashed on bytes {Sha256} (crash {Crashes}): {Reason}")]
        public static partial void Crashed(ILogger logger, int processId, string sha256, int crashes, string reason);
    }
}
