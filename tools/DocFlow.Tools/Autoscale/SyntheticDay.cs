namespace DocFlow.Tools.Autoscale;

/// <summary>A burst of extra arrivals: <see cref="Count"/> documents spread evenly over <see cref="Spread"/>.</summary>
public sealed record Burst(TimeSpan At, int Count, TimeSpan Spread);

/// <summary>
/// A deterministic working day of arrivals for the autoscaling simulation: quiet night, morning ramp, lunch dip,
/// afternoon peak, evening tail, plus bursts; sampled as a Poisson process from a fixed seed.
/// </summary>
public static class SyntheticDay
{
    // (hour, docs/h): the shape is piecewise linear between these points.
    private static readonly (double Hour, double Rate)[] Shape =
    [
        (0, 25), (6, 20), (7, 80), (8, 280), (9, 460), (11, 500), (12, 300), (12.5, 230), (13.5, 420),
        (14.5, 620), (16.5, 660), (17.5, 380), (19, 150), (21, 60), (24, 25),
    ];

    /// <summary>The bursts of the replayed day (the history days have none: they cannot be forecast).</summary>
    public static IReadOnlyList<Burst> ReplayBursts { get; } =
    [
        new(TimeSpan.FromHours(10.5), 60, TimeSpan.FromMinutes(4)),
        new(TimeSpan.FromHours(15.25), 90, TimeSpan.FromMinutes(6)),
        new(TimeSpan.FromHours(20.5), 30, TimeSpan.FromMinutes(3)),
    ];

    /// <summary>The curve's arrival rate (docs/h) at <paramref name="timeOfDay"/>, times <paramref name="scale"/>.</summary>
    public static double Rate(TimeSpan timeOfDay, double scale = 1)
    {
        var h = timeOfDay.TotalHours % 24;
        for (var i = 1; i < Shape.Length; i++)
        {
            var (h0, r0) = Shape[i - 1];
            var (h1, r1) = Shape[i];
            if (h <= h1) return scale * (r0 + (r1 - r0) * (h - h0) / (h1 - h0));
        }
        return scale * Shape[^1].Rate;
    }

    /// <summary>Arrival times (from the start of the day, ascending) of one day.</summary>
    public static TimeSpan[] Arrivals(int seed, double scale, IEnumerable<Burst> bursts)
    {
        var random = new Random(seed);
        var peak = Shape.Max(s => s.Rate) * scale;
        var times = new List<TimeSpan>();
        // Thinning (Lewis-Shedler): candidates at the peak rate, each kept with probability rate(t)/peak.
        var t = 0.0;
        while (true)
        {
            t += -Math.Log(1 - random.NextDouble()) * 3600 / peak;
            if (t >= 86_400) break;
            var at = TimeSpan.FromSeconds(t);
            if (random.NextDouble() * peak < Rate(at, scale)) times.Add(at);
        }
        foreach (var burst in bursts)
            for (var i = 0; i < burst.Count; i++)
                times.Add(burst.At + burst.Spread * ((i + 0.5) / burst.Count));
        times.Sort();
        return [.. times];
    }

    /// <summary>Arrivals per bucket of <paramref name="bucket"/> over the day.</summary>
    public static double[] Counts(IEnumerable<TimeSpan> arrivals, TimeSpan bucket)
    {
        var counts = new double[(int)(TimeSpan.FromDays(1) / bucket)];
        foreach (var a in arrivals) counts[Math.Min((int)(a / bucket), counts.Length - 1)]++;
        return counts;
    }
}
