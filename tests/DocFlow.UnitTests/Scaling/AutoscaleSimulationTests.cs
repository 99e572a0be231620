using DocFlow.Scaling;
using DocFlow.Tools.Autoscale;

namespace DocFlow.UnitTests.Scaling;

public sealed class AutoscaleSimulationTests
{
    private static readonly Lazy<(SimulationResult Reactive, SimulationResult Predictive)> Day = new(() => SyntheticDayScenario.Run());

    [Fact]
    public void Simulation_IsDeterministic()
    {
        var again = SyntheticDayScenario.Run();
        foreach (var (a, b) in new[] { (Day.Value.Reactive, again.Reactive), (Day.Value.Predictive, again.Predictive) })
        {
            Assert.Equal(a.Jobs, b.Jobs);
            Assert.Equal(a.WorkerHours, b.WorkerHours);
            Assert.Equal(a.P95Wait, b.P95Wait);
            Assert.Equal(a.Waits, b.Waits);
        }
    }

    [Fact]
    public void Predictive_HasLowerP95Wait_AtComparableWorkerHours()
    {
        var (reactive, predictive) = Day.Value;
        Assert.Equal(reactive.Jobs, predictive.Jobs);
        Assert.True(predictive.P95Wait < reactive.P95Wait, $"p95 predictive {predictive.P95Wait:F0} s vs reactive {reactive.P95Wait:F0} s");
        Assert.InRange(predictive.WorkerHours / reactive.WorkerHours, 0.95, 1.05);
        Assert.True(predictive.ScaleChanges < reactive.ScaleChanges);
    }

    [Fact]
    public void Simulation_ServesEveryArrival_AndStaysWithinBounds()
    {
        var (reactive, predictive) = Day.Value;
        foreach (var r in new[] { reactive, predictive })
        {
            Assert.Equal(SyntheticDay.Arrivals(20260304, 1, SyntheticDay.ReplayBursts).Length, r.Jobs);
            Assert.All(r.Samples, s => Assert.InRange(s.Provisioned, SyntheticDayScenario.MinWorkers, SyntheticDayScenario.MaxWorkers * 2));
            Assert.All(r.Waits, w => Assert.True(w.WaitSeconds >= 0));
        }
    }

    [Fact]
    public void ArrivalEstimator_CountsGrowthPlusCompletions()
    {
        var estimator = new ArrivalEstimator();
        var t0 = DateTimeOffset.UnixEpoch;
        Assert.Equal(0, estimator.Observe(t0, 10, 4, TimeSpan.FromSeconds(60)));
        // 60 s with 4 in flight at 60 s each: 4 finished; the queue grew by 2: 6 arrived.
        Assert.Equal(6, estimator.Observe(t0.AddSeconds(60), 12, 4, TimeSpan.FromSeconds(60)), 6);
    }

    /// <summary>The claim docs/autoscaling.md makes over 8 seeds, on 3 of them (a unit test must stay quick): the
    /// predictive autoscaler, whose forecast may only raise capacity, has a lower p95 wait on every day, for at most
    /// 5 % more worker-hours; and other seeds give other days (so --seeds measures noise, not one day thrice).</summary>
    [Fact]
    public void Predictive_BeatsReactive_OnEverySeed_AndSeedsDiffer()
    {
        var runs = Enumerable.Range(0, 3).Select(i => SyntheticDayScenario.Run(new SimulationOptions { Seed = 20260304 + 1000 * i }, 20260304 + 1000 * i)).ToList();
        Assert.Equal(3, runs.Select(r => r.Reactive.Jobs).Distinct().Count());
        foreach (var (reactive, predictive) in runs)
        {
            Assert.True(predictive.P95Wait < reactive.P95Wait, $"p95 predictive {predictive.P95Wait:F0} s vs reactive {reactive.P95Wait:F0} s");
            Assert.InRange(predictive.WorkerHours / reactive.WorkerHours, 1.0, 1.05);
        }
    }
}
