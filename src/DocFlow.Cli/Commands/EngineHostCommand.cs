using DocFlow.Engine.Sandbox;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

/// <summary>Hidden: the engine host a worker starts as its child (docs/security.md, "Engine sandbox"). It speaks the
/// frames of <see cref="DocFlow.Sandbox.HostProtocol"/> on stdin and stdout; nothing else may write to stdout.</summary>
public sealed class EngineHostCommand : AsyncCommand
{
    public override Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken) => RunAsync(cancellationToken);

    /// <summary>The host's loop on this process's stdin and stdout (Program runs it directly for <c>docflow engine-host</c>).</summary>
    public static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var output = Console.OpenStandardOutput();
        await using var input = Console.OpenStandardInput();
        // Anything printed by a library goes to stderr, where the worker keeps the last lines for crash reports.
        Console.SetOut(Console.Error);
        return await EngineHost.RunAsync(input, output, cancellationToken);
    }
}
