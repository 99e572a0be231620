using DocFlow.Tools;
using DocFlow.Tools.Autoscale;
using DocFlow.Tools.Bench;
using Spectre.Console;
using Spectre.Console.Cli;

// The bench runs OCR engines in this process too: the same native set-up as the product's `docflow`.
DocFlow.Engine.Ocr.NativeEnvironment.EnsureInitialised();

if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetExceptionHandler((ex, _) =>
    {
        var message = ex is ToolException or CommandParseException or CommandRuntimeException ? ex.Message : ex.ToString();
        AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {message}");
        return 2;
    });
    // As in the product: an unknown option is an error that names it, never ignored.
    config.Settings.StrictParsing = true;
    // Run as `./docflow samples|bench|autoscale-sim` (the launcher dispatches here) or `dotnet run --project tools/DocFlow.Tools -- …`.
    config.SetApplicationName("docflow");
    config.AddCommand<SamplesCommand>("samples")
        .WithDescription("Write the demo corpus (12 documents with ground truth), reproducibly.");
    config.AddCommand<BenchCommand>("bench")
        .WithDescription("Measure throughput (sequential vs parallel, text-layer pages/s, OCR against the raw tesseract CLI) and accuracy against the samples' ground truth; --distributed measures the Redis platform; `bench api` what authentication and the audit trail cost the HTTP API.");
    config.AddCommand<AutoscaleSimulationCommand>("autoscale-sim")
        .WithDescription("Replay a synthetic day under the reactive and the predictive autoscaler: waits, worker-hours, a chart.");
});
return await app.RunAsync(args);
