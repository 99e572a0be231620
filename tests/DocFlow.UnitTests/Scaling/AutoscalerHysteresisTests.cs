using DocFlow.Scaling;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.UnitTests.Scaling;

public sealed class AutoscalerHysteresisTests
{
    /// <summary>A flat 100 docs/h (mid-band) with Poisson noise, evaluated every 5 s for three hours.</summary>
    private static List<int> RunFlatNoisyLoad(AutoscalerOptions options)
    {
        var time = new FakeTimeProvider();
        var scaler = new Autoscaler(options, time);
        var random = new Random(42);
        var workers = new List<int>();
        var perTick = 100.0 / 720;
        for (var i = 0; i < 3 * 720; i++)
        {
            time.Advance(options.Interval);
            // At 0.2 per tick a Bernoulli draw is a fine Poisson process.
            var arrivals = random.NextDouble() < perTick ? 1 : 0;
            var backlog = random.Next(0, 3);
            workers.Add(scaler.Evaluate(new ScalingSignal(arrivals, backlog, 20)).Workers);
        }
        return workers;
    }

    [Fact]
    public void NoisyFlatLoad_DoesNotFlap()
    {
        var workers = RunFlatNoisyLoad(new AutoscalerOptions { Predictive = false });
        // After the first 15 minutes (the rate window fills), the fleet may settle by a step or two but never turns back and forth.
        var settled = workers.Skip(180).ToList();
        var reversals = 0;
        var lastDirection = 0;
        for (var i = 1; i < settled.Count; i++)
        {
            var direction = Math.Sign(settled[i] - settled[i - 1]);
            if (direction == 0) continue;
            if (lastDirection != 0 && direction != lastDirection) reversals++;
            lastDirection = direction;
        }
        // The noise of a 10-minute window (±25 %) still moves the fleet by one worker now and then: at most one
        // reversal per 20 minutes, within two workers, and far fewer changes than without hysteresis.
        Assert.True(reversals <= 8, $"{reversals} reversals: {string.Join(',', settled.Distinct())}");
        Assert.InRange(settled.Max() - settled.Min(), 0, 2);
        var changes = settled.Zip(settled.Skip(1)).Count(p => p.First != p.Second);
        var bare = RunFlatNoisyLoad(new AutoscalerOptions
        {
            Predictive = false, ScaleUpCooldown = TimeSpan.Zero, ScaleDownCooldown = TimeSpan.Zero,
            ScaleDownStabilization = TimeSpan.FromTicks(1), ScaleDownTolerance = 0,
        }).Skip(180).ToList();
        var bareChanges = bare.Zip(bare.Skip(1)).Count(p => p.First != p.Second);
        Assert.True(changes * 5 < bareChanges, $"{changes} changes with hysteresis, {bareChanges} without");
    }

    [Fact]
    public void WithoutHysteresis_TheSameLoadFlaps()
    {
        var workers = RunFlatNoisyLoad(new AutoscalerOptions
        {
            Predictive = false,
            ScaleUpCooldown = TimeSpan.Zero,
            ScaleDownCooldown = TimeSpan.Zero,
            ScaleDownStabilization = TimeSpan.FromTicks(1),
            ScaleDownTolerance = 0,
        });
        var changes = workers.Skip(180).Zip(workers.Skip(181)).Count(p => p.First != p.Second);
        Assert.True(changes > 10, $"only {changes} changes: the noise is too weak for this test to mean anything");
    }

    [Fact]
    public void ScaleDown_WaitsForTheStabilisationWindow()
    {
        var time = new FakeTimeProvider();
        var options = new AutoscalerOptions
        {
            Predictive = false, RateWindow = TimeSpan.FromMinutes(1), Interval = TimeSpan.FromSeconds(5), WaitObjective = TimeSpan.FromHours(1),
        };
        var scaler = new Autoscaler(options, time);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(32, scaler.Evaluate(new ScalingSignal(0, 100, 20)).Workers);
        var downAt = TimeSpan.Zero;
        for (var t = TimeSpan.FromSeconds(5); t < TimeSpan.FromMinutes(30); t += options.Interval)
        {
            time.Advance(options.Interval);
            if (scaler.Evaluate(new ScalingSignal(0, 0, 20)).Workers < 32) { downAt = t; break; }
        }
        Assert.True(downAt >= options.ScaleDownStabilization, $"scaled down after {downAt}");
        Assert.True(downAt < options.ScaleDownStabilization + TimeSpan.FromMinutes(1), $"scaled down only after {downAt}");
    }
}
