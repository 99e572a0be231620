using DocFlow.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

/// <summary>docflow db migrate: applies the store's migrations to the configured database.</summary>
public sealed class DbMigrateCommand : AsyncCommand<PlatformSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PlatformSettings settings, CancellationToken cancellationToken)
    {
        var connection = settings.Database ?? Environment.GetEnvironmentVariable("DOCFLOW__Database__ConnectionString") ?? Path.Combine("data", "docflow.db");
        if (DatabaseOptions.Detect(connection) == DatabaseProvider.Sqlite)
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(connection.Replace("Data Source=", "", StringComparison.OrdinalIgnoreCase)))!);
        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = connection });
        var applied = await database.MigrateAsync(cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"{database.Provider}: {(applied.Count == 0 ? "already up to date" : $"applied {string.Join(", ", applied)}")}");
        return 0;
    }
}
