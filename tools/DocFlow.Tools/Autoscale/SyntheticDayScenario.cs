using DocFlow.Scaling;

namespace DocFlow.Tools.Autoscale;

/// <summary>
/// The replayed day of docs/autoscaling.md: two days of history (the same shape at 95 % and 105 %, no bursts,
/// their own seeds) prime the forecaster, then the day itself (with bursts) is served reactively and predictively
/// by otherwise identical autoscalers.
/// </summary>
public static class SyntheticDayScenario
{
    /// <summary>The replayed day's midnight; any UTC midnight would do.</summary>
    public static readonly DateTimeOffset DayStart = new(2026, 3, 4, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Bounds of the simulated fleet.</summary>
    public const int MinWorkers = 2, MaxWorkers = 60;

    public static AutoscalerOptions Options(bool predictive, SimulationOptions simulation) => new()
    {
        MinWorkers = MinWorkers,
        MaxWorkers = MaxWorkers,
        Interval = simulation.ControlInterval,
        Predictive = predictive,
        // Provision for what will arrive once a worker started now is ready, plus a margin.
        ProvisioningHorizon = simulation.StartupDelay + TimeSpan.FromMinutes(7),
        DefaultPerWorkerThroughput = simulation.ServiceRate,
        StartupTime = simulation.StartupDelay,
    };

    public static (SimulationResult Reactive, SimulationResult Predictive) Run(SimulationOptions? simulation = null, int seed = 20260304)
    {
        simulation ??= new SimulationOptions();
        var reactive = Variant("reactive", predictive: false, _ => { }, simulation, seed);
        var predictive = Variant("predictive", predictive: true, _ => { }, simulation, seed);
        return (reactive, predictive);
    }

    /// <summary>The day of <paramref name="seed"/> under one autoscaler: <see cref="Options"/>, then <paramref name="tune"/>
    /// (the ablations of docs/autoscaling.md switch parts of the predictive policy off this way).</summary>
    public static SimulationResult Variant(string name, bool predictive, Action<AutoscalerOptions> tune, SimulationOptions simulation, int seed)
    {
        ArgumentNullException.ThrowIfNull(tune);
        var arrivals = SyntheticDay.Arrivals(seed, 1.0, SyntheticDay.ReplayBursts);
        var options = Options(predictive, simulation);
        tune(options);
        var bucket = options.Forecast.BucketWidth;
        double[] history =
        [
            .. SyntheticDay.Counts(SyntheticDay.Arrivals(seed - 2, 0.95, []), bucket),
            .. SyntheticDay.Counts(SyntheticDay.Arrivals(seed - 1, 1.05, []), bucket),
        ];
        return AutoscaleSimulation.Run(name, arrivals, options, simulation, DayStart, history);
    }

    /// <summary>The predictive policy with one part switched off at a time, and as it was before issue 15's second
    /// round (forecast only): what each part contributes.</summary>
    public static IReadOnlyList<(string Name, Action<AutoscalerOptions> Tune)> Ablations { get; } =
    [
        ("predictive, forecast only (before)", o => { o.PredictWorkInSystem = false; o.ForecastScaleDown = false; }),
        ("predictive, no work-in-system prediction", o => o.PredictWorkInSystem = false),
        ("predictive, HPA scale-down window", o => o.ForecastScaleDown = false),
        ("predictive, no arrival forecast (rate = observed)", o => o.ForecastArrivals = false),
    ];
}
