using System.Runtime.InteropServices;

namespace DocFlow.Engine.Ocr;

/// <summary>Prepares the process environment for Tesseract before libtesseract (and with it libgomp) is loaded.</summary>
/// <remarks>
/// libgomp reads OMP_THREAD_LIMIT once, when it is loaded. .NET's Environment.SetEnvironmentVariable only
/// changes a managed copy on Unix, so the variable is also set through libc's setenv. One Tesseract thread
/// per engine, one engine per core, is the fastest configuration (OpenMP threads inside an engine fight the
/// other engines for the same cores). A value the operator set explicitly is kept.
/// </remarks>
public static partial class NativeEnvironment
{
    private const string OmpThreadLimit = "OMP_THREAD_LIMIT";
    private static readonly Lock Gate = new();
    private static bool _done;

    /// <summary>Sets OMP_THREAD_LIMIT=1 unless already set. Idempotent; cheap after the first call.</summary>
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
            Volatile.Write(ref _done, true);
        }
    }

    [LibraryImport("libc.so.6", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
