using System.Diagnostics;
using System.Runtime.InteropServices;
using DocFlow.UnitTests.Fuzz;

namespace DocFlow.UnitTests.Engine.Ocr;

/// <summary>
/// The serial OpenMP stand-ins the launcher preloads (src/DocFlow.Engine/Ocr/Native/gomp_serial.c): compiled here as the
/// launcher compiles them, then called as libtesseract calls libgomp. Without a C compiler on the machine (the launcher
/// then runs without them) there is nothing to test and the tests pass without checking.
/// </summary>
public sealed class GompSerialTests : IDisposable
{
    private static readonly string Native = Path.Combine(FuzzHarnessTests.RepoRoot(), "src", "DocFlow.Engine", "Ocr", "Native");
    private const string Tesseract = "/usr/lib/x86_64-linux-gnu/libtesseract.so.5";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Outlined(nint data);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Parallel(nint fn, nint data, uint threads, uint flags);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void ParallelSections(nint fn, nint data, uint threads, uint count, uint flags);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate uint SectionsNext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IntQuery();

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "docflow-gomp-" + Guid.NewGuid().ToString("N"));
    private readonly string _library;
    private readonly nint _handle;

    public GompSerialTests()
    {
        // The launcher installs gcc and libc6-dev (./docflow, PACKAGES); a machine without them fails here, not silently.
        var cc = Compiler() ?? throw new InvalidOperationException("No C compiler (/usr/bin/cc, /usr/bin/gcc): run ./docflow (or apt-get install gcc libc6-dev) first.");
        Directory.CreateDirectory(_folder);
        _library = Path.Combine(_folder, "libdocflow-gomp-serial.so");
        var (code, output) = Run(cc, $"-O2 -shared -fPIC -Wl,--version-script={Path.Combine(Native, "gomp_serial.map")} " +
                                     $"-o {_library} {Path.Combine(Native, "gomp_serial.c")}");
        Assert.True(code == 0, "the launcher's compile command failed: " + output);
        _handle = NativeLibrary.Load(_library);
    }

    [Fact]
    public void Parallel_RunsTheBodyOnce_OnTheCallingThread_WithItsData()
    {
        var parallel = Export<Parallel>("GOMP_parallel");
        var calls = new List<(nint Data, int Thread)>();
        Outlined body = data => calls.Add((data, Environment.CurrentManagedThreadId));
        parallel(Marshal.GetFunctionPointerForDelegate(body), 42, 4, 0);
        GC.KeepAlive(body);
        var call = Assert.Single(calls);
        Assert.Equal((nint)42, call.Data);
        Assert.Equal(Environment.CurrentManagedThreadId, call.Thread);
        Assert.Equal(0, Export<IntQuery>("omp_get_thread_num")());
        Assert.Equal(1, Export<IntQuery>("omp_get_num_threads")());
    }

    [Fact]
    public void ParallelSections_HandsOutEverySectionOnce_AndNestedSectionsLeaveTheOuterOnesAlone()
    {
        var sections = Export<ParallelSections>("GOMP_parallel_sections");
        var next = Export<SectionsNext>("GOMP_sections_next");
        var seen = new List<string>();
        Outlined inner = _ =>
        {
            for (var i = next(); i != 0; i = next()) seen.Add("inner " + i);
        };
        var innerPointer = Marshal.GetFunctionPointerForDelegate(inner);
        Outlined outer = _ =>
        {
            for (var i = next(); i != 0; i = next())
            {
                seen.Add("outer " + i);
                if (i == 2) sections(innerPointer, 0, 1, 2, 0);
            }
        };
        sections(Marshal.GetFunctionPointerForDelegate(outer), 0, 1, 3, 0);
        GC.KeepAlive(inner);
        GC.KeepAlive(outer);
        Assert.Equal(["outer 1", "outer 2", "inner 1", "inner 2", "outer 3"], seen);
        Assert.Equal(0u, next());
    }

    [Fact]
    public void EveryOpenMpSymbolLibtesseractImports_IsDefined_WithTheVersionItAsksFor()
    {
        // A Tesseract built to call another libgomp entry point (a loop schedule, a barrier) would mix the stand-ins'
        // serial regions with libgomp's teams: the launcher must not preload them until they cover it.
        Assert.True(File.Exists(Tesseract), Tesseract + " is missing (apt-get install tesseract-ocr)");
        var (code, imports) = Run("nm", $"-D --undefined-only {Tesseract}");
        Assert.Equal(0, code);
        var wanted = imports.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[^1])
            .Where(s => s.Contains("@GOMP_", StringComparison.Ordinal) || s.Contains("@OMP_", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(wanted);
        var (code2, exports) = Run("nm", $"-D --defined-only {_library}");
        Assert.Equal(0, code2);
        var defined = exports.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[^1].Replace("@@", "@", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        Assert.All(wanted, symbol => Assert.Contains(symbol, defined));
    }

    public void Dispose()
    {
        if (_handle != 0) NativeLibrary.Free(_handle);
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private T Export<T>(string name) where T : Delegate =>
        Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(_handle, name));

    private static string? Compiler() =>
        new[] { "/usr/bin/cc", "/usr/bin/gcc" }.FirstOrDefault(File.Exists);

    private static (int Code, string Output) Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }
}
