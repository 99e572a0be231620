using System.Diagnostics;
using System.Globalization;
using System.Text;
using DocFlow.Processing;

namespace DocFlow.Sandbox;

/// <summary>
/// One <c>docflow engine-host</c> child process: started, configured, asked requests (several at once when
/// <see cref="SandboxOptions.HostDocuments"/> allows), and watched while it works (resident memory and CPU time from /proc,
/// progress frames, the two wall-time tiers). A limit broken kills it (SIGKILL, with its children); its death while working
/// is a crash. A request that had another beside it in the host at any time of its life (<see
/// cref="EngineHostCrashedException.RetryAlone"/>) is never blamed for the host's death: it is to be tried again alone.
/// </summary>
public sealed class EngineHostProcess : IDisposable
{
    private const int ClockTicksPerSecond = 100; // USER_HZ: 100 on every Linux the project runs on
    private readonly Process _process;
    private readonly SandboxOptions _options;
    private readonly Stream _toHost;
    private readonly Stream _fromHost;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stderrHead = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Dictionary<int, Watch> _pending = [];
    private int _nextId;
    private Task? _reading;
    private Task? _watching;
    private readonly CancellationTokenSource _stop = new();
    private long _lastProgress = Stopwatch.GetTimestamp();
    private volatile string? _killedFor;
    private volatile Watch? _killedForRequest;
    private DocumentErrorCode _killCode;
    private volatile bool _sharedDeath;
    private bool _dead;

