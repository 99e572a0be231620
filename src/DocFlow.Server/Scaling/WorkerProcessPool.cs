using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Scaling;

/// <summary>A child worker process the pool supervises.</summary>
public interface IWorkerProcess : IDisposable
{
    int Id { get; }
    bool HasExited { get; }

    /// <summary>SIGTERM: stop fetching, finish the jobs in flight within the grace period, exit.</summary>
    void Terminate();

    /// <summary>SIGKILL, for a child that outlived its grace period.</summary>
    void Kill();
}

/// <summary>Starts child workers.</summary>
public interface IWorkerProcessLauncher
{
    IWorkerProcess Start();
}

/// <summary>
/// Starts <c>docflow worker ARGS…</c> (never with <c>--autoscale</c>) as a child process sharing this console.
/// The executable is this process's own, unless <see cref="FileName"/> says otherwise (e.g. tests run
/// <c>dotnet docflow.dll</c>).
/// </summary>
public sealed class DocflowWorkerLauncher(IReadOnlyList<string> workerArguments) : IWorkerProcessLauncher
{
    /// <summary>The program to run and the arguments before <c>worker</c>; default: how this process was started.</summary>
    public (string FileName, IReadOnlyList<string> Prefix) Command { get; init; } = Self();

    public IWorkerProcess Start()
    {
        var psi = new ProcessStartInfo(Command.FileName) { UseShellExecute = false };
        foreach (var a in Command.Prefix) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("worker");
        foreach (var a in workerArguments) psi.ArgumentList.Add(a);
        return new ChildProcess(Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {Command.FileName}."));
    }

    private static (string, IReadOnlyList<string>) Self()
    {
        var path = Environment.ProcessPath ?? "docflow";
        // Run as `dotnet docflow.dll`: start the same assembly through the same host.
        return Path.GetFileNameWithoutExtension(path) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } dll
            ? (path, [dll])
            : (path, []);
    }

    private sealed class ChildProcess(Process process) : IWorkerProcess
    {
        public int Id { get; } = process.Id;

        public bool HasExited
        {
            get
            {
                process.Refresh();
                return process.HasExited;
            }
        }

        public void Terminate()
        {
            if (HasExited) return;
            // .NET cannot send SIGTERM itself; kill(1) can (no P/Invoke, no unsafe code in this assembly).
            using var kill = OperatingSystem.IsWindows() ? null : Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill?.WaitForExit();
            if (kill is not { ExitCode: 0 }) process.Kill(entireProcessTree: true);
        }

        public void Kill()
        {
            if (!HasExited) process.Kill(entireProcessTree: true);
        }

        public void Dispose() => process.Dispose();
    }
}

/// <summary>
/// Keeps a number of child workers running: starts missing ones, stops surplus ones gracefully (SIGTERM, then
/// SIGKILL after the grace period and a margin), and restarts children that die, backing off when they keep dying.
/// </summary>
public sealed partial class WorkerProcessPool(
    IWorkerProcessLauncher launcher, TimeSpan grace, TimeProvider timeProvider, ILogger<WorkerProcessPool> logger) : IAsyncDisposable
{
    private static readonly TimeSpan KillMargin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);
    private readonly List<IWorkerProcess> _active = [];
    private readonly List<(IWorkerProcess Process, DateTimeOffset KillAt)> _stopping = [];
    private int _crashes;
    private DateTimeOffset _nextStart = DateTimeOffset.MinValue;

    /// <summary>Children running and wanted.</summary>
    public IReadOnlyList<IWorkerProcess> Active => _active;

    /// <summary>Children sent SIGTERM that have not exited yet.</summary>
    public int Stopping => _stopping.Count;

    /// <summary>Children that died without being asked to, in all.</summary>
    public int Restarts { get; private set; }

    /// <summary>Brings the pool to <paramref name="target"/> children; call it on every evaluation (it also reaps).</summary>
    public void ScaleTo(int target)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        var now = timeProvider.GetUtcNow();
        foreach (var dead in _active.Where(p => p.HasExited).ToList())
        {
            _active.Remove(dead);
            Restarts++;
            _crashes++;
            _nextStart = now + TimeSpan.FromSeconds(Math.Min(Math.Pow(2, _crashes - 1), MaxBackoff.TotalSeconds));
            Log.ChildDied(logger, dead.Id);
            dead.Dispose();
        }
        while (_active.Count < target && now >= _nextStart)
        {
            var child = launcher.Start();
            _active.Add(child);
            Log.ChildStarted(logger, child.Id, _active.Count);
        }
        // A pool that kept its children alive a while forgets old crashes.
        if (_active.Count == target && now >= _nextStart + MaxBackoff) _crashes = 0;
        while (_active.Count > target)
        {
            var child = _active[^1];
            _active.RemoveAt(_active.Count - 1);
            child.Terminate();
            _stopping.Add((child, now + grace + KillMargin));
            Log.ChildStopping(logger, child.Id, _active.Count);
        }
        foreach (var s in _stopping.ToList())
        {
            if (s.Process.HasExited)
            {
                _stopping.Remove(s);
                s.Process.Dispose();
            }
            else if (now >= s.KillAt)
            {
                Log.ChildKilled(logger, s.Process.Id);
                s.Process.Kill();
            }
        }
    }

    /// <summary>SIGTERM to every child, then waits for them (SIGKILL after the grace period and a margin).</summary>
    public async Task StopAllAsync(CancellationToken cancellationToken)
    {
        ScaleTo(0);
        var deadline = timeProvider.GetUtcNow() + grace + KillMargin;
        while (_stopping.Count > 0)
        {
            if (timeProvider.GetUtcNow() >= deadline)
                foreach (var s in _stopping) s.Process.Kill();
            await Task.Delay(TimeSpan.FromMilliseconds(100), timeProvider, cancellationToken).ConfigureAwait(false);
            ScaleTo(0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _active.Concat(_stopping.Select(s => s.Process)))
        {
            p.Kill();
            p.Dispose();
        }
        _active.Clear();
        _stopping.Clear();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Started child worker {Pid} ({Count} children)")]
        public static partial void ChildStarted(ILogger logger, int pid, int count);

        [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Stopping child worker {Pid} (SIGTERM; {Count} children remain)")]
        public static partial void ChildStopping(ILogger logger, int pid, int count);

        [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Child worker {Pid} died; it will be restarted")]
        public static partial void ChildDied(ILogger logger, int pid);

        [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Child worker {Pid} outlived its grace period; killed")]
        public static partial void ChildKilled(ILogger logger, int pid);
    }
}
