using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Cli;

/// <summary>
/// Product vs tools: what src/ builds (the `docflow` executable, the server, the adapters; what deploy/Dockerfile
/// publishes) never references a tooling assembly (any project under tools/ or bench/), and the tooling commands
/// (`samples`, `bench`, `autoscale-sim`) answer from `docflow-tools`, not from the product.
/// </summary>
public sealed class ProductBoundaryTests
{
    /// <summary>Assembly names of the projects under tools/ and bench/, read from the project files (so a new tool is covered).</summary>
    private static readonly HashSet<string> ToolAssemblies = AssemblyNames("tools", "bench");

    private static readonly HashSet<string> ProductAssemblies = AssemblyNames("src");

    [Fact]
    public void ToolingAndProductProjects_AreFound()
    {
        Assert.Superset(new HashSet<string>(["DocFlow.Samples", "docflow-tools", "DocFlow.Benchmarks", "DocFlow.DevSet"], StringComparer.OrdinalIgnoreCase), ToolAssemblies);
        Assert.Superset(new HashSet<string>(["docflow", "DocFlow.Server", "DocFlow.Core", "DocFlow.Engine"], StringComparer.OrdinalIgnoreCase), ProductAssemblies);
    }

    [Fact]
    public void ProductProjects_ReferenceOnlyProjectsUnderSrc()
    {
        var src = Path.Combine(Repo.Root, "src") + Path.DirectorySeparatorChar;
        foreach (var project in Directory.EnumerateFiles(Path.Combine(Repo.Root, "src"), "*.csproj", SearchOption.AllDirectories))
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                Assert.True(target.StartsWith(src, StringComparison.Ordinal), $"{Path.GetRelativePath(Repo.Root, project)} references {Path.GetRelativePath(Repo.Root, target)}");
            }
    }

    [Fact]
    public void TheBuiltCli_DepsJson_ListsNoToolingAssembly()
    {
        // The CLI's own dependency manifest (copied beside the tests with docflow.dll): what `docflow` loads and publishes.
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docflow.deps.json")));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]).ToList();
        Assert.Contains("DocFlow.Server", libraries);
        Assert.DoesNotContain(libraries, ToolAssemblies.Contains);
    }

    [Fact]
    public void ProductAssemblies_ReferenceNoToolingAssembly_Transitively()
    {
        foreach (var root in new[] { "docflow", "DocFlow.Server" })
        {
            var closure = ReferenceClosure(root);
            Assert.Contains("DocFlow.Core", closure);
            Assert.DoesNotContain(closure, ToolAssemblies.Contains);
        }
        // The same walk does see a tooling reference where there is one.
        Assert.Contains("DocFlow.Samples", ReferenceClosure("docflow-tools"));
    }

    [Theory]
    [InlineData("samples")]
    [InlineData("bench")]
    [InlineData("autoscale-sim")]
    public async Task ToolingCommands_AreNotProductCommands(string command)
    {
        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), command, "--help");
        Assert.NotEqual(0, exit);
        Assert.Contains(command, output);
    }

    [Theory]
    [InlineData("samples", "--seed")]
    [InlineData("bench", "--repeat")]
    [InlineData("bench", "DOCFLOW_CELERY_PEER")]
    [InlineData("autoscale-sim", "--plot")]
    public async Task ToolingCommands_HaveHelp_InDocflowTools(string command, string option)
    {
        var (exit, output) = await Executables.RunAsync(Executables.Tools, TimeSpan.FromMinutes(2), command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains(option, output);
    }

    [Theory]
    [InlineData("x", "samples", "{out}", "-x")]
    [InlineData("celery-dir", "bench", "--distributed", "--celery-dir", "{out}")]
    public async Task ToolingCommands_UnknownOption_IsAnError_ThatNamesIt(string unknown, params string[] args)
    {
        var output = Path.Combine(Repo.NewTempDirectory("tools-strict"), "out");
        var (exit, text) = await Executables.RunAsync(Executables.Tools, TimeSpan.FromMinutes(2),
            [.. args.Select(a => a.Replace("{out}", output, StringComparison.Ordinal))]);
        Assert.NotEqual(0, exit);
        Assert.Contains($"Unknown option '{unknown}'", text);
        Assert.False(Directory.Exists(output), "nothing ran");
    }

    [Fact]
    public async Task Demo_WithoutCorpus_SaysHowToMakeIt()
    {
        var dir = Repo.NewTempDirectory("demo-no-corpus");
        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2),
            "demo", "--samples", Path.Combine(dir, "missing"), "--out", Path.Combine(dir, "out"));
        Assert.NotEqual(0, exit);
        Assert.Contains("./docflow samples", output);
        Assert.False(Directory.Exists(Path.Combine(dir, "missing")));
    }

    /// <summary>Names of the assemblies <paramref name="root"/> references, transitively through our own assemblies.</summary>
    private static HashSet<string> ReferenceClosure(string root)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { root };
        var pending = new Stack<AssemblyName>([new AssemblyName(root)]);
        while (pending.TryPop(out var name))
        {
            if (!ProductAssemblies.Contains(name.Name!) && !ToolAssemblies.Contains(name.Name!)) continue; // framework and packages
            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies())
                if (seen.Add(reference.Name!)) pending.Push(reference);
        }
        return seen;
    }

    private static HashSet<string> AssemblyNames(params string[] folders)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var folder in folders)
            foreach (var project in Directory.EnumerateFiles(Path.Combine(Repo.Root, folder), "*.csproj", SearchOption.AllDirectories))
            {
                if (project.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
                var assemblyName = XDocument.Load(project).Descendants("AssemblyName").FirstOrDefault()?.Value;
                names.Add(string.IsNullOrWhiteSpace(assemblyName) ? Path.GetFileNameWithoutExtension(project) : assemblyName);
            }
        return names;
    }
}
