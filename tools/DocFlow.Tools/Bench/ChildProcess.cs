using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DocFlow.Tools.Bench;

/// <summary>A child process of the bench (the product's `docflow`, this tool again, redis-server, the Celery peer): output captured,
/// lines awaitable, peak RSS readable, stopped by its own id when disposed.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static ChildProcess Start(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        return new ChildProcess(process, Path.GetFileName(file));
    }

    /// <summary>Starts this tool again (the apphost, or dotnet with the dll) with <paramref name="args"/>.</summary>
    public static ChildProcess StartSelf(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var path = Environment.ProcessPath ?? "docflow-tools";
        var prefix = Path.GetFileNameWithoutExtension(path) == "dotnet" ? new[] { typeof(ChildProcess).Assembly.Location } : [];
        return Start(path, prefix.Concat(args), WithThreadLimit(environment));
    }

    /// <summary>Starts the product's `docflow` executable (<see cref="ProductProcess.Binary"/>) with <paramref name="args"/>.</summary>
    public static ChildProcess StartProduct(IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        Start(ProductProcess.Binary(), args, WithThreadLimit(environment));

    private static Dictionary<string, string> WithThreadLimit(IDictionary<string, string>? environment) =>
        new(environment ?? new Dictionary<string, string>()) { ["OMP_THREAD_LIMIT"] = "1" };

    /// <summary>The first output line (past or future) that matches, or an error naming the child's output if it exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            foreach (var line in _output.ToString().Split('\n'))
                if (match(line.TrimEnd('\r'))) return line.TrimEnd('\r');
            _waiters.Add((match, found));
        }
        var exited = _process.WaitForExitAsync(ct);
        var first = await Task.WhenAny(found.Task, exited, Task.Delay(timeout, ct));
        if (first == found.Task) return await found.Task;
        ct.ThrowIfCancellationRequested();
        await Task.Delay(100, CancellationToken.None); // the last lines of a child that just exited
        if (found.Task.IsCompleted) return await found.Task;
        throw new InvalidOperationException(_process.HasExited
            ? $"{Name} exited with {_process.ExitCode} before it was ready:\n{Tail()}"
            : $"{Name} was not ready within {timeout.TotalSeconds:F0} s:\n{Tail()}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{Name} did not finish within {timeout.TotalSeconds:F0} s:\n{Tail()}");
        }
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Peak resident memory of the child so far (VmHWM), in kB; 0 once it has exited.</summary>
    public long PeakRssKb() => ReadVmHwmKb($"/proc/{_process.Id}/status");

    public static long ReadVmHwmKb(string statusFile)
    {
        try
        {
            foreach (var line in File.ReadLines(statusFile))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            // the process has just exited
        }
        return 0;
    }

    /// <summary>CPU time (user + system) of this process's children that have ended and been reaped, and of their own reaped
    /// children (a `docflow process` and its engine hosts): fields cutime and cstime of /proc/self/stat, in seconds.</summary>
    /// <remarks>The difference before and after one child's run is that run's CPU time; on a shared machine it moves far less
    /// with the other load than the wall time does. Resolution: one clock tick (10 ms).</remarks>
    public static double ReapedChildrenCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // proc(5): fields 16 and 17 (cutime, cstime) are the 14th and 15th after the command name.
        var ticks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ
    }

    /// <summary>The 1-minute load average (/proc/loadavg).</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    public string Tail(int lines = 30)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>SIGTERM (a graceful stop), then SIGKILL if it is still running after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            if (term is not null) await term.WaitForExitAsync();
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(line)) continue;
                _waiters[i].Found.TrySetResult(line);
                _waiters.RemoveAt(i);
            }
        }
    }
}
