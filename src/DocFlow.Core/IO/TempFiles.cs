using System.Diagnostics;
using System.Globalization;

namespace DocFlow.IO;

/// <summary>
/// Every temporary file or folder DocFlow makes is named <c>docflow-{pid}-{start}-{kind}-{random}</c>: the owning process
/// id and its start time (Unix seconds), so that a later process can tell the leftovers of a killed process from the
/// files of one still running, and <see cref="Sweep"/> them at start-up.
/// </summary>
/// <remarks>The start time guards against pid reuse (in a container every restart may be pid 1 again).</remarks>
public static partial class TempFiles
{
    /// <summary>The prefix of every temporary file and folder DocFlow makes.</summary>
    public const string Prefix = "docflow-";

    /// <summary>Untagged leftovers (made before this naming, or by ASP.NET Core's form buffering) older than this are
    /// removed by <see cref="Sweep"/>. <value>15 minutes.</value></summary>
    public static readonly TimeSpan UntaggedMinAge = TimeSpan.FromMinutes(15);

    private static readonly long OwnStart = StartOf(Process.GetCurrentProcess()) ?? 0;

    /// <summary>This process's tag: <c>{pid}-{start}</c>.</summary>
    public static string Owner { get; } = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{OwnStart}");

    /// <summary>A fresh name (no folder): <c>docflow-{pid}-{start}-{kind}-{random}{extension}</c>.</summary>
    public static string NewName(string kind, string? extension = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        if (kind.Contains('-', StringComparison.Ordinal)) throw new ArgumentException("A kind has no '-'.", nameof(kind));
        return $"{Prefix}{Owner}-{kind}-{Guid.NewGuid():N}{extension}";
    }

    /// <summary>A fresh path in the system temp folder (<see cref="Path.GetTempPath"/>).</summary>
    public static string NewPath(string kind, string? extension = null) => Path.Combine(Path.GetTempPath(), NewName(kind, extension));

    /// <summary>Creates a fresh folder in the system temp folder.</summary>
    public static DirectoryInfo CreateDirectory(string kind) => Directory.CreateDirectory(NewPath(kind));

    /// <summary>
    /// Removes from <paramref name="folder"/> the DocFlow temp files and folders whose owner is no longer running, and
    /// untagged ones (<see cref="IsUntaggedLeftover"/>; with
    /// <paramref name="everyFile"/> any file, for a folder that holds only DocFlow's temp files) older than
    /// <paramref name="untaggedMinAge"/>. Files of running processes, this one included, are kept. Returns how many were removed.
    /// With <paramref name="sharedAcrossHosts"/> the folder may be shared with processes on other machines or in other
    /// containers (a blob volume mounted by the API and every worker): their pids mean nothing here, so every entry,
    /// tagged or not, is judged by age only.
    /// </summary>
    public static int Sweep(string folder, TimeSpan untaggedMinAge, DateTimeOffset now, bool everyFile = false, bool sharedAcrossHosts = false)
    {
        if (!Directory.Exists(folder)) return 0;
        var removed = 0;
        var alive = new Dictionary<(int, long), bool>();
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = [.. new DirectoryInfo(folder).EnumerateFileSystemInfos()];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        foreach (var entry in entries)
        {
            var name = entry.Name;
            bool remove;
            if (!sharedAcrossHosts && TryParseOwner(name, out var pid, out var start))
            {
                if (!alive.TryGetValue((pid, start), out var running)) alive[(pid, start)] = running = IsRunning(pid, start);
                remove = !running;
            }
            else if (everyFile || IsUntaggedLeftover(name) || (sharedAcrossHosts && TryParseOwner(name, out _, out _)))
            {
                remove = now - new DateTimeOffset(entry.LastWriteTimeUtc, TimeSpan.Zero) > untaggedMinAge;
            }
            else continue;
            if (!remove) continue;
            try
            {
                if (entry is DirectoryInfo dir) dir.Delete(recursive: true);
                else entry.Delete();
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // someone else's file, or gone already: not ours to insist on
            }
        }
        return removed;
    }

    /// <summary>The temp names of earlier versions (<c>docflow-{32 hex}.pdf</c>, <c>docflow-s3-{32 hex}</c>,
    /// <c>docflow-page-{random}</c>) and ASP.NET Core's form buffers (<c>ASPNETCORE_{guid}.tmp</c>). Nothing else in a
    /// shared temp folder is touched (other programs', or a test run's <c>docflow-tests</c>).</summary>
    public static bool IsUntaggedLeftover(string name) =>
        LegacyName().IsMatch(name) || (name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal));

    [System.Text.RegularExpressions.GeneratedRegex("^docflow-(?:[0-9a-f]{32}\\.pdf|s3-[0-9a-f]{32}|page-[A-Za-z0-9]{6,})$")]
    private static partial System.Text.RegularExpressions.Regex LegacyName();

    /// <summary>Reads the owner of a name made by <see cref="NewName"/>.</summary>
    public static bool TryParseOwner(string name, out int pid, out long start)
    {
        pid = 0;
        start = 0;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = name[Prefix.Length..].Split('-', 4);
        return parts.Length == 4
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out start);
    }

    /// <summary>Whether process <paramref name="pid"/> runs and started at <paramref name="start"/> (Unix seconds, ±2 s:
    /// the start time is derived from the boot time, which the OS reports with a little jitter).</summary>
    public static bool IsRunning(int pid, long start)
    {
        if (pid == Environment.ProcessId) return Math.Abs(start - OwnStart) <= 2;
        try
        {
            using var process = Process.GetProcessById(pid);
            return StartOf(process) is { } s && Math.Abs(s - start) <= 2;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    private static long? StartOf(Process process)
    {
        try
        {
            return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeSeconds();
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}
