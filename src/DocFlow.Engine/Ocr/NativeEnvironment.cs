using System.Runtime.InteropServices;

namespace DocFlow.Engine.Ocr;

/// <summary>Prepares the process environment for Tesseract before libtesseract (and with it libgomp) is loaded.</summary>
/// <remarks>
/// libgomp reads OMP_THREAD_LIMIT once, when it is loaded. .NET's Environment.SetEnvironmentVariable only
/// changes a managed copy on Unix, so the variable is also set through libc's setenv. One Tesseract thread
/// per engine, one engine per core, is the fastest configuration (OpenMP threads inside an engine fight the
/// other engines for the same cores). A value the operator set explicitly is kept.
/// <para>glibc gives each thread that mallocs its own arena, up to 8 per core, and keeps what an arena freed. Tesseract
/// and leptonica allocate tens of MB per page on whichever pool thread runs the page, so a long-running process
/// collected arenas of ~35 MB each: `docflow serve` sat at ~710 MB RSS after 8 batches of the samples, and at ~390 MB
/// with two arenas, equally fast (docs/benchmarks.md). So the arena count is capped with mallopt(M_ARENA_MAX) —
/// between 2 and 8, a quarter of the cores — unless MALLOC_ARENA_MAX is set.</para>
/// </remarks>
public static partial class NativeEnvironment
{
    private const string OmpThreadLimit = "OMP_THREAD_LIMIT";
    private static readonly Lock Gate = new();
    private static bool _done;

    /// <summary>Sets OMP_THREAD_LIMIT=1 unless already set, and caps glibc's malloc arenas. Idempotent; cheap after the first call.</summary>
    public static void EnsureInitialised()
    {
        if (Volatile.Read(ref _done))
            return;
        lock (Gate)
        {
            if (_done)
                return;
            var current = Environment.GetEnvironmentVariable(OmpThreadLimit);
            var value = string.IsNullOrWhiteSpace(current) ? "1" : current;
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
            {
                if (setenv(OmpThreadLimit, value, 1) != 0)
                    throw new InvalidOperationException($"setenv({OmpThreadLimit}) failed with errno {Marshal.GetLastPInvokeError()}.");
            }
            Environment.SetEnvironmentVariable(OmpThreadLimit, value);
            if (OperatingSystem.IsLinux() && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX")))
                LimitMallocArenas(Math.Clamp(Environment.ProcessorCount / 4, 2, 8));
            Volatile.Write(ref _done, true);
        }
    }

    /// <summary>The arena cap now in force (0 when not set by this class: not glibc, or MALLOC_ARENA_MAX given).</summary>
    public static int MallocArenaLimit { get; private set; }

    private static void LimitMallocArenas(int arenas)
    {
        try
        {
            if (mallopt(MArenaMax, arenas) == 1) MallocArenaLimit = arenas;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // not glibc: its allocator has no arenas to cap
        }
    }

    private const int MArenaMax = -8; // M_ARENA_MAX in glibc's malloc.h

    [LibraryImport("libc.so.6", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc.so.6")]
    private static partial int mallopt(int param, int value);
}
