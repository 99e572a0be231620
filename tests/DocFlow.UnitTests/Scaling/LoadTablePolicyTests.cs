using DocFlow.Scaling;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.UnitTests.Scaling;

public sealed class LoadTablePolicyTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(25, 2.5)]
    [InlineData(49.999, 3)]
    [InlineData(50, 5)]
    [InlineData(125, 7.5)]
    [InlineData(200, 15)]
    [InlineData(350, 20)]
    [InlineData(500, 25)]
    [InlineData(750, 37.5)]
    [InlineData(1000, 50)]
    [InlineData(1200, 60)]
    public void Workers_FollowTheProposalTable(double docsPerHour, double expected) =>
        Assert.Equal(expected, LoadTablePolicy.Default.Workers(docsPerHour), 2);

    [Fact]
    public void Workers_StayWithinEachBand()
    {
        foreach (var (from, to, min, max) in new[] { (0.0, 50.0, 2.0, 3.0), (50, 200, 5, 10), (200, 500, 15, 25) })
            for (var r = from; r < to; r += 1)
                Assert.InRange(LoadTablePolicy.Default.Workers(r), min, max);
    }

    [Theory]
    [InlineData(0, 3, 3)]      // below MIN: MIN
    [InlineData(5000, 3, 8)]   // above MAX: MAX
    [InlineData(125, 2, 20)]   // inside: the table (7.5 → 8 workers)
    public void Autoscaler_ClampsToMinMax(double docsPerHour, int min, int max)
    {
        var time = new FakeTimeProvider();
        var scaler = new Autoscaler(new AutoscalerOptions { MinWorkers = min, MaxWorkers = max, Predictive = false, Interval = TimeSpan.FromMinutes(10) }, time);
        time.Advance(TimeSpan.FromMinutes(10));
        var d = scaler.Evaluate(new ScalingSignal(docsPerHour / 6, 0, 20));
        Assert.Equal(Math.Clamp((int)Math.Ceiling(LoadTablePolicy.Default.Workers(docsPerHour)), min, max), d.Workers);
    }

    [Fact]
    public void Autoscaler_AddsWorkersToDrainTheBacklog()
    {
        var time = new FakeTimeProvider();
        // A wait objective of an hour: a waiting job needs 180 s / 3600 s of a slot, so the capacity floor (5) stays
        // below the drain term and this tests the latter.
        var scaler = new Autoscaler(new AutoscalerOptions { MinWorkers = 2, MaxWorkers = 50, Predictive = false, WaitObjective = TimeSpan.FromHours(1) }, time);
        time.Advance(TimeSpan.FromSeconds(5));
        // No arrivals, 100 waiting, 20 docs/h per worker, drain in 10 min: 100 / (20 / 6) = 30 extra workers.
        var d = scaler.Evaluate(new ScalingSignal(0, 100, 20));
        Assert.Equal(32, d.Workers);
    }

    [Theory]
    [InlineData(100, 10, 60, 110)]   // documents (180 s) slower than the objective: a slot for every job in the system
    [InlineData(100, 10, 1800, 20)]  // objective 30 min: 10 in flight + 100 × 180/1800 waiting
    [InlineData(0, 40, 60, 40)]      // no backlog, 40 busy: never fewer slots than jobs in flight
    public void Autoscaler_NeverScalesBelowTheWorkInTheSystem(double waiting, double inFlight, int objectiveSeconds, int expected)
    {
        var time = new FakeTimeProvider();
        var scaler = new Autoscaler(new AutoscalerOptions
        {
            MinWorkers = 1, MaxWorkers = 500, Predictive = false, WaitObjective = TimeSpan.FromSeconds(objectiveSeconds),
            DrainTarget = TimeSpan.FromDays(1), // the drain term out of the way
        }, time);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(expected, scaler.Evaluate(new ScalingSignal(0, waiting, 20, inFlight)).Workers);
    }
}
