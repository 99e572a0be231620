using System.Globalization;
using System.Text.RegularExpressions;
using DocFlow.Cli.Commands;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Deploy;

/// <summary>
/// What can be checked of deploy/Dockerfile and deploy/compose.yaml without a Docker engine: the image installs
/// what the launcher installs, and compose stops workers no sooner than their grace allows.
/// </summary>
public sealed partial class ContainerImageTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(Repo.Root, "deploy", "Dockerfile"));

    [Fact]
    public void Image_InstallsEverySystemPackageTheLauncherInstalls()
    {
        var launcher = File.ReadAllText(Path.Combine(Repo.Root, "docflow"));
        var packages = LauncherPackages().Match(launcher);
        Assert.True(packages.Success, "The ./docflow launcher no longer has a PACKAGES=(...) line.");
        foreach (var package in packages.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            Assert.Matches($@"apt-get install[^&]*\s{Regex.Escape(package)}\s", Dockerfile);
    }

    [Fact]
    public void Image_RunsTheDocflowExecutable_AsUid10001_WithOneTesseractThread()
    {
        Assert.Contains("USER 10001:10001", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("OMP_THREAD_LIMIT=1", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("MALLOC_ARENA_MAX=2", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"/app/docflow\"]", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("HEALTHCHECK", Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_CompilesTheSerialOpenMpStandIns_AsTheLauncherDoes_AndPreloadsThem()
    {
        var launcher = File.ReadAllText(Path.Combine(Repo.Root, "docflow"));
        // The same compile: flags and version script (the symbol versions libtesseract asks for).
        Assert.Contains("-O2 -shared -fPIC -Wl,--version-script=", launcher, StringComparison.Ordinal);
        Assert.Matches(@"cc -O2 -shared -fPIC -Wl,--version-script=\S*gomp_serial\.map -o \S*libdocflow-gomp-serial\.so \S*gomp_serial\.c", Dockerfile);
        Assert.Contains("COPY --from=native /native/libdocflow-gomp-serial.so /app/libdocflow-gomp-serial.so", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("LD_PRELOAD=/app/libdocflow-gomp-serial.so", Dockerfile, StringComparison.Ordinal);
        // The compiler stays in its stage: the runtime stage installs no gcc.
        var runtime = Dockerfile[Dockerfile.IndexOf("AS runtime", StringComparison.Ordinal)..];
        Assert.DoesNotContain("gcc", runtime, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_RunsTheApiAlone_TwoWorkers_AndMigratesFirst()
    {
        var services = Yaml.Load(Path.Combine(Repo.Root, "deploy", "compose.yaml")).Map("services");
        Assert.Equal(["serve", "--workers", "0"], services.Strings("api", "command"));
        Assert.Equal(["db", "migrate"], services.Strings("migrate", "command"));
        Assert.Equal("worker", services.Strings("workers", "command").First());
        Assert.Equal("2", services.Str("workers", "deploy", "replicas"));
        foreach (var service in new[] { "api", "workers" })
            Assert.Equal("service_completed_successfully", services.Str(service, "depends_on", "migrate", "condition"));
        Assert.Null(services.Node("redis", "build"));
        Assert.NotNull(services.Node("postgres"));
    }

    [Fact]
    public void Compose_WaitsForTheWorkerGrace_BeforeKillingWorkers()
    {
        var workers = Yaml.Load(Path.Combine(Repo.Root, "deploy", "compose.yaml")).Map("services", "workers");
        var args = workers.Strings("command").ToList();
        var at = args.IndexOf("--grace");
        var grace = at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : new WorkerSettings().Grace;
        var stop = workers.Str("stop_grace_period") ?? "10s";
        Assert.EndsWith("s", stop, StringComparison.Ordinal);
        // The host waits grace + 10 s (WorkerCommand); compose's default 10 s would kill jobs mid-page.
        Assert.True(int.Parse(stop.TrimEnd('s'), CultureInfo.InvariantCulture) >= grace + 10, $"stop_grace_period {stop} is under --grace {grace} + 10 s.");
    }

    [GeneratedRegex(@"^PACKAGES=\(([^)]*)\)", RegexOptions.Multiline)]
    private static partial Regex LauncherPackages();
}
