using DocFlow.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

/// <summary>docflow audit verify: reads the audit log in order, recomputes every hash and link; exit 1 at the first
/// broken entry, which it names by sequence number.</summary>
public sealed class AuditVerifyCommand : AsyncCommand<KeysSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, KeysSettings settings, CancellationToken cancellationToken)
    {
        await using var database = await settings.OpenDatabaseAsync(cancellationToken);
        var result = await new EfAuditLog(database).VerifyAsync(cancellationToken);
        if (result.Intact)
        {
            AnsiConsole.MarkupLineInterpolated($"OK: {result.Count} entries, the chain is intact.");
            return 0;
        }
        AnsiConsole.MarkupLineInterpolated($"[red]BROKEN at entry {result.FirstBroken}[/]: {result.Reason} ({result.Count} entries before it are intact).");
        return 1;
    }
}
