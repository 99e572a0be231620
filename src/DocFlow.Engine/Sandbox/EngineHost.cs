using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Sandbox;

namespace DocFlow.Engine.Sandbox;

/// <summary>
/// The child side of the engine sandbox (<c>docflow engine-host</c>): one <see cref="LocalDocumentEngine"/>, requests read
/// from <paramref name="input"/> (the worker's pipe to its stdin) and answered on <paramref name="output"/> (its stdout), each
/// under its request id, with a progress frame when each of its pages starts and ends. Requests run at once, as many as the
/// worker sends (<see cref="SandboxOptions.HostDocuments"/>), their pages sharing the engine's slots. It ends when its
/// input ends (the worker closed the pipe or died), or after it ran out of memory (its state is not to be trusted then).
/// </summary>
public static class EngineHost
{
    /// <summary>The environment variable in which the worker gives its process id to its hosts.</summary>
    public const string ParentVariable = "DOCFLOW_ENGINE_HOST_PARENT";

    /// <summary>The request whose page runs on this flow (page threads inherit it), for its progress frames.</summary>
    private static readonly AsyncLocal<int> CurrentRequest = new();

    public static async Task<int> RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var sendLock = new Lock();
        void Send(byte kind, int id, byte[] payload)
        {
            lock (sendLock) HostProtocol.WriteFrameAsync(output, kind, id, payload, CancellationToken.None).GetAwaiter().GetResult();
        }

        WatchParent();
        var configure = await HostProtocol.ReadFrameAsync(input, cancellationToken).ConfigureAwait(false);
        if (configure is not { Kind: HostProtocol.Configure } config) return 2;
        var options = HostProtocol.ReadEngineOptions(config.Payload);
        LocalDocumentEngine engine;
        try
        {
            engine = new LocalDocumentEngine(options);
        }
        catch (Exception ex) when (ex is InvalidOperationException or DllNotFoundException)
        {
            Send(HostProtocol.Error, 0, HostProtocol.Payload(w => w.WriteError(new DocumentException(DocumentErrorCode.Internal, ex.Message))));
            return 1;
        }
        var running = new HashSet<Task>();
        var inFlight = 0;
        using (engine)
        {
            engine.PageProgress = (page, started) => Send(started ? HostProtocol.PageStarted : HostProtocol.PageFinished, CurrentRequest.Value, BitConverter.GetBytes(page));
            engine.WarmUp();
            Send(HostProtocol.Ready, 0, BitConverter.GetBytes(Environment.ProcessId));
            while (await HostProtocol.ReadFrameAsync(input, cancellationToken).ConfigureAwait(false) is { } frame)
            {
                Interlocked.Increment(ref inFlight);
                var request = Task.Run(() => Answer(frame.Kind, frame.Id, frame.Payload), CancellationToken.None);
                lock (running) running.Add(request);
                _ = request.ContinueWith(t => { lock (running) running.Remove(t); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            Task[] left;
            lock (running) left = [.. running];
            await Task.WhenAll(left).ConfigureAwait(false);
        }
        return 0;

        async Task Answer(byte kind, int id, byte[] payload)
        {
            CurrentRequest.Value = id;
            try
            {
                var answer = await AnswerAsync(engine, kind, payload, cancellationToken).ConfigureAwait(false);
                Send(HostProtocol.Result, id, answer);
            }
            catch (DocumentException ex)
            {
                Send(HostProtocol.Error, id, HostProtocol.Payload(w => w.WriteError(ex)));
            }
            catch (OutOfMemoryException)
            {
                // Alone, the document is too large for the host. With others beside it, the worker cannot tell whose
                // memory it was: the host ends without an answer, and the worker tries each of its documents again alone.
                if (Volatile.Read(ref inFlight) == 1)
                    Send(HostProtocol.Error, id, HostProtocol.Payload(w => w.WriteError(new DocumentException(DocumentErrorCode.TooLarge,
                        "The document needs more memory than the engine host may use (Engine:Sandbox:MaxMemoryBytes).") { Deterministic = true })));
                Environment.Exit(3);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Send(HostProtocol.Error, id, HostProtocol.Payload(w => w.WriteError(new DocumentException(DocumentErrorCode.Internal, $"Unexpected failure: {ex.Message}"))));
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    /// <summary>A worker killed with SIGKILL cannot kill its hosts: a host busy in a parser that never returns would outlive
    /// it. Once a second the host compares its parent process id with the one it started under and ends itself when it
    /// was orphaned (re-parented to init or a subreaper).</summary>
    private static void WatchParent()
    {
        // The worker names itself (a host that starts slowly may already be an orphan when it first looks).
        var parent = int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), System.Globalization.CultureInfo.InvariantCulture, out var named)
            ? named : ParentProcessId();
        if (parent is null) return;
        new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(1000);
                if (ParentProcessId() != parent) Environment.FailFast("engine host: its worker is gone");
            }
        }) { IsBackground = true, Name = "parent watch" }.Start();
    }

    private static int? ParentProcessId()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<byte[]> AnswerAsync(LocalDocumentEngine engine, byte kind, byte[] payload, CancellationToken ct)
    {
        using var r = HostProtocol.Reader(payload);
        switch (kind)
        {
            case HostProtocol.ProcessDocument:
            {
                var input = new DocumentInput(r.ReadString(), r.ReadBytes());
                var pages = r.ReadString();
                if (pages.Length > 0) input = input with { Pages = PageSelection.Parse(pages) };
                var result = await engine.ProcessAsync(input, ct).ConfigureAwait(false);
                return HostProtocol.Payload(w => w.WriteResult(result));
            }
            case HostProtocol.InspectDocument:
            {
                var outline = engine.Inspect(new DocumentInput(r.ReadString(), r.ReadBytes()));
                return HostProtocol.Payload(w =>
                {
                    w.Write(outline.MimeType);
                    w.Write(outline.Pages);
                });
            }
            case HostProtocol.ReadPages:
            {
                var input = new DocumentInput(r.ReadString(), r.ReadBytes());
                var pages = new PageRange(r.ReadInt32(), r.ReadInt32());
                var read = await engine.ProcessPagesAsync(input, pages, ct).ConfigureAwait(false);
                return HostProtocol.Payload(w =>
                {
                    w.Write(read.MimeType);
                    w.Write(PageLayoutJson.Serialize(read.Layouts));
                    w.WriteInts(read.RasterizedPages);
                });
            }
            case HostProtocol.FinishDocument:
            {
                var mime = r.ReadString();
                var layouts = PageLayoutJson.Deserialize(r.ReadString());
                var rasterized = r.ReadInts();
                var elapsed = TimeSpan.FromTicks(r.ReadInt64());
                var result = engine.Finish(mime, layouts, rasterized, elapsed, ct);
                return HostProtocol.Payload(w => w.WriteResult(result));
            }
            default:
                throw new InvalidDataException($"Unknown request kind {kind}.");
        }
    }
}
