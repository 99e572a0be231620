using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DocFlow.Tools.Bench;

/// <summary>The Celery + Redis peer baseline (`run.sh --noop N`), from the folder given with --celery or
/// DOCFLOW_CELERY_PEER: its Debian packages installed by this tool when missing and running as root (never by the
/// product), else a clear "missing" answer instead of a figure.</summary>
internal static partial class CeleryPeer
{
    public static readonly string[] Packages = ["python3-celery", "python3-redis", "redis-server", "tesseract-ocr", "poppler-utils"];

    public sealed record NoopResult(int Tasks, double Seconds, double TasksPerSecond);

    public const string FolderVariable = "DOCFLOW_CELERY_PEER";

    /// <summary>The peer's folder as given: the option, else DOCFLOW_CELERY_PEER; null when neither is set (the bench
    /// never guesses a path outside the project).</summary>
    public static string? Given(string? option) =>
        new[] { option, Environment.GetEnvironmentVariable(FolderVariable) }.FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));

    /// <summary>The full path of a given folder when it holds run.sh, else null.</summary>
    public static string? Locate(string folder) =>
        File.Exists(Path.Combine(folder, "run.sh")) ? Path.GetFullPath(folder) : null;

    /// <summary>Installs what is missing (root only). Returns what is still missing, empty when ready.</summary>
    public static async Task<List<string>> EnsurePackagesAsync(CancellationToken ct)
    {
        var missing = new List<string>();
        foreach (var p in Packages)
            if (!await IsInstalledAsync(p, ct)) missing.Add(p);
        var python = Environment.GetEnvironmentVariable("PEER_PYTHON") ?? "/usr/bin/python3";
        if (missing.Count > 0 && Environment.UserName == "root")
        {
            var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            await using (var update = ChildProcess.Start("apt-get", ["update", "-qq"], env))
                await update.WaitForExitAsync(TimeSpan.FromMinutes(5), ct);
            await using (var install = ChildProcess.Start("apt-get", ["install", "-y", "-qq", "--no-install-recommends", .. missing], env))
                await install.WaitForExitAsync(TimeSpan.FromMinutes(10), ct);
            missing.Clear();
            foreach (var p in Packages)
                if (!await IsInstalledAsync(p, ct)) missing.Add(p);
        }
        if (!File.Exists(python)) missing.Add(python);
        return missing;
    }

    public static async Task<NoopResult> RunNoopAsync(string peer, int tasks, CancellationToken ct)
    {
        await using var run = ChildProcess.Start("/bin/bash", [Path.Combine(peer, "run.sh"), "--noop", tasks.ToString(CultureInfo.InvariantCulture)], workingDirectory: peer);
        // About 40 tasks/s on an idle 2-core machine (acks_late + prefetch 1), far less under load.
        var line = await run.WaitForLineAsync(l => l.StartsWith("peer-celery-noop:", StringComparison.Ordinal), TimeSpan.FromSeconds(120 + tasks), ct);
        var code = await run.WaitForExitAsync(TimeSpan.FromMinutes(1), ct);
        if (code != 0) throw new InvalidOperationException($"run.sh --noop exited with {code}:\n{run.Tail()}");
        var m = NoopLine().Match(line);
        if (!m.Success) throw new InvalidOperationException($"unexpected peer output: {line}");
        return new NoopResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    private static async Task<bool> IsInstalledAsync(string package, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("dpkg-query", ["-W", "-f=${Status}", package]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi);
        if (p is null) return false;
        var output = await p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return p.ExitCode == 0 && output.Contains("install ok installed", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"peer-celery-noop: (\d+) tasks in ([\d.]+) s = ([\d.]+) tasks/s")]
    private static partial Regex NoopLine();
}
