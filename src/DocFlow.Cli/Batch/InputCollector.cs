namespace DocFlow.Cli.Batch;

/// <summary>Expands the files and folders given on the command line into batch inputs.</summary>
public static class InputCollector
{
    /// <summary>Files as given; folders recursively, in ordinal order, named relative to the folder.
    /// Hidden files and ground-truth sidecars (*.truth.json) are left out of folders;
    /// anything else is processed, and what is not a document gets its error file.</summary>
    public static IReadOnlyList<BatchInput> Collect(IEnumerable<string> paths, out IReadOnlyList<string> missing)
    {
        var result = new List<BatchInput>();
        var notFound = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                Add(Path.GetFullPath(path), Path.GetFileName(path));
            }
            else if (Directory.Exists(path))
            {
                var root = Path.GetFullPath(path);
                foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var relative = Path.GetRelativePath(root, file);
                    if (IsIgnored(relative)) continue;
                    Add(file, relative);
                }
            }
            else
            {
                notFound.Add(path);
            }
        }
        missing = notFound;
        return result;

        void Add(string full, string name)
        {
            var unique = name;
            for (var n = 2; !names.Add(unique); n++)
                unique = $"{Path.GetFileNameWithoutExtension(name)}~{n}{Path.GetExtension(name)}";
            result.Add(new BatchInput(full, unique));
        }
    }

    private static bool IsIgnored(string relative) =>
        relative.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.'))
        || relative.EndsWith(".truth.json", StringComparison.OrdinalIgnoreCase);
}
