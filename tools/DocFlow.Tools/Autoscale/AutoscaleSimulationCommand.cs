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

    [CommandOption("--seed <SEED>")]
    [Description("Seed of the replayed day's arrivals (the history days use SEED-2 and SEED-1; service times SEED too). Default: 20260304.")]
    [DefaultValue(20260304)]
    public int Seed { get; init; } = 20260304;

    [CommandOption("--seeds <N>")]
    [Description("Replay N days (seeds SEED, SEED+1000, ...) and report each, then means and standard deviations, so a difference is only claimed when it beats the seed-to-seed noise. The chart shows the first. Default: 1.")]
    [DefaultValue(1)]
    public int Seeds { get; init; } = 1;

    [CommandOption("--ablation")]
    [Description("Also replay each day under the predictive policy with one of its parts switched off, and report their means: what each part contributes.")]
    public bool Ablation { get; init; }

    [CommandOption("--startup <SECONDS>")]
    [Description("Worker start-up of the simulated cluster, from its start to its first fetch (both policies). Default: 180 (a pod on a node the cluster autoscaler adds, docs/autoscaling.md).")]
    [DefaultValue(180.0)]
    public double Startup { get; init; } = 180;

    public override ValidationResult Validate() =>
        Startup is < 0 or > 3600 ? ValidationResult.Error($"--startup {Startup}: give 0 to 3600 seconds.") :
        Seeds is < 1 or > 100 ? ValidationResult.Error($"--seeds {Seeds}: give 1 to 100.") : ValidationResult.Success();
}

/// <summary>docflow autoscale-sim (docflow-tools): replays the synthetic day under the reactive and the predictive autoscaler.</summary>
public sealed class AutoscaleSimulationCommand : Command<AutoscaleSimulationSettings>
{
    private const string Font = "DejaVu Sans";

    public override int Execute(CommandContext context, AutoscaleSimulationSettings settings, CancellationToken cancellationToken)
    {
        var runs = new List<(int Seed, SimulationResult Reactive, SimulationResult Predictive)>();
        var ablations = SyntheticDayScenario.Ablations.ToDictionary(a => a.Name, _ => new List<SimulationResult>());
        SimulationOptions simulation = new();
        for (var i = 0; i < settings.Seeds; i++)
        {
            var seed = settings.Seed + 1000 * i;
            simulation = new SimulationOptions
            {
                Seed = settings.Seeds == 1 && settings.Seed == 20260304 ? new SimulationOptions().Seed : seed,
                StartupDelay = TimeSpan.FromSeconds(settings.Startup),
            };
            var (r, p) = SyntheticDayScenario.Run(simulation, seed);
            runs.Add((seed, r, p));
            if (settings.Ablation)
                foreach (var (name, tune) in SyntheticDayScenario.Ablations)
                    ablations[name].Add(SyntheticDayScenario.Variant(name, predictive: true, tune, simulation, seed));
        }
        var (reactive, predictive) = (runs[0].Reactive, runs[0].Predictive);
        Console.WriteLine($"Synthetic day: {reactive.Jobs} documents; workers {SyntheticDayScenario.MinWorkers}-{SyntheticDayScenario.MaxWorkers}, " +
            $"start-up {simulation.StartupDelay.TotalSeconds:0} s, {simulation.ServiceRate:0} docs/h per worker, evaluated every {simulation.ControlInterval.TotalSeconds:0} s.");
        Console.WriteLine();
        Console.WriteLine("| seed | autoscaler | mean wait (s) | p95 wait (s) | max wait (s) | worker-hours | scaling changes |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (seed, r0, p0) in runs)
            foreach (var r in new[] { r0, p0 })
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {seed} | {r.Name} | {r.MeanWait:0.0} | {r.P95Wait:0} | {r.MaxWait:0} | {r.WorkerHours:0.0} | {r.ScaleChanges} |"));
        if (runs.Count > 1)
        {
            Console.WriteLine();
            Console.WriteLine($"Over {runs.Count} seeds, mean ± standard deviation:");
            Console.WriteLine();
            Console.WriteLine("| autoscaler | mean wait (s) | p95 wait (s) | worker-hours | scaling changes |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var pick in new Func<(int, SimulationResult R, SimulationResult P), SimulationResult>[] { x => x.R, x => x.P })
            {
                var rs = runs.Select(pick).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {rs[0].Name} | {Spread(rs.Select(r => r.MeanWait))} | {Spread(rs.Select(r => r.P95Wait))} | {Spread(rs.Select(r => r.WorkerHours))} | {Spread(rs.Select(r => (double)r.ScaleChanges))} |"));
            }
            if (settings.Ablation)
            {
                var reactiveP95 = runs.Average(x => x.Reactive.P95Wait);
                var reactiveHours = runs.Average(x => x.Reactive.WorkerHours);
                Console.WriteLine();
                Console.WriteLine("Ablation: the predictive policy with one part switched off (mean ± sd; mean over reactive's mean):");
                Console.WriteLine();
                Console.WriteLine("| autoscaler | mean wait (s) | p95 wait (s) | worker-hours | scaling changes |");
                Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
                foreach (var rs in ablations.Values.Prepend(runs.Select(x => x.Predictive).ToList()))
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {rs[0].Name} | {Spread(rs.Select(r => r.MeanWait))} | {Spread(rs.Select(r => r.P95Wait))} ({rs.Average(r => r.P95Wait) / reactiveP95:0.00} x) | {Spread(rs.Select(r => r.WorkerHours))} ({rs.Average(r => r.WorkerHours) / reactiveHours:0.000} x) | {Spread(rs.Select(r => (double)r.ScaleChanges))} |"));
            }
            var p95Ratio = runs.Select(x => x.Predictive.P95Wait / Math.Max(1e-9, x.Reactive.P95Wait)).ToList();
            var hoursRatio = runs.Select(x => x.Predictive.WorkerHours / x.Reactive.WorkerHours).ToList();
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"predictive / reactive, per seed: p95 wait {Spread(p95Ratio, "0.00")}, worker-hours {Spread(hoursRatio, "0.000")}; " +
                $"ratio of the means: p95 {runs.Average(x => x.Predictive.P95Wait) / runs.Average(x => x.Reactive.P95Wait):0.00}, " +
                $"worker-hours {runs.Average(x => x.Predictive.WorkerHours) / runs.Average(x => x.Reactive.WorkerHours):0.000}"));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Plot))!);
        Draw(reactive, predictive).SavePng(settings.Plot, 1400, 1200);
        AnsiConsole.MarkupLineInterpolated($"\nChart: [blue]{settings.Plot}[/]");
        return 0;
    }

    /// <summary>"mean ± sd" (sample standard deviation).</summary>
    private static string Spread(IEnumerable<double> values, string format = "0.0")
    {
        var v = values.ToList();
        var mean = v.Average();
        var sd = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {sd.ToString(format, CultureInfo.InvariantCulture)}");
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
