using System.ComponentModel;
using DocFlow.Cli.Batch;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

public sealed class DemoSettings : EngineSettings
{
    [CommandOption("--samples <DIR>")]
    [Description("Corpus folder (`./docflow samples DIR` writes one). Default: samples.")]
    [DefaultValue("samples")]
    public string Samples { get; init; } = "samples";

    [CommandOption("-o|--out <DIR>")]
    [Description("Output folder. Default: out.")]
    [DefaultValue("out")]
    public string Out { get; init; } = "out";
}

/// <summary>docflow demo: processes the bundled samples into out/, prints the summary. The corpus generator is a
/// tool (tools/DocFlow.Samples), not part of the product: a missing corpus is an error that says how to make one.</summary>
public sealed class DemoCommand : AsyncCommand<DemoSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.Samples) || !Directory.EnumerateFiles(settings.Samples, "*.truth.json").Any())
            throw new CommandFailedException($"no sample corpus in {settings.Samples}: make it with `./docflow samples {settings.Samples}`");
        var inputs = InputCollector.Collect([settings.Samples], out _);
        AnsiConsole.MarkupLineInterpolated($"Processing {inputs.Count} documents from [blue]{settings.Samples}[/] into [blue]{settings.Out}[/] with {settings.ToEngineOptions().Slots} slot(s)");
        // The demo always shows real work: it never resumes from an earlier run.
        var summary = await BatchConsole.RunAsync(inputs, settings.Out, settings.ToEngineOptions(), force: true, quiet: false,
            DocFlow.Outputs.OutputFormats.Json, chunking: null, cancellationToken, pages: null, sandbox: settings.UseSandbox);
        return summary.Totals.Succeeded == 0 ? 1 : 0;
    }
}
