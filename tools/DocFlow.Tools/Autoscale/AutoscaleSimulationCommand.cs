using System.ComponentModel;
using System.Globalization;
using DocFlow.Reports.Pdf;
using DocFlow.Scaling;
using ScottPlot;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DocFlow.Tools.Autoscale;

public sealed class AutoscaleSimulationSettings : CommandSettings
{
    [CommandOption("--plot <PNG>")]
    [Description("Where to write the chart (arrivals, workers, queue wait over the day). Default: docs/img/autoscaling-day.png.")]
    [DefaultValue("docs/img/autoscaling-day.png")]
    public string Plot { get; init; } = "docs/img/autoscaling-day.png";
}

/// <summary>docflow autoscale-sim (docflow-tools): replays the synthetic day under the reactive and the predictive autoscaler.</summary>
public sealed class AutoscaleSimulationCommand : Command<AutoscaleSimulationSettings>
{
    private const string Font = "DejaVu Sans";

    public override int Execute(CommandContext context, AutoscaleSimulationSettings settings, CancellationToken cancellationToken)
    {
        var simulation = new SimulationOptions();
        var (reactive, predictive) = SyntheticDayScenario.Run(simulation);
        Console.WriteLine($"Synthetic day: {reactive.Jobs} documents; workers {SyntheticDayScenario.MinWorkers}-{SyntheticDayScenario.MaxWorkers}, " +
            $"start-up {simulation.StartupDelay.TotalMinutes:0} min, {simulation.ServiceRate:0} docs/h per worker, evaluated every {simulation.ControlInterval.TotalSeconds:0} s.");
        Console.WriteLine();
        Console.WriteLine("| autoscaler | mean wait (s) | p95 wait (s) | max wait (s) | worker-hours | scaling changes |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in new[] { reactive, predictive })
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.MeanWait:0.0} | {r.P95Wait:0} | {r.MaxWait:0} | {r.WorkerHours:0.0} | {r.ScaleChanges} |"));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Plot))!);
        Draw(reactive, predictive).SavePng(settings.Plot, 1400, 1200);
        AnsiConsole.MarkupLineInterpolated($"\nChart: [blue]{settings.Plot}[/]");
        return 0;
    }

    private static Multiplot Draw(SimulationResult reactive, SimulationResult predictive)
    {
        ScottPlot.Fonts.AddFontFile(Font, DejaVuFontResolver.PathOf("Sans"), bold: false, italic: false);
        ScottPlot.Fonts.AddFontFile(Font, DejaVuFontResolver.PathOf("SansBold"), bold: true, italic: false);
        ScottPlot.Fonts.Default = Font;
        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        var hours = reactive.Samples.Select(s => s.At.TotalHours).ToArray();

        var arrivals = multiplot.GetPlot(0);
        var bucket = TimeSpan.FromMinutes(10);
        var counts = SyntheticDay.Counts(reactive.Waits.Select(w => w.Arrival), bucket);
        var arrivalLine = arrivals.Add.Scatter(counts.Select((_, i) => (i + 0.5) * bucket.TotalHours).ToArray(), counts.Select(c => c * (TimeSpan.FromHours(1) / bucket)).ToArray());
        arrivalLine.LegendText = "arrivals (10-min buckets)";
        arrivalLine.MarkerSize = 0;
        arrivalLine.Color = Colors.Gray;
        var forecast = arrivals.Add.Scatter(hours, predictive.Samples.Select(s => s.ForecastRate ?? 0).ToArray());
        forecast.LegendText = "forecast peak over the horizon";
        forecast.MarkerSize = 0;
        forecast.Color = Colors.DarkOrange;
        Style(arrivals, "Arrivals", "docs/h");

        var workers = multiplot.GetPlot(1);
        foreach (var (r, color) in new[] { (reactive, Colors.SteelBlue), (predictive, Colors.DarkOrange) })
        {
            var line = workers.Add.Scatter(hours, r.Samples.Select(s => (double)s.Provisioned).ToArray());
            line.LegendText = $"{r.Name} ({r.WorkerHours:0} worker-hours)";
            line.MarkerSize = 0;
            line.Color = color;
        }
        Style(workers, "Workers provisioned", "workers");

        var wait = multiplot.GetPlot(2);
        foreach (var (r, color) in new[] { (reactive, Colors.SteelBlue), (predictive, Colors.DarkOrange) })
        {
            var p95 = Enumerable.Range(0, 144).Select(i =>
            {
                var w = r.Waits.Where(x => (int)(x.Arrival / bucket) == i).Select(x => x.WaitSeconds).Order().ToArray();
                return AutoscaleSimulation.Percentile(w, 0.95);
            }).ToArray();
            var line = wait.Add.Scatter(Enumerable.Range(0, 144).Select(i => (i + 0.5) * bucket.TotalHours).ToArray(), p95);
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{r.Name} (day p95 {r.P95Wait:0} s)");
            line.MarkerSize = 0;
            line.Color = color;
        }
        Style(wait, "Queue wait, p95 per 10 minutes of arrivals", "seconds");
        wait.XLabel("hour of the replayed day");
        return multiplot;
    }

    private static void Style(Plot plot, string title, string y)
    {
        plot.Title(title);
        plot.YLabel(y);
        plot.Axes.SetLimitsX(0, 24);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(2);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.Margins(bottom: 0);
    }
}