    private EngineHostProcess(Process process, SandboxOptions options)
    {
        _process = process;
        _options = options;
        _toHost = process.StandardInput.BaseStream;
        _fromHost = process.StandardOutput.BaseStream;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
            {
                if (_stderrHead.Length < 2048) _stderrHead.AppendLine(e.Data); // a runtime's last words come first ("Stack overflow.")
                _stderr.AppendLine(e.Data);
                if (_stderr.Length > 8192) _stderr.Remove(0, _stderr.Length - 4096);
            }
        };
        _process.BeginErrorReadLine();
    }

    public int ProcessId => _process.Id;

    /// <summary>Requests sent so far.</summary>
    public int Requests { get; private set; }

    /// <summary>Requests sent and not yet answered.</summary>
    public int InFlight
    {
        get { lock (_pending) return _pending.Count; }
    }

    public bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; }
        }
    }

    /// <summary>What the host wrote to its standard error (its log, a runtime's last words), the last few KB.</summary>
    public string StandardError
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Starts a host and waits for its ready frame.</summary>
    /// <param name="options">The sandbox's limits and the host command.</param>
    /// <param name="engineOptions">The engine options the host runs with (<see cref="HostProtocol.EngineOptionsPayload"/>).</param>
    /// <param name="cancellationToken">Stops waiting (the host is killed).</param>
    public static async Task<EngineHostProcess> StartAsync(SandboxOptions options, byte[] engineOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var psi = HostStartInfo(options);
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.Environment["OMP_THREAD_LIMIT"] = "1";
        // The host ends itself when it is no longer this process's child (a worker killed with SIGKILL).
        psi.Environment["DOCFLOW_ENGINE_HOST_PARENT"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        // The managed heap fails with OutOfMemoryException (reported as too_large) before the watchdog has to kill.
        // Tiered re-compilation for long-lived hosts, ReadyToRun code as it is for a short run's (SandboxOptions.HostTieredCompilation),
        // whatever the worker itself runs with.
        psi.Environment["DOTNET_TieredCompilation"] = options.HostTieredCompilation ? "1" : "0";
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x" + options.MaxMemoryBytes.ToString("X", CultureInfo.InvariantCulture);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"The engine host '{psi.FileName}' could not be started.");
        var host = new EngineHostProcess(process, options);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.StartTimeout);
            await HostProtocol.WriteFrameAsync(host._toHost, HostProtocol.Configure, 0, engineOptions, deadline.Token).ConfigureAwait(false);
            var frame = await HostProtocol.ReadFrameAsync(host._fromHost, deadline.Token).ConfigureAwait(false);
            if (frame is { Kind: HostProtocol.Ready })
            {
                host._reading = Task.Run(host.ReadAsync, CancellationToken.None);
                host._watching = Task.Run(host.WatchAsync, CancellationToken.None);
                return host;
            }
            if (frame is { Kind: HostProtocol.Error } error)
                throw HostProtocol.ReadError(HostProtocol.Reader(error.Payload));
            await Task.Delay(200, CancellationToken.None).ConfigureAwait(false); // let its last words reach stderr
            throw new InvalidOperationException($"The engine host ({psi.FileName} {string.Join(' ', psi.ArgumentList)}) exited while starting: {host.StandardError.Trim()}");
        }
        catch (Exception ex)
        {
            host.Kill();
            host.Dispose();
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                throw new InvalidOperationException($"The engine host did not start within {options.StartTimeout.TotalSeconds:F0} s (Engine:Sandbox:StartTimeout).", ex);
            throw;
        }
    }

    /// <summary>This program again (<c>docflow engine-host</c>), or <see cref="SandboxOptions.HostCommand"/>.</summary>
    public static ProcessStartInfo HostStartInfo(SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ProcessStartInfo psi;
        if (!string.IsNullOrWhiteSpace(options.HostCommand))
        {
            psi = new ProcessStartInfo(options.HostCommand);
            foreach (var a in (options.HostArguments ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)) psi.ArgumentList.Add(a);
        }
        else if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "docflow")
        {
            psi = new ProcessStartInfo(self);
        }
        else
        {
            // Run by `dotnet` (tests, tools): docflow.dll beside this program.
            var dll = Path.Combine(AppContext.BaseDirectory, "docflow.dll");
            if (!File.Exists(dll))
                throw new InvalidOperationException($"No engine host to start: {dll} does not exist; set Engine:Sandbox:HostCommand or turn the sandbox off (Engine:Sandbox:Enabled=false).");
            psi = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet");
            psi.ArgumentList.Add(dll);
        }
        psi.ArgumentList.Add("engine-host");
        return psi;
    }

    /// <summary>Sends one request and waits for its answer, watching the limits meanwhile.</summary>
    /// <returns>The payload of the result frame.</returns>
    /// <exception cref="DocumentException">The host's own error for the document (it stays usable), or a limit that made
    /// the worker kill it (<see cref="DocumentErrorCode.Timeout"/>, <see cref="DocumentErrorCode.TooLarge"/>) while the
    /// request was alone in it.</exception>
    /// <exception cref="EngineHostCrashedException">The host died without being killed for a limit, or while the request
    /// was not alone in it (<see cref="EngineHostCrashedException.RetryAlone"/>).</exception>
    public async Task<byte[]> RequestAsync(byte kind, byte[] payload, CancellationToken cancellationToken)
    {
        var watch = new Watch();
        int id;
        bool dead;
        lock (_pending)
        {
            dead = _dead;
            id = ++_nextId;
            Requests++;
            if (_pending.Count > 0)
            {
                watch.SawOthers = true;
                foreach (var other in _pending.Values) other.SawOthers = true;
            }
            _pending[id] = watch;
        }
        if (dead) Fail(id, watch); // died before: its death was read already
        try
        {
            await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await HostProtocol.WriteFrameAsync(_toHost, kind, id, payload, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The host is gone: its death is read by the reader.
            }
            finally
            {
                _sending.Release();
            }
            return await watch.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // It may be in the middle of a page: a fresh host serves the next request. Any other request in it is tried
            // again alone.
            bool alone;
            lock (_pending)
            {
                _pending.Remove(id);
                alone = _pending.Count == 0;
            }
            if (!alone) _sharedDeath = true;
            Kill();
            throw;
        }
    }

    /// <summary>The host's frames, handed to their requests; at the end of its output, its death to every request left.</summary>
    private async Task ReadAsync()
    {
        try
        {
            while (await HostProtocol.ReadFrameAsync(_fromHost, CancellationToken.None).ConfigureAwait(false) is { } frame)
            {
                Watch? watch;
                lock (_pending) _pending.TryGetValue(frame.Id, out watch);
                if (watch is null) continue; // a request given up (cancelled)
                switch (frame.Kind)
                {
                    case HostProtocol.PageStarted:
                        Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());
                        watch.PageStarted(BitConverter.ToInt32(frame.Payload), HasExited ? watch.Cpu : Usage().Cpu);
                        break;
                    case HostProtocol.PageFinished:
                        Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());
                        watch.Progressed();
                        break;
                    case HostProtocol.Result:
                        if (Remove(frame.Id)) watch.Answer.TrySetResult(frame.Payload);
                        break;
                    case HostProtocol.Error:
                        if (Remove(frame.Id)) watch.Answer.TrySetException(HostProtocol.ReadError(HostProtocol.Reader(frame.Payload)));
                        break;
                    default:
                        _sharedDeath = true; // not a document's doing
                        Kill();
                        throw new InvalidDataException($"The engine host sent an unknown frame kind {frame.Kind}.");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ObjectDisposedException)
        {
            // Its death is read below.
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await DiedAsync().ConfigureAwait(false);
    }

    private bool Remove(int id)
    {
        lock (_pending) return _pending.Remove(id);
    }

    /// <summary>Every request left gets the host's death: a limit or a crash when it was alone in the host its whole life,
    /// else <see cref="EngineHostCrashedException.RetryAlone"/>.</summary>
    private async Task DiedAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
        }
        KeyValuePair<int, Watch>[] left;
        lock (_pending)
        {
            _dead = true;
            left = [.. _pending];
        }
        foreach (var (id, watch) in left) Fail(id, watch);
    }

    private void Fail(int id, Watch watch)
    {
        if (!Remove(id)) return;
        watch.Answer.TrySetException(Death(watch));
    }

    private Exception Death(Watch watch)
    {
        var where = watch.Page is { } page ? $" on page {page}" : "";
        if (watch.SawOthers || _sharedDeath || (_killedFor is not null && _killedForRequest != watch))
            return new EngineHostCrashedException(watch.Page,
                $"The engine host{(_killedFor is { } why ? $" was stopped ({why})" : " died")} while it read more than one document.")
            {
                RetryAlone = true,
            };
        if (_killedFor is { } reason)
            return new DocumentException(_killCode, $"The engine was stopped{where}: {reason}") { Deterministic = true };
        var exit = HasExited ? _process.ExitCode : -1;
        var signal = exit > 128 ? $", signal {exit - 128}{SignalName(exit - 128)}" : "";
        string head;
        lock (_stderr) head = _stderrHead.ToString();
        var last = LastWords(head + StandardError);
        return new EngineHostCrashedException(watch.Page,
            $"The engine host crashed{where} (exit code {exit}{signal}){(last.Length > 0 ? $": {last.TrimEnd('.')}" : "")}.")
        {
            // SIGKILL from outside (an operator, the OOM killer, a chaos test): the process was ended, the bytes did
            // not crash it. A parser's stack overflow aborts (SIGABRT), a native fault is SIGSEGV/SIGBUS.
            KilledFromOutside = exit == 128 + 9,
        };
    }

    private static string SignalName(int signal) => signal switch { 6 => " SIGABRT", 9 => " SIGKILL", 11 => " SIGSEGV", 7 => " SIGBUS", _ => "" };

    /// <summary>The runtime's message of a crash ("Stack overflow.", an unhandled exception), not the repeated frames.</summary>
    private static string LastWords(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var overflow = lines.FirstOrDefault(l => l.StartsWith("Stack overflow", StringComparison.Ordinal));
        if (overflow is not null) return overflow;
        var unhandled = lines.FirstOrDefault(l => l.StartsWith("Unhandled exception", StringComparison.Ordinal));
        return unhandled ?? (lines.Length > 0 ? lines[^1] : "");
    }

    /// <summary>The watchdog: while requests are in the host, its memory (the host's) and each request's time, progress
    /// (its own or, with others beside it, any page of the host) and CPU per page (the host's since the page started).</summary>
    private async Task WatchAsync()
    {
        using var timer = new PeriodicTimer(_options.PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Watch[] watches;
                lock (_pending) watches = [.. _pending.Values];
                if (watches.Length == 0) continue;
                if (HasExited) return;
                var (rss, cpu) = Usage();
                var now = Stopwatch.GetTimestamp();
                var hostProgress = Volatile.Read(ref _lastProgress);
                string? reason = null;
                Watch? culprit = null;
                var code = DocumentErrorCode.Timeout;
                if (rss > _options.MaxMemoryBytes)
                {
                    (reason, code) = ($"it used {rss / (1024 * 1024)} MB of memory, more than the limit of {_options.MaxMemoryBytes / (1024 * 1024)} MB (Engine:Sandbox:MaxMemoryBytes)",
                        DocumentErrorCode.TooLarge);
                    culprit = watches.Length == 1 ? watches[0] : null;
                }
                else
                {
                    foreach (var watch in watches)
                    {
                        var progress = watch.SawOthers ? Math.Max(watch.LastProgress, hostProgress) : watch.LastProgress;
                        if (Stopwatch.GetElapsedTime(watch.Started, now) > _options.TotalTimeout)
                            reason = $"it ran longer than the limit of {Seconds(_options.TotalTimeout)} (Engine:Sandbox:TotalTimeout)";
                        else if (Stopwatch.GetElapsedTime(progress, now) > _options.NoProgressTimeout)
                            reason = $"it made no progress for {Seconds(_options.NoProgressTimeout)} (Engine:Sandbox:NoProgressTimeout)";
                        else if (cpu - watch.CpuAtPageStart(cpu) > _options.CpuPerPage)
                            reason = $"the page used more than {Seconds(_options.CpuPerPage)} of CPU time (Engine:Sandbox:CpuPerPage)";
                        if (reason is null) continue;
                        culprit = watch;
                        break;
                    }
                }
                if (reason is not null)
                {
                    _killCode = code;
                    _killedForRequest = culprit;
                    _killedFor = reason;
                    if (watches.Length > 1) _sharedDeath = true;
                    Kill();
                    return;
                }
                foreach (var watch in watches) watch.Cpu = cpu;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s");

    /// <summary>Resident memory of the host and its live children, and their CPU time (reaped children included).</summary>
    private (long Rss, TimeSpan Cpu) Usage()
    {
        long rss = 0, ticks = 0;
        foreach (var pid in ProcessTree(_process.Id))
        {
            var (r, t) = ReadProc(pid, pid == _process.Id);
            rss += r;
            ticks += t;
        }
        return (rss, TimeSpan.FromSeconds((double)ticks / ClockTicksPerSecond));
    }

    private static IEnumerable<int> ProcessTree(int root)
    {
        yield return root;
        string[] tasks;
        try { tasks = Directory.GetDirectories($"/proc/{root}/task"); }
        catch (IOException) { yield break; }
        catch (UnauthorizedAccessException) { yield break; }
        foreach (var task in tasks)
        {
            string children;
            try { children = File.ReadAllText(Path.Combine(task, "children")); }
            catch (IOException) { continue; }
            foreach (var c in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(c, CultureInfo.InvariantCulture, out var child))
                    foreach (var d in ProcessTree(child)) yield return d;
        }
    }

    private static (long Rss, long Ticks) ReadProc(int pid, bool withReaped)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14-17 of proc(5): utime, stime, cutime, cstime; field 24: rss in pages.
            long ticks = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
            if (withReaped) ticks += long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture);
            var rss = long.Parse(f[21], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
            return (rss, ticks);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    /// <summary>SIGKILL to the host and its children.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>Closes its stdin (a host at rest exits at once) and kills it if it is still there.</summary>
    public void Dispose()
    {
        try { _toHost.Dispose(); } catch (IOException) { }
        try
        {
            if (!_process.WaitForExit(TimeSpan.FromSeconds(2))) Kill();
        }
        catch (InvalidOperationException)
        {
        }
        _stop.Cancel();
        try
        {
            _reading?.Wait(TimeSpan.FromSeconds(5));
            _watching?.Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
        }
        _process.Dispose();
        _stop.Dispose();
        _sending.Dispose();
    }

    /// <summary>What the watchdog knows of one request in flight.</summary>
    private sealed class Watch
    {
        private TimeSpan? _cpuAtPageStart;
        public TaskCompletionSource<byte[]> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long Started { get; } = Stopwatch.GetTimestamp();
        public long LastProgress { get; private set; } = Stopwatch.GetTimestamp();
        public int? Page { get; private set; }
        public TimeSpan Cpu { get; set; }

        /// <summary>Whether another request was in the host at some time of this one's life.</summary>
        public bool SawOthers { get; set; }

        public void PageStarted(int page, TimeSpan cpuNow)
        {
            Page = page;
            LastProgress = Stopwatch.GetTimestamp();
            _cpuAtPageStart = cpuNow;
        }

        public void Progressed() => LastProgress = Stopwatch.GetTimestamp();

        /// <summary>CPU time when the current page started (the request's start before the first page).</summary>
        public TimeSpan CpuAtPageStart(TimeSpan now) => _cpuAtPageStart ??= now;
    }
}

/// <summary>The engine host died while working, without being killed for a limit: a crash of the parser or of native code.</summary>
public sealed class EngineHostCrashedException(int? page, string message) : Exception(message)
{
    public int? Page { get; } = page;

    /// <summary>Ended by a SIGKILL this process did not send (not a crash of the bytes' making).</summary>
    public bool KilledFromOutside { get; init; }

    /// <summary>The host read other documents beside this one: its death (a crash, a limit, a kill) is not put down to these
    /// bytes; the document is to be tried again alone in a host, where a crash counts.</summary>
    public bool RetryAlone { get; init; }
}
