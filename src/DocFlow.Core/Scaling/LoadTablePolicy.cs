namespace DocFlow.Scaling;

/// <summary>One row of the load table: arrival rates from <see cref="FromRate"/> (docs/h) up to the next row's
/// start need between <see cref="MinWorkers"/> and <see cref="MaxWorkers"/> workers.</summary>
public sealed record LoadBand(double FromRate, double MinWorkers, double MaxWorkers);

/// <summary>
/// Maps an arrival rate (documents per hour) to a number of workers by a table of bands, interpolating
/// linearly within a band. The default is the proposal's table: 0-50 docs/h: 2-3 workers; 50-200: 5-10;
/// 200-500: 15-25; 500+: 25-50 at 1,000 docs/h and on at the same slope (20 docs/h per extra worker).
/// </summary>
/// <remarks>The table steps up at band edges (3 → 5 at 50 docs/h, 10 → 15 at 200) as the proposal's does: a
/// band's lower bound belongs to that band. The last band extends with the slope it has up to
/// <see cref="OpenEndRate"/>.</remarks>
public sealed class LoadTablePolicy
{
    private readonly LoadBand[] _bands;

    public LoadTablePolicy(IEnumerable<LoadBand> bands, double openEndRate)
    {
        _bands = [.. bands.OrderBy(b => b.FromRate)];
        if (_bands.Length == 0 || _bands[0].FromRate != 0) throw new ArgumentException("The first band must start at 0 docs/h.", nameof(bands));
        if (openEndRate <= _bands[^1].FromRate) throw new ArgumentOutOfRangeException(nameof(openEndRate), "The open end must lie above the last band's start.");
        OpenEndRate = openEndRate;
    }

    /// <summary>The proposal's table (DESIGN.md §5).</summary>
    public static LoadTablePolicy Default { get; } = new(
        [new(0, 2, 3), new(50, 5, 10), new(200, 15, 25), new(500, 25, 50)], openEndRate: 1000);

    /// <summary>The rate at which the last band reaches its <see cref="LoadBand.MaxWorkers"/>; beyond it the line goes on.</summary>
    public double OpenEndRate { get; }

    public IReadOnlyList<LoadBand> Bands => _bands;

    /// <summary>Workers for <paramref name="docsPerHour"/> (not rounded, not clamped).</summary>
    public double Workers(double docsPerHour)
    {
        var rate = Math.Max(0, double.IsFinite(docsPerHour) ? docsPerHour : 0);
        var i = Array.FindLastIndex(_bands, b => b.FromRate <= rate);
        var band = _bands[i];
        var to = i + 1 < _bands.Length ? _bands[i + 1].FromRate : OpenEndRate;
        var position = (rate - band.FromRate) / (to - band.FromRate);
        // Within a band: clamp to its range; the last band is open-ended and keeps its slope.
        if (i + 1 < _bands.Length) position = Math.Min(position, 1);
        return band.MinWorkers + position * (band.MaxWorkers - band.MinWorkers);
    }
}
