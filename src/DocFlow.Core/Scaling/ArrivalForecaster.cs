namespace DocFlow.Scaling;

/// <summary>
/// Counts arrivals into fixed buckets aligned to UTC midnight and forecasts the arrival rate ahead with
/// <see cref="HoltWinters"/> (daily seasonality; Holt's double smoothing during the first day of history).
/// </summary>
public sealed class ArrivalForecaster
{
    private readonly TimeSpan _bucket;
    private readonly HoltWinters _model;
    private long _openBucket = -1;
    private double _openCount;

    public ArrivalForecaster(ForecastOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _bucket = options.BucketWidth;
        if (_bucket <= TimeSpan.Zero || TimeSpan.FromDays(1).Ticks % _bucket.Ticks != 0)
            throw new ArgumentOutOfRangeException(nameof(options), "The bucket width must divide a day.");
        _model = new HoltWinters((int)(TimeSpan.FromDays(1).Ticks / _bucket.Ticks), options.Alpha, options.Beta, options.Gamma);
    }

    public TimeSpan BucketWidth => _bucket;

    /// <summary>The model, for inspection (e.g. whether it is seasonal yet).</summary>
    public HoltWinters Model => _model;

    /// <summary>Adds <paramref name="count"/> arrivals seen at <paramref name="at"/>; closes the buckets time has passed.</summary>
    public void Record(double count, DateTimeOffset at)
    {
        var bucket = BucketOf(at);
        if (_openBucket < 0) _openBucket = bucket;
        if (bucket < _openBucket) bucket = _openBucket; // a late report counts in the open bucket
        CloseUntil(bucket);
        _openCount += count;
    }

    /// <summary>Feeds whole past buckets (e.g. previous days' counts) starting at the bucket holding <paramref name="start"/>.</summary>
    public void Prime(DateTimeOffset start, IEnumerable<double> bucketCounts)
    {
        var bucket = BucketOf(start);
        foreach (var count in bucketCounts)
        {
            Record(count, Start(bucket));
            bucket++;
        }
        CloseUntil(bucket);
    }

    /// <summary>The highest forecast arrival rate (docs/h) in the buckets from <paramref name="now"/> to
    /// <paramref name="now"/> + <paramref name="horizon"/>; null before two buckets of history.</summary>
    public double? PeakRate(DateTimeOffset now, TimeSpan horizon)
    {
        CloseUntil(Math.Max(BucketOf(now), _openBucket));
        if (_model.Count < 2) return null;
        var last = BucketOf(now + horizon);
        var peak = 0.0;
        for (var step = 1; step <= last - _openBucket + 1; step++) peak = Math.Max(peak, _model.Forecast(step));
        return peak * (TimeSpan.FromHours(1) / _bucket);
    }

    private void CloseUntil(long bucket)
    {
        if (_openBucket < 0) return;
        while (_openBucket < bucket)
        {
            _model.Observe(_openCount);
            _openCount = 0;
            _openBucket++;
        }
    }

    private long BucketOf(DateTimeOffset at) => at.UtcTicks / _bucket.Ticks;

    private DateTimeOffset Start(long bucket) => new(bucket * _bucket.Ticks, TimeSpan.Zero);
}

/// <summary>How arrivals are forecast.</summary>
public sealed class ForecastOptions
{
    /// <summary>Width of a counting bucket; must divide a day. <value>Default 15 min (96 per day): narrower buckets
    /// hold so few arrivals that the seasonal indices learn Poisson noise, and the peak over the horizon chases it.</value></summary>
    public TimeSpan BucketWidth { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Level smoothing. <value>Default 0.3.</value></summary>
    public double Alpha { get; set; } = 0.3;

    /// <summary>Trend smoothing. <value>Default 0.02: the trend is the slow part; the seasonal shape carries the ramps.</value></summary>
    public double Beta { get; set; } = 0.02;

    /// <summary>Seasonal smoothing. <value>Default 0.3: each day moves the daily shape about a third of the way.</value></summary>
    public double Gamma { get; set; } = 0.3;
}
