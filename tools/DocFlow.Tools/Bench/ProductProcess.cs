using System.Text.Json;

namespace DocFlow.Tools.Bench;

/// <summary>A file of the corpus: its full path and its name relative to the corpus folder (as `docflow process`
/// names it in summary.json).</summary>
public sealed record CorpusFile(string Path, string RelativeName);

/// <summary>
/// The product as the bench sees it from outside: the `docflow` executable it starts (`process`, `serve`, `worker`),
/// the corpus folder it hands over, and the summary.json that `docflow process` writes. The bench links no product
/// host code; it measures the binary a user runs.
/// </summary>
internal static class ProductProcess
{
    public const string BinaryVariable = "DOCFLOW_BIN";

    /// <summary>The `docflow` executable: DOCFLOW_BIN (the launcher sets it to the binary it just built), else one
    /// beside this tool (a test's output folder holds both), else the CLI's build output in the clone this tool was
    /// built from (same configuration first).</summary>
    public static string Binary()
    {
        var given = Environment.GetEnvironmentVariable(BinaryVariable);
        if (!string.IsNullOrWhiteSpace(given))
            return File.Exists(given) ? Path.GetFullPath(given) : throw new ToolException($"{BinaryVariable}={given}: no such file");
        var beside = Path.Combine(AppContext.BaseDirectory, "docflow");
        if (File.Exists(beside)) return beside;
#if DEBUG
        string[] configurations = ["Debug", "Release"];
#else
        string[] configurations = ["Release", "Debug"];
#endif
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "DocFlow.slnx"))) continue;
            foreach (var configuration in configurations)
            {
                var binary = Path.Combine(dir.FullName, "src", "DocFlow.Cli", "bin", configuration, "net10.0", "docflow");
                if (File.Exists(binary)) return binary;
            }
            break;
        }
        throw new ToolException($"the docflow executable was not found: run the bench through ./docflow (it builds the CLI), or set {BinaryVariable}");
    }

    /// <summary>Files of a corpus folder, recursively, in ordinal order; hidden files and ground-truth sidecars
    /// (*.truth.json) left out, as `docflow process` reads a folder.</summary>
    public static IReadOnlyList<CorpusFile> Corpus(string directory)
    {
        if (!Directory.Exists(directory)) throw new ToolException($"no such folder: {directory}");
        var root = Path.GetFullPath(directory);
        return
        [
            .. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(file => new CorpusFile(file, Path.GetRelativePath(root, file)))
                .Where(f => !f.RelativeName.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.'))
                    && !f.RelativeName.EndsWith(".truth.json", StringComparison.OrdinalIgnoreCase)),
        ];
    }
}

/// <summary>The part of OUT/summary.json (written by `docflow process`) that the bench reads.</summary>
internal sealed class ProcessSummary
{
    public const string FileName = "summary.json";

    public long ElapsedMs { get; init; }
    public ProcessTotals Totals { get; init; } = new();
    public List<ProcessedFile> Files { get; init; } = [];

    public static ProcessSummary Load(string outputDirectory)
    {
        var path = Path.Combine(outputDirectory, FileName);
        if (!File.Exists(path)) throw new ToolException($"docflow process wrote no {path}");
        return JsonSerializer.Deserialize<ProcessSummary>(File.ReadAllText(path), JsonSerializerOptions.Web)
            ?? throw new ToolException($"unreadable: {path}");
    }
}

internal sealed class ProcessTotals
{
    public int Files { get; init; }
    public int Pages { get; init; }
    public int OcrPages { get; init; }
}

internal sealed class ProcessedFile
{
    public string File { get; init; } = "";
    public string Status { get; init; } = "";
    public string? MimeType { get; init; }
    public int Pages { get; init; }
    public List<int> OcrPages { get; init; } = [];
}
