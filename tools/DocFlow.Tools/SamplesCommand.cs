using System.ComponentModel;
using DocFlow.Samples;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DocFlow.Tools;

public sealed class SamplesSettings : CommandSettings
{
    [CommandArgument(0, "[DIR]")]
    [Description("Where to write the corpus. Default: samples.")]
    public string Directory { get; init; } = "samples";

    [CommandOption("--seed <N>")]
    [Description("Random seed; the same seed makes the same corpus.")]
    public int Seed { get; init; } = SampleCorpus.DefaultSeed;
}

/// <summary>docflow samples (docflow-tools): writes the demo corpus (12 documents with ground truth), reproducibly.</summary>
public sealed class SamplesCommand : Command<SamplesSettings>
{
    public override int Execute(CommandContext context, SamplesSettings settings, CancellationToken cancellationToken)
    {
        var files = SampleCorpus.Generate(settings.Directory, settings.Seed);
        AnsiConsole.MarkupLineInterpolated($"Wrote {files.Count} sample documents with ground truth to [blue]{Path.GetFullPath(settings.Directory)}[/]");
        return 0;
    }
}
