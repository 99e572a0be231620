namespace DocFlow.Scaling;

/// <summary>
/// Estimates arrivals between two queue snapshots when the queue reports only depth and jobs in flight:
/// arrivals = growth of (waiting + in flight) + completions, and completions ≈ average jobs in flight × elapsed
/// time ÷ mean service time (Little's law).
/// </summary>
public sealed class ArrivalEstimator
{
    private (DateTimeOffset At, long Waiting, long InFlight)? _last;

    /// <summary>Arrivals since the previous snapshot (0 for the first one), given the measured mean time a worker
    /// spends on one job.</summary>
    public double Observe(DateTimeOffset at, long waiting, long inFlight, TimeSpan meanServiceTime)
    {
        var last = _last;
        _last = (at, waiting, inFlight);
        if (last is not { } p || at <= p.At) return 0;
        var elapsed = at - p.At;
        var completions = meanServiceTime > TimeSpan.Zero ? (p.InFlight + inFlight) / 2.0 * (elapsed / meanServiceTime) : 0;
        return Math.Max(0, waiting + inFlight - (p.Waiting + p.InFlight) + completions);
    }
}
