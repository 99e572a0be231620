using DocFlow.Cli.Commands;
using DocFlow.IntegrationTests.Support;
using DocFlow.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace DocFlow.IntegrationTests.Server;

/// <summary>
/// No host DocFlow builds watches its configuration files: the default builders' watcher on appsettings.json covers the
/// whole working directory recursively (7,145 inotify watches for a `docflow serve` started from `/`).
/// </summary>
public sealed class ConfigurationWatchTests
{
    private static void AssertNothingWatched(IConfiguration configuration)
    {
        var files = ((IConfigurationRoot)configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files); // appsettings.json is still read (optional) ...
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched for changes")); // ... once
    }

    [Fact]
    public async Task Serve_ReadsAppSettings_WithoutWatchingTheWorkingDirectory()
    {
        var dir = Repo.NewTempDirectory("config-watch");
        await using var app = DocFlowServer.Build(new Dictionary<string, string?>
        {
            ["Workers"] = "0", ["Database:ConnectionString"] = Path.Combine(dir, "docflow.db"), ["Storage"] = Path.Combine(dir, "blobs"),
        }, "http://127.0.0.1:0");
        AssertNothingWatched(app.Configuration);
    }

    [Fact]
    public void Worker_ReadsAppSettings_WithoutWatchingTheWorkingDirectory()
    {
        var dir = Repo.NewTempDirectory("config-watch-worker");
        var builder = WorkerCommand.CreateBuilder(new WorkerSettings
        {
            Database = Path.Combine(dir, "docflow.db"), Storage = Path.Combine(dir, "blobs"), Slots = 1, MetricsPort = 0,
        });
        AssertNothingWatched(builder.Configuration);
    }
}
