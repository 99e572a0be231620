using System.Diagnostics;
using System.Globalization;
using System.Text;
using DocFlow.Processing;

namespace DocFlow.Sandbox;

/// <summary>
/// One <c>docflow engine-host</c> child process: started, configured, asked one request at a time, and watched while it
/// works (resident memory and CPU time from /proc, progress frames, the two wall-time tiers). A limit broken kills it
/// (SIGKILL, with its children); its death while working is a crash.
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
    private string? _killedFor;
    private DocumentErrorCode _killCode;

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

    /// <summary>Requests answered so far.</summary>
    public int Requests { get; private set; }

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
        // ReadyToRun code as it is: no background re-JIT of the hot methods in every host (SandboxOptions.HostTieredCompilation).
        if (!options.HostTieredCompilation) psi.Environment["DOTNET_TieredCompilation"] = "0";
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x" + options.MaxMemoryBytes.ToString("X", CultureInfo.InvariantCulture);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"The engine host '{psi.FileName}' could not be started.");
        var host = new EngineHostProcess(process, options);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.StartTimeout);
            await HostProtocol.WriteFrameAsync(host._toHost, HostProtocol.Configure, engineOptions, deadline.Token).ConfigureAwait(false);
            var frame = await HostProtocol.ReadFrameAsync(host._fromHost, deadline.Token).ConfigureAwait(false);
            if (frame is { Kind: HostProtocol.Ready }) return host;
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
    /// the worker kill it (<see cref="DocumentErrorCode.Timeout"/>, <see cref="DocumentErrorCode.TooLarge"/>).</exception>
    /// <exception cref="EngineHostCrashedException">The host died without being killed for a limit.</exception>
    public async Task<byte[]> RequestAsync(byte kind, byte[] payload, CancellationToken cancellationToken)
    {
        Requests++;
        var watch = new Watch(this);
        using var stop = new CancellationTokenSource();
        var watchdog = Task.Run(() => WatchAsync(watch, stop.Token), CancellationToken.None);
        try
        {
            try
            {
                await HostProtocol.WriteFrameAsync(_toHost, kind, payload, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The host is gone: its death is read below.
            }
            while (true)
            {
                (byte Kind, byte[] Payload)? frame;
                try
                {
                    frame = await HostProtocol.ReadFrameAsync(_fromHost, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    frame = null;
                }
                if (frame is null) throw await DiedAsync(watch).ConfigureAwait(false);
                var (k, p) = frame.Value;
                switch (k)
                {
                    case HostProtocol.PageStarted:
                        watch.PageStarted(BitConverter.ToInt32(p));
                        break;
                    case HostProtocol.PageFinished:
                        watch.Progressed();
                        break;
                    case HostProtocol.Result:
                        return p;
                    case HostProtocol.Error:
                        throw HostProtocol.ReadError(HostProtocol.Reader(p));
                    default:
                        Kill();
                        throw new InvalidDataException($"The engine host sent an unknown frame kind {k}.");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Kill(); // it may be in the middle of a page: a fresh host serves the next request
            throw;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
        }
    }

    private async Task<Exception> DiedAsync(Watch watch)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
        }
        var where = watch.Page is { } page ? $" on page {page}" : "";
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

    private async Task WatchAsync(Watch watch, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                if (HasExited) return;
                var (rss, cpu) = Usage();
                var now = Stopwatch.GetTimestamp();
                string? reason = null;
                var code = DocumentErrorCode.Timeout;
                if (rss > _options.MaxMemoryBytes)
                {
                    (reason, code) = ($"it used {rss / (1024 * 1024)} MB of memory, more than the limit of {_options.MaxMemoryBytes / (1024 * 1024)} MB (Engine:Sandbox:MaxMemoryBytes)",
                        DocumentErrorCode.TooLarge);
                }
                else if (Stopwatch.GetElapsedTime(watch.Started, now) > _options.TotalTimeout)
                {
                    reason = $"it ran longer than the limit of {Seconds(_options.TotalTimeout)} (Engine:Sandbox:TotalTimeout)";
                }
                else if (Stopwatch.GetElapsedTime(watch.LastProgress, now) > _options.NoProgressTimeout)
                {
                    reason = $"it made no progress for {Seconds(_options.NoProgressTimeout)} (Engine:Sandbox:NoProgressTimeout)";
                }
                else if (cpu - watch.CpuAtPageStart(cpu) > _options.CpuPerPage)
                {
                    reason = $"the page used more than {Seconds(_options.CpuPerPage)} of CPU time (Engine:Sandbox:CpuPerPage)";
                }
                if (reason is not null)
                {
                    _killCode = code;
                    _killedFor = reason;
                    Kill();
                    return;
                }
                watch.Cpu = cpu;
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
        _process.Dispose();
    }

    /// <summary>What the watchdog knows of the request in flight.</summary>
    private sealed class Watch(EngineHostProcess host)
    {
        private TimeSpan? _cpuAtPageStart;
        public long Started { get; } = Stopwatch.GetTimestamp();
        public long LastProgress { get; private set; } = Stopwatch.GetTimestamp();
        public int? Page { get; private set; }
        public TimeSpan Cpu { get; set; }

        public void PageStarted(int page)
        {
            Page = page;
            LastProgress = Stopwatch.GetTimestamp();
            _cpuAtPageStart = host.HasExited ? Cpu : host.Usage().Cpu;
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
}
