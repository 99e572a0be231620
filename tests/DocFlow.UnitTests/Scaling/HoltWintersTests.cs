using DocFlow.Scaling;
using DocFlow.Tools.Autoscale;

namespace DocFlow.UnitTests.Scaling;

public sealed class HoltWintersTests
{
    private static double Series(int t, Random noise) =>
        200 + 0.5 * t + 80 * Math.Sin(2 * Math.PI * t / 24) + 30 * Math.Cos(2 * Math.PI * t / 12) + (noise.NextDouble() - 0.5) * 10;

    [Fact]
    public void Forecast_OfAKnownSeasonalSeries_HasBoundedError()
    {
        var noise = new Random(1);
        var model = new HoltWinters(seasonLength: 24, alpha: 0.3, beta: 0.05, gamma: 0.3);
        for (var t = 0; t < 24 * 6; t++) model.Observe(Series(t, noise));
        Assert.True(model.IsSeasonal);
        var truth = Enumerable.Range(24 * 6, 24).Select(t => 200 + 0.5 * t + 80 * Math.Sin(2 * Math.PI * t / 24) + 30 * Math.Cos(2 * Math.PI * t / 12)).ToArray();
        var errors = truth.Select((y, h) => Math.Abs(model.Forecast(h + 1) - y)).ToArray();
        // Amplitude 110 around a level near 270: a full day ahead stays within a few per cent.
        Assert.True(errors.Average() < 12, $"mean absolute error {errors.Average():F1}");
        Assert.True(errors.Max() < 25, $"max absolute error {errors.Max():F1}");
    }

    [Fact]
    public void Seasonal_BeatsDoubleSmoothing_OnTheSameSeries()
    {
        var noise = new Random(2);
        var values = Enumerable.Range(0, 24 * 7).Select(t => Series(t, noise)).ToArray();
        var seasonal = new HoltWinters(24, 0.3, 0.05, 0.3);
        // A season longer than the history keeps the model on Holt's double exponential smoothing.
        var holt = new HoltWinters(10_000, 0.3, 0.05, 0.3);
        double errSeasonal = 0, errHolt = 0;
        for (var t = 0; t < values.Length - 6; t++)
        {
            seasonal.Observe(values[t]);
            holt.Observe(values[t]);
            if (t < 24 * 3) continue;
            errSeasonal += Math.Abs(seasonal.Forecast(6) - values[t + 6]);
            errHolt += Math.Abs(holt.Forecast(6) - values[t + 6]);
        }
        Assert.False(holt.IsSeasonal);
        Assert.True(errSeasonal < errHolt / 3, $"seasonal {errSeasonal:F0} vs Holt {errHolt:F0}");
    }

    [Fact]
    public void DoubleSmoothing_FollowsALinearTrend()
    {
        var model = new HoltWinters(1000, 0.5, 0.3, 0.1);
        for (var t = 0; t < 100; t++) model.Observe(10 + 2 * t);
        Assert.Equal(10 + 2 * 104, model.Forecast(5), 1);
    }

    [Fact]
    public void Forecaster_PredictsTheMorningRampFromEarlierDays()
    {
        var options = new ForecastOptions();
        var forecaster = new ArrivalForecaster(options);
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var day = SyntheticDay.Counts(SyntheticDay.Arrivals(5, 1, []), options.BucketWidth);
        forecaster.Prime(start, [.. day, .. day]);
        // At 07:00 of the third day, the next hour is forecast near the curve's 08:00 rate (280 docs/h), not 07:00's (80).
        var at7 = start.AddDays(2).AddHours(7);
        forecaster.Record(day[28], at7);
        var peak = forecaster.PeakRate(at7, TimeSpan.FromHours(1));
        Assert.NotNull(peak);
        Assert.InRange(peak.Value, 200, 400);
    }
}
