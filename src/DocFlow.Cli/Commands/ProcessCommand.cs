using System.ComponentModel;
using DocFlow.Cli.Batch;
using DocFlow.Outputs;
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
    [Description("Run parsing, rendering and OCR in engine-host child processes, so that a file crashing the PDF parser or OCR cannot take this run down (use it for files you do not trust). Default: off here (it costs 0-2 % of wall time on the samples and on form scans, docs/benchmarks.md \"Engine sandbox\"); serve and worker default to on (Engine:Sandbox:Enabled).")]
    public string? Sandbox { get; init; }

    [CommandOption("--suppliers <FILE>")]
    [Description("Known suppliers that receipts' misread names and addresses resolve to: a JSON file with a list of suppliers, each a name and its addresses (docs/extraction.md), or none. Default: the registry shipped in the engine (DOCFLOW__Engine__Suppliers).")]
    public string? Suppliers { get; init; }

    /// <summary>Whether the engine runs in sandboxed hosts: off unless asked for (docs/benchmarks.md, "Engine sandbox", measured its cost).</summary>
    public bool UseSandbox => Sandbox == "on";

    public EngineOptions ToEngineOptions() => new()
    {
        Slots = Sequential ? 1 : Jobs ?? Environment.ProcessorCount,
        Languages = Lang,
        Suppliers = Suppliers ?? Environment.GetEnvironmentVariable("DOCFLOW__Engine__Suppliers"),
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

    [CommandOption("-f|--format <FORMATS>")]
    [Description("Files per document, comma-separated: json (NAME.json), pdf (NAME.searchable.pdf), hocr (NAME.hocr), md (NAME.md), txt (NAME.txt). Default: json.")]
    [DefaultValue("json")]
    public string Format { get; init; } = "json";

    [CommandOption("--chunks")]
    [Description("Add the Markdown chunks (chunkedDocument, as Document AI's layout parser) to NAME.json.")]
    public bool Chunks { get; init; }

    [CommandOption("--chunk-size <WORDS>")]
    [Description("With --chunks: at most this many words per chunk, headings and overlap included. Default: 500.")]
    [DefaultValue(500)]
    public int ChunkSize { get; init; } = 500;

    [CommandOption("--chunk-overlap <WORDS>")]
    [Description("With --chunks: words repeated from the previous chunk when a section is split. Default: 50.")]
    [DefaultValue(50)]
    public int ChunkOverlap { get; init; } = 50;

    public OutputFormats Formats => OutputFormat.TryParse(Format, out var f, out _) ? f : OutputFormats.Json;

    public ChunkingOptions? Chunking => Chunks ? new ChunkingOptions { ChunkSize = ChunkSize, Overlap = ChunkOverlap } : null;

    public override ValidationResult Validate()
    {
        var baseResult = base.Validate();
        if (!baseResult.Successful) return baseResult;
        if (Pages is not null && !PageSelection.TryParse(Pages, out _, out var pagesError))
            return ValidationResult.Error($"--pages: {pagesError}");
        if (!OutputFormat.TryParse(Format, out _, out var error)) return ValidationResult.Error($"--format: {error}.");
        try
        {
            new ChunkingOptions { ChunkSize = ChunkSize, Overlap = ChunkOverlap }.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return ValidationResult.Error($"--chunk-size/--chunk-overlap: {ex.Message.Split(" (Parameter", 2)[0]}");
        }
        // The report's price table (DOCFLOW__Engines__PricePerPage__ENGINE): a bad price is named before anything runs.
        try
        {
            Batch.EnginePricesFromEnvironment.Read(Environment.GetEnvironmentVariables());
        }
        catch (FormatException ex)
        {
            return ValidationResult.Error(ex.Message);
        }
        return ValidationResult.Success();
    }

    [CommandOption("-q|--quiet")]
    [Description("No progress and no summary table.")]
    public bool Quiet { get; init; }

    [CommandOption("--pages <PAGES>")]
    [Description("Only these pages of every file, e.g. 1-3,7,-1 (1-based; -1 is the last page; first:N, last:N). The Document keeps the original page numbers. Default: all.")]
    public string? Pages { get; init; }

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
        var summary = await BatchConsole.RunAsync(inputs, settings.Out, settings.ToEngineOptions(), settings.Force, settings.Quiet,
            settings.Formats, settings.Chunking, cancellationToken, settings.Pages is null ? null : PageSelection.Parse(settings.Pages), settings.UseSandbox);
        // Non-zero only when nothing at all could be processed.
        return summary.Totals.Succeeded + summary.Totals.Skipped == 0 ? 1 : 0;
    }
}
