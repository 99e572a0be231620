namespace DocFlow.IntegrationTests.Support;

public static class Repo
{
    /// <summary>The repository root (the folder holding DocFlow.slnx).</summary>
    public static string Root { get; } = Find();

    public static string Samples => Path.Combine(Root, "samples");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DocFlow.slnx"))) return dir.FullName;
        throw new InvalidOperationException("DocFlow.slnx not found above " + AppContext.BaseDirectory);
    }

    public static string NewTempDirectory(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "docflow-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
