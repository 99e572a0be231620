namespace DocFlow.Scaling;

/// <summary>
/// Online exponential smoothing of a series of equally spaced observations: Holt-Winters with additive trend and
/// additive seasonality once a full season has been seen, Holt's double exponential smoothing before that.
/// </summary>
/// <remarks>The seasonal indices start from the first season (each value less that season's mean, trend 0); from
/// then on the usual additive update runs. One observation costs O(1); nothing is refitted.</remarks>
public sealed class HoltWinters
{
    private readonly double[] _seasonal;
    private readonly List<double> _firstSeason = [];
    private double _level;
    private double _trend;
    private long _count;

    /// <param name="seasonLength">Observations per season (e.g. 288 five-minute buckets per day).</param>
    /// <param name="alpha">Level smoothing, 0-1.</param>
    /// <param name="beta">Trend smoothing, 0-1.</param>
    /// <param name="gamma">Seasonal smoothing, 0-1.</param>
    public HoltWinters(int seasonLength, double alpha, double beta, double gamma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonLength, 2);
        foreach (var (name, v) in new[] { (nameof(alpha), alpha), (nameof(beta), beta), (nameof(gamma), gamma) })
            if (v is < 0 or > 1) throw new ArgumentOutOfRangeException(name, v, "Smoothing factors lie between 0 and 1.");
        SeasonLength = seasonLength;
        Alpha = alpha;
        Beta = beta;
        Gamma = gamma;
        _seasonal = new double[seasonLength];
    }

    public int SeasonLength { get; }
    public double Alpha { get; }
    public double Beta { get; }
    public double Gamma { get; }

    /// <summary>Observations seen so far.</summary>
    public long Count => _count;

    /// <summary>True once a full season has been seen and the seasonal model is in use.</summary>
    public bool IsSeasonal => _count >= SeasonLength;

    public double Level => _level;
    public double Trend => _trend;

    public void Observe(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Observations must be finite.");
        if (_count < SeasonLength)
        {
            // Holt's linear method while the first season fills.
            if (_count == 0)
            {
                _level = value;
                _trend = 0;
            }
            else
            {
                var previous = _level;
                _level = Alpha * value + (1 - Alpha) * (_level + _trend);
                _trend = Beta * (_level - previous) + (1 - Beta) * _trend;
            }
            _firstSeason.Add(value);
            _count++;
            if (_count == SeasonLength) StartSeasonal();
            return;
        }
        var s = SeasonIndex(_count);
        var lastLevel = _level;
        _level = Alpha * (value - _seasonal[s]) + (1 - Alpha) * (_level + _trend);
        _trend = Beta * (_level - lastLevel) + (1 - Beta) * _trend;
        _seasonal[s] = Gamma * (value - _level) + (1 - Gamma) * _seasonal[s];
        _count++;
    }

    /// <summary>The forecast <paramref name="stepsAhead"/> observations after the last one (1 = the next).</summary>
    public double Forecast(int stepsAhead)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsAhead, 1);
        if (_count == 0) return 0;
        var value = _level + stepsAhead * _trend;
        if (IsSeasonal) value += _seasonal[SeasonIndex(_count + stepsAhead - 1)];
        return value;
    }

    private int SeasonIndex(long t) => (int)(t % SeasonLength);

    private void StartSeasonal()
    {
        var mean = _firstSeason.Average();
        for (var i = 0; i < SeasonLength; i++) _seasonal[i] = _firstSeason[i] - mean;
        // The level at the end of the first season is its mean (the seasonal indices carry the shape); no trend yet.
        _level = mean;
        _trend = 0;
        _firstSeason.Clear();
    }
}
