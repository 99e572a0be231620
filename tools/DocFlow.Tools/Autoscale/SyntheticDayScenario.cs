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
    };

    public static (SimulationResult Reactive, SimulationResult Predictive) Run(SimulationOptions? simulation = null, int seed = 20260304)
    {
        simulation ??= new SimulationOptions();
        var arrivals = SyntheticDay.Arrivals(seed, 1.0, SyntheticDay.ReplayBursts);
        var bucket = Options(true, simulation).Forecast.BucketWidth;
        double[] history =
        [
            .. SyntheticDay.Counts(SyntheticDay.Arrivals(seed - 2, 0.95, []), bucket),
            .. SyntheticDay.Counts(SyntheticDay.Arrivals(seed - 1, 1.05, []), bucket),
        ];
        var reactive = AutoscaleSimulation.Run("reactive", arrivals, Options(false, simulation), simulation, DayStart, history);
        var predictive = AutoscaleSimulation.Run("predictive", arrivals, Options(true, simulation), simulation, DayStart, history);
        return (reactive, predictive);
    }
}
