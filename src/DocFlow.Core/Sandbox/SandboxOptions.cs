using System.ComponentModel.DataAnnotations;

namespace DocFlow.Sandbox;

/// <summary>
/// The engine sandbox (section "Engine:Sandbox"): parsing, rendering and OCR run in child processes
/// (<c>docflow engine-host</c>), a few documents at a time each, watched and killed by the worker process when they break a limit.
/// </summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Engine:Sandbox";

    /// <summary>Whether documents go through engine hosts. <value>Default true (serve and worker; <c>docflow process</c> has
    /// its own <c>--sandbox</c> switch).</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most engine hosts at once; 0 = Engine:Slots / <see cref="HostDocuments"/>, rounded up. Documents in the
    /// engines at once: Hosts × HostDocuments. <value>Default 0.</value></summary>
    [Range(0, 1024)]
    public int Hosts { get; set; }

    /// <summary>Documents one host reads at once. Every host is a .NET runtime of its own whose start-up, type loading and
    /// compiled code are paid once per host (on the 12 samples, a second host cost about 6 % more CPU than the engine
    /// in-process; docs/benchmarks.md "Engine sandbox"), so hosts take several documents. A crash or a limit then ends
    /// every document in the host: none of them is blamed; each is tried again alone in a host, and only a crash or a
    /// limit of a document alone in its host counts (poison ledger, final timeout or too_large). 1 = one document per host
    /// always. <value>Default 2.</value></summary>
    [Range(1, 64)]
    public int HostDocuments { get; set; } = 2;

    /// <summary>Pages one host reads at once (its Tesseract engines); 0 = <see cref="HostDocuments"/>. <value>Default 0.</value></summary>
    [Range(0, 64)]
    public int HostSlots { get; set; }

    /// <summary>Most resident memory of a host and its children (pdftoppm), in bytes; the host is killed above it
    /// (<c>too_large</c> for a document alone in it; documents that shared it are tried again alone). The host's managed heap is also capped at it (DOTNET_GCHeapHardLimit). <value>Default 1.5 GB.</value></summary>
    [Range(64L * 1024 * 1024, long.MaxValue)]
    public long MaxMemoryBytes { get; set; } = 1536L * 1024 * 1024;

    /// <summary>First tier: the longest time without progress (no page started or finished) before the host is killed
    /// (<c>timeout</c>). <value>Default 60 s.</value></summary>
    public TimeSpan NoProgressTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most CPU time (user + system, the host and its children) spent on one page. <value>Default 120 s.</value></summary>
    public TimeSpan CpuPerPage { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Second tier: wall time of one request (a document, a page range) before the host is killed
    /// (<c>timeout</c>). <value>Default 10 minutes (as Engine:DocumentTimeout).</value></summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a new host may take to start (runtime, Tesseract models). <value>Default 60 s.</value></summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the watchdog reads the hosts' memory and CPU time from /proc. <value>Default 100 ms.</value></summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A host is replaced after this many requests (bounds slow leaks in native code); 0 = never. <value>Default 1000.</value></summary>
    [Range(0, int.MaxValue)]
    public int MaxRequestsPerHost { get; set; } = 1000;

    /// <summary>Crashes of hosts on the same bytes (by SHA-256) after which they are refused at once everywhere
    /// (<c>engine_crashed</c>). <value>Default 2.</value></summary>
    [Range(1, 100)]
    public int PoisonAfterCrashes { get; set; } = 2;

    /// <summary>Whether hosts re-compile their hot methods in the background (.NET tiered compilation), set explicitly in
    /// their environment (DOTNET_TieredCompilation=1 or 0) whatever the worker's own. On for the long-running roles (serve,
    /// worker): their hosts live for many documents, and tier-1 code (with dynamic PGO) is cheaper than the ReadyToRun code
    /// as it is (the samples through a warm <c>docflow serve</c>: +2.1 % CPU over the engine in-process with it off, +0.1 %
    /// with it on). Off for <c>docflow process</c>, a short run: there the re-compilation of the same hot methods in the
    /// host is paid on the cores the OCR needs (about 15 % of the hosts' CPU on the samples, docs/benchmarks.md
    /// "Engine sandbox"); methods without ReadyToRun code are then compiled fully optimised at their first call.
    /// <value>Default true; <c>docflow process</c> false unless DOCFLOW__Engine__Sandbox__HostTieredCompilation says.</value></summary>
    public bool HostTieredCompilation { get; set; } = true;

    /// <summary>The host's executable; null = this program (<c>docflow</c>, or <c>dotnet docflow.dll</c>).</summary>
    public string? HostCommand { get; set; }

    /// <summary>Arguments before <c>engine-host</c> when <see cref="HostCommand"/> is set (e.g. the path of docflow.dll for dotnet).</summary>
    public string? HostArguments { get; set; }
}
