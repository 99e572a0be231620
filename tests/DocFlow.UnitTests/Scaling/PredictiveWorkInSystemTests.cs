using DocFlow.Scaling;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.UnitTests.Scaling;

/// <summary>The predictive policy's two parts beyond the forecast (docs/autoscaling.md): the work in the system
/// predicted one start-up ahead, and a scale-down that forgets slots held for work that is done.</summary>
public sealed class PredictiveWorkInSystemTests
{
    private static AutoscalerOptions Options(bool predictive) => new()
    {
        MinWorkers = 2, MaxWorkers = 100, Interval = TimeSpan.FromSeconds(15), Predictive = predictive,
        DefaultPerWorkerThroughput = 22, StartupTime = TimeSpan.FromMinutes(3),
        // No history: the forecast has nothing to add, so what differs is the work-in-system prediction alone.
    };

    /// <summary>10 busy workers (22 docs/h each finish one job every 16 s between them), then a burst: 8 arrivals every
    /// 15 s (32/min against 3.7/min finished) with jobs waiting. The floor asks for a slot per job present; the
    /// prediction adds the jobs that arrive during the start-up beyond those finished, so the workers for them start now.</summary>
    [Fact]
    public void Burst_StartsTheWorkersItWillNeedOneStartUpAhead()
    {
        var decisions = new Dictionary<bool, ScalingDecision>();
        foreach (var predictive in new[] { false, true })
        {
            var time = new FakeTimeProvider();
            var options = Options(predictive);
            options.ScaleUpCooldown = TimeSpan.Zero; // each evaluation's recommendation is applied
            var scaler = new Autoscaler(options, time);
            for (var i = 0; i < 20; i++)
            {
                time.Advance(TimeSpan.FromSeconds(15));
                scaler.Evaluate(new ScalingSignal(1, 0, 22, InFlight: 10));
            }
            ScalingDecision last = default;
            for (var i = 1; i <= 2; i++)
            {
                time.Advance(TimeSpan.FromSeconds(15));
                last = scaler.Evaluate(new ScalingSignal(8, 8 * i, 22, InFlight: 10));
            }
            decisions[predictive] = last;
        }
        // Reactive: 10 in flight + 16 waiting.
        Assert.Equal(26, decisions[false].Slots);
        // Predictive: 16 arrivals in 30 s less ~1.8 finished and a quarter of a standard deviation ≈ 13.2 excess,
        // × 180 s / 30 s ≈ 79 more.
        Assert.InRange(decisions[true].Slots, 26 + 70, 100);
    }

    /// <summary>The same arrivals with nothing waiting (idle slots take them) predict nothing: steady load, or growth
    /// the provisioned slots absorb, starts no worker.</summary>
    [Fact]
    public void ArrivalsWithoutWaitingJobs_AddNothing()
    {
        var slots = new Dictionary<bool, int>();
        foreach (var predict in new[] { false, true })
        {
            var time = new FakeTimeProvider();
            var options = Options(predictive: true);
            options.PredictWorkInSystem = predict;
            var scaler = new Autoscaler(options, time);
            for (var i = 0; i < 40; i++)
            {
                time.Advance(TimeSpan.FromSeconds(15));
                slots[predict] = scaler.Evaluate(new ScalingSignal(3, 0, 22, InFlight: 10)).Slots;
            }
        }
        Assert.Equal(slots[false], slots[true]);
    }

    /// <summary>After a burst's jobs are done, the reactive policy holds the slots for the 10-minute stabilisation
    /// window (HPA's rule, for a noisy rate); the predictive one releases them after the scale-down cooldown, because
    /// its window remembers the rate part only, not the count of jobs that were present.</summary>
    [Fact]
    public void AfterABurst_PredictiveReleasesItsSlotsWithoutTheWindow()
    {
        var released = new Dictionary<bool, TimeSpan>();
        foreach (var predictive in new[] { false, true })
        {
            var time = new FakeTimeProvider();
            var options = Options(predictive);
            options.PredictWorkInSystem = false; // the burst's slots come from the floor alone in both
            var scaler = new Autoscaler(options, time);
            time.Advance(TimeSpan.FromSeconds(15));
            var peak = scaler.Evaluate(new ScalingSignal(0, 40, 22, InFlight: 10)).Slots;
            Assert.Equal(50, peak);
            for (var t = TimeSpan.FromSeconds(15); t < TimeSpan.FromMinutes(30); t += options.Interval)
            {
                time.Advance(options.Interval);
                if (scaler.Evaluate(new ScalingSignal(0, 0, 22, InFlight: 2)).Slots < peak / 2) { released[predictive] = t; break; }
            }
        }
        Assert.True(released[false] >= TimeSpan.FromMinutes(10), $"reactive released after {released[false]}");
        Assert.InRange(released[true], TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3));
    }
}
