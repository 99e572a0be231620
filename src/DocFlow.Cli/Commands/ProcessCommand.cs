using System.ComponentModel;
using DocFlow.Cli.Batch;
using DocFlow.Processing;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

public class EngineSettings : CommandSettings
{
    [CommandOption("-j|--jobs <N>")]
    [Description("Pages processed at once (one OCR engine each). Default: the number of cores.")]
    public int? Jobs { get; init; }

    [CommandOption("--sequential")]
    [Description("One page at a time (same as --jobs 1).")]
    public bool Sequential { get; init; }

    [CommandOption("-l|--lang <LANGS>")]
    [Description("Tesseract languages, '+'-separated, e.g. eng or eng+deu. Default: eng.")]
    [DefaultValue("eng")]
    public string Lang { get; init; } = "eng";

    [CommandOption("--sandbox <on|off>")]
    [Description("Run parsing, rendering and OCR in engine-host child processes, so that a file crashing the PDF parser or OCR cannot take this run down (use it for files you do not trust). Default: off here (it cost more than 5 % on the samples, docs/benchmarks.md); serve and worker default to on (Engine:Sandbox:Enabled).")]
    public string? Sandbox { get; init; }

    /// <summary>Whether the engine runs in sandboxed hosts: off unless asked for (docs/benchmarks.md, "Engine sandbox", measured its cost).</summary>
    public bool UseSandbox => Sandbox == "on";

    public EngineOptions ToEngineOptions() => new()
    {
        Slots = Sequential ? 1 : Jobs ?? Environment.ProcessorCount,
        Languages = Lang,
    };

    public override ValidationResult Validate() =>
        Jobs is < 1 ? ValidationResult.Error("--jobs must be at least 1.")
        : Sandbox is not (null or "on" or "off") ? ValidationResult.Error($"--sandbox '{Sandbox}': give on or off.")
        : ValidationResult.Success();
}

public sealed class ProcessSettings : EngineSettings
{
    [CommandArgument(0, "<PATHS>")]
    [Description("Files and folders (folders are read recursively).")]
    public string[] Paths { get; init; } = [];

    [CommandOption("-o|--out <DIR>")]
    [Description("Output folder for NAME.json, NAME.error.json, summary.json and the report (report.pdf, results.csv, results.json). Default: out.")]
    [DefaultValue("out")]
    public string Out { get; init; } = "out";

    [CommandOption("--force")]
    [Description("Process every file again, even when its output is already there for the same content and options.")]
    public bool Force { get; init; }

    [CommandOption("-q|--quiet")]
    [Description("No progress and no summary table.")]
    public bool Quiet { get; init; }
}

/// <summary>docflow process: images and PDFs in, Document JSON out, on this machine alone.</summary>
public sealed class ProcessCommand : AsyncCommand<ProcessSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ProcessSettings settings, CancellationToken cancellationToken)
    {
        var inputs = InputCollector.Collect(settings.Paths, out var missing);
        foreach (var m in missing)
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {m}: no such file or folder");
        if (inputs.Count == 0)
        {
            AnsiConsole.MarkupLine("[red]error:[/] no input files to process.");
            return 2;
        }
        var summary = await BatchConsole.RunAsync(inputs, settings.Out, settings.ToEngineOptions(), settings.Force, settings.Quiet, cancellationToken, settings.UseSandbox);
        // Non-zero only when nothing at all could be processed.
        return summary.Totals.Succeeded + summary.Totals.Skipped == 0 ? 1 : 0;
    }
}
