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
/// never loads the PDF parser, Tesseract or leptonica. Hosts start lazily (at most <see cref="SandboxOptions.Hosts"/>, one
/// request each at a time), are reused, and are replaced when they die or are killed for a limit.
/// </summary>
/// <remarks>
/// A host that crashes on a document (a stack overflow in the parser, a native fault) is replaced and the document is tried
/// once more on a fresh host: a single crash may be the machine's (the OOM killer, an operator's kill). Every crash is
/// counted by the bytes' SHA-256 in the <see cref="IEngineCrashLedger"/>; at <see cref="SandboxOptions.PoisonAfterCrashes"/>
/// the document fails with the final <see cref="DocumentErrorCode.EngineCrashed"/>, and the same bytes are refused at once
/// afterwards, by every worker sharing the ledger. A host killed for a limit fails the document at once (final
/// <see cref="DocumentErrorCode.Timeout"/> or <see cref="DocumentErrorCode.TooLarge"/>, naming the page and the limit).
/// </remarks>
public sealed partial class SandboxedDocumentEngine : IDocumentEngine, IPageRangeEngine, IDisposable
{
    private readonly SandboxOptions _options;
    private readonly byte[] _engineOptionsPayload;
    private readonly IEngineCrashLedger _ledger;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate;
    private readonly ConcurrentBag<EngineHostProcess> _idle = [];
    private readonly ConcurrentDictionary<int, EngineHostProcess> _all = new();
    private bool _disposed;

    public SandboxedDocumentEngine(SandboxOptions options, EngineOptions engineOptions, IEngineCrashLedger? ledger = null, ILogger<SandboxedDocumentEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engineOptions);
        _options = options;
        _ledger = ledger ?? new InProcessEngineCrashLedger();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Hosts = options.Hosts > 0 ? options.Hosts : engineOptions.Slots;
        _gate = new SemaphoreSlim(Hosts, Hosts);
        // The host reads one document at a time with its own slots; the rest of the options are the worker's.
        _engineOptionsPayload = HostProtocol.EngineOptionsPayload(engineOptions, options.HostSlots);
    }

    /// <summary>Most hosts at once.</summary>
    public int Hosts { get; }

    /// <summary>Process ids of the hosts alive now (for operators' tools and tests).</summary>
    public IReadOnlyCollection<int> HostProcessIds => [.. _all.Values.Where(h => !h.HasExited).Select(h => h.ProcessId)];

    /// <summary>Raised with a host's process id when one has started (tests kill it; logs name it).</summary>
    public event Action<int>? HostStarted;

    /// <summary>Starts every host of the pool at once, in the background (they load while the caller opens its store and
    /// reads its inputs), and returns when the first is ready: a host that cannot start, e.g. for a language that is not
    /// installed, throws here with its reason. Documents that come first wait for the hosts being started.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var first = StartIdleHostAsync(wait: true, cancellationToken);
        for (var i = 1; i < Hosts; i++)
            _ = Task.Run(() => StartIdleHostAsync(wait: false, CancellationToken.None), CancellationToken.None);
        return first;
    }

    /// <summary>One host started and put in the idle pool, holding a slot of the pool while it starts.</summary>
    /// <param name="wait">Wait for a slot and report a failure (the first host); else only when a slot is free at once,
    /// failures left to the first document that needs the host.</param>
    /// <param name="ct">Stops waiting for the slot and the host's start.</param>
    private async Task StartIdleHostAsync(bool wait, CancellationToken ct)
    {
        if (wait) await _gate.WaitAsync(ct).ConfigureAwait(false);
        else if (!_gate.Wait(0, ct)) return;
        try
        {
            _idle.Add(await AcquireAsync(ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (!wait && ex is InvalidOperationException or DocumentException or IOException)
        {
            // The first document that needs this host reports it (ObjectDisposedException is an InvalidOperationException).
        }
        finally
        {
            _gate.Release();
        }
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
        while (true)
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            EngineHostProcess? host = null;
            try
            {
                host = await AcquireAsync(ct).ConfigureAwait(false);
                var answer = await host.RequestAsync(kind, payload, ct).ConfigureAwait(false);
                return read(answer);
            }
            catch (EngineHostCrashedException crash) when (crash.KilledFromOutside && ++killed <= MaxOutsideKills)
            {
                // Not the document's doing: tried again on a fresh host without counting a crash against its bytes.
                Log.KilledFromOutside(_logger, host?.ProcessId ?? 0, sha, crash.Message);
            }
            catch (EngineHostCrashedException crash)
            {
                crashes = await _ledger.RecordCrashAsync(sha, ct).ConfigureAwait(false);
                Log.Crashed(_logger, host?.ProcessId ?? 0, sha, crashes, crash.Message);
                if (crashes >= _options.PoisonAfterCrashes)
                    throw Poisoned(crashes, crash);
            }
            finally
            {
                if (host is not null) Release(host);
                _gate.Release();
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

    private async Task<EngineHostProcess> AcquireAsync(CancellationToken ct)
    {
        while (_idle.TryTake(out var idle))
        {
            if (!idle.HasExited) return idle;
            Retire(idle);
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
        var host = await EngineHostProcess.StartAsync(_options, _engineOptionsPayload, ct).ConfigureAwait(false);
        _all[host.ProcessId] = host;
        Log.Started(_logger, host.ProcessId);
        HostStarted?.Invoke(host.ProcessId);
        return host;
    }

    private void Release(EngineHostProcess host)
    {
        if (_disposed || host.HasExited || (_options.MaxRequestsPerHost > 0 && host.Requests >= _options.MaxRequestsPerHost))
            Retire(host);
        else
            _idle.Add(host);
    }

    private void Retire(EngineHostProcess host)
    {
        _all.TryRemove(host.ProcessId, out _);
        host.Dispose();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        while (_idle.TryTake(out var host)) Retire(host);
        foreach (var host in _all.Values) host.Kill();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 260, Level = LogLevel.Information, Message = "Engine host {ProcessId} started")]
        public static partial void Started(ILogger logger, int processId);

        [LoggerMessage(EventId = 262, Level = LogLevel.Warning, Message = "Engine host {ProcessId} was killed from outside while on bytes {Sha256} (not counted as a crash): {Reason}")]
        public static partial void KilledFromOutside(ILogger logger, int processId, string sha256, string reason);

        [LoggerMessage(EventId = 261, Level = LogLevel.Warning, Message = "Engine host {ProcessId} crashed on bytes {Sha256} (crash {Crashes}): {Reason}")]
        public static partial void Crashed(ILogger logger, int processId, string sha256, int crashes, string reason);
    }
}
