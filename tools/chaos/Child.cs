using System.Diagnostics;
using System.Globalization;

namespace DocFlow.Chaos;

/// <summary>A child process of the run: its output goes to a log file in the work folder (the last lines are kept for
/// error messages); stopped by its own id, never by name.</summary>
internal sealed class Child : IAsyncDisposable
{
    private readonly Process _process;
    private readonly int _pid;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();
    private readonly List<(string Text, TaskCompletionSource Found)> _waiters = [];

    private Child(Process process, string name, string logPath)
    {
        _process = process;
        _pid = process.Id;
        Name = name;
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Id => _pid;
    private volatile bool _disposed;

    public bool HasExited
    {
        get
        {
            if (_disposed) return true;
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true; // disposed meanwhile
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    public static Child Start(string name, string file, IEnumerable<string> args, string logPath,
        IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new ChaosException($"could not start {file}");
        return new Child(process, name, logPath);
    }

    /// <summary>Completes when a line containing <paramref name="text"/> has been printed (or was already).</summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout, CancellationToken ct)
    {
        var found = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_tail)
        {
            if (_tail.Any(l => l.Contains(text, StringComparison.Ordinal))) return;
            _waiters.Add((text, found));
        }
        var first = await Task.WhenAny(found.Task, _process.WaitForExitAsync(ct), Task.Delay(timeout, ct));
        if (first == found.Task) return;
        ct.ThrowIfCancellationRequested();
        throw new ChaosException(_process.HasExited
            ? $"{Name} exited with {_process.ExitCode} before printing '{text}':\n{Tail()}"
            : $"{Name} did not print '{text}' within {timeout.TotalSeconds:F0} s:\n{Tail()}");
    }

    /// <summary>SIGKILL: no chance to clean up (the chaos).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        Signal(_process.Id, "TERM");
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

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill?.WaitForExit();
    }

    /// <summary>Resident memory now (VmRSS) and at its peak (VmHWM), in kB; zeros once the process has exited.</summary>
    public (long Rss, long Peak) MemoryKb() => HasExited ? (0, 0) : ReadMemoryKb(_pid);

    public static (long Rss, long Peak) ReadMemoryKb(int pid)
    {
        long rss = 0, peak = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kb(line);
            }
        }
        catch (IOException)
        {
            // exited
        }
        catch (UnauthorizedAccessException)
        {
            // exited and reused
        }
        return (rss, peak);

        static long Kb(string line) => long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
    }

    public string Tail()
    {
        lock (_tail) return string.Join('\n', _tail);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        await StopAsync(TimeSpan.FromSeconds(10));
        _disposed = true;
        _process.Dispose();
        lock (_tail) _log.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // the last lines after dispose
            }
            _tail.Enqueue(line);
            while (_tail.Count > 40) _tail.Dequeue();
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!line.Contains(_waiters[i].Text, StringComparison.Ordinal)) continue;
                _waiters[i].Found.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}

/// <summary>A failure of the run's set-up (not a violation of an invariant): exit code 2 with its message.</summary>
internal sealed class ChaosException(string message) : Exception(message);
