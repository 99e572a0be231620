namespace DocFlow.Scaling;

/// <summary>What the autoscaler sees at one evaluation.</summary>
/// <param name="Arrivals">Jobs that arrived since the previous evaluation (measured or estimated).</param>
/// <param name="Backlog">Jobs waiting, not yet taken by a worker.</param>
/// <param name="PerWorkerThroughput">Measured documents per hour one worker finishes; null when not known yet.</param>
/// <param name="InFlight">Jobs a worker holds now. With <paramref name="Backlog"/> it is the work in the system, which the
/// capacity floor never scales below (the policy KEDA applies to the stream lengths, docs/autoscaling.md).</param>
public readonly record struct ScalingSignal(double Arrivals, double Backlog, double? PerWorkerThroughput, double InFlight = 0);

/// <summary>One evaluation's outcome.</summary>
/// <param name="Slots">Slots to run in all (the decision, after hysteresis).</param>
/// <param name="Workers">Slots in whole workers (rounded up).</param>
/// <param name="Recommended">Workers the policy asked for at this instant, before rounding and hysteresis.</param>
/// <param name="ObservedRate">Arrival rate over the rate window (docs/h).</param>
/// <param name="ForecastRate">Peak forecast arrival rate over the provisioning horizon (docs/h), when predicting.</param>
/// <param name="Changed">Whether this evaluation changed <see cref="Slots"/>.</param>
public readonly record struct ScalingDecision(
    int Slots, int Workers, double Recommended, double ObservedRate, double? ForecastRate, bool Changed);

/// <summary>
/// Decides how many workers to run: the load table on the arrival rate (observed, or forecast over the provisioning
/// horizon when predictive), plus enough workers to drain the backlog within the target time, clamped to the
/// bounds; then hysteresis: scale-ups wait out a cooldown, scale-downs take the highest recommendation of the
/// stabilisation window (as Kubernetes' HPA does) and a cooldown too.
/// </summary>
/// <remarks>Pure and clock-driven (<see cref="TimeProvider"/>): the supervisor and the simulation run the same code.</remarks>
public sealed class Autoscaler
{
    private readonly AutoscalerOptions _options;
    private readonly TimeProvider _time;
    private readonly Queue<(DateTimeOffset At, double Count)> _arrivals = new();
    private readonly Queue<(DateTimeOffset At, double Count)> _recent = new();
    private readonly LinkedList<(DateTimeOffset At, double Slots)> _recommendations = new();
    private readonly DateTimeOffset _started;
    private DateTimeOffset? _lastUp;
    private DateTimeOffset? _lastChange;

    public Autoscaler(AutoscalerOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider;
        _started = timeProvider.GetUtcNow();
        Forecaster = new ArrivalForecaster(options.Forecast);
        Slots = options.MinWorkers * options.SlotsPerWorker;
    }

    public AutoscalerOptions Options => _options;

    /// <summary>The arrival history and its model (prime it with earlier days to predict from the first hour).</summary>
    public ArrivalForecaster Forecaster { get; }

    /// <summary>The slots currently decided.</summary>
    public int Slots { get; private set; }

    public ScalingDecision Evaluate(ScalingSignal signal)
    {
        var now = _time.GetUtcNow();
        var arrivals = Math.Max(0, signal.Arrivals);
        _arrivals.Enqueue((now, arrivals));
        while (_arrivals.Count > 0 && _arrivals.Peek().At <= now - _options.RateWindow) _arrivals.Dequeue();
        Forecaster.Record(arrivals, now);

        // Until a full window has passed, the rate is over the time seen so far (never less than one evaluation).
        var span = Min(_options.RateWindow, Max(now - _started, _options.Interval));
        var observed = _arrivals.Sum(a => a.Count) / span.TotalHours;
        double? forecast = _options.Predictive && _options.ForecastArrivals ? Forecaster.PeakRate(now, _options.ProvisioningHorizon) : null;
        var rate = forecast is { } f ? Math.Max(f, observed * _options.ObservedFloor) : observed;

        var perWorker = signal.PerWorkerThroughput is > 0 ? signal.PerWorkerThroughput.Value : _options.DefaultPerWorkerThroughput;
        var backlog = Math.Max(0, signal.Backlog);
        var inFlight = Math.Max(0, signal.InFlight);
        var backlogWorkers = backlog / (perWorker * _options.DrainTarget.TotalHours);
        // Capacity floor (the same policy as KEDA's): a slot for every job in flight, and min(1, S/W) of a slot for every
        // waiting job, S the document time per slot and W the wait objective. With S ≥ W (DocFlow's documents) every
        // job in the system gets a slot, so busy slots are never surplus and no waiting job waits for another's end.
        var documentSeconds = 3600.0 * _options.SlotsPerWorker / perWorker;
        var share = Math.Min(1, documentSeconds / _options.WaitObjective.TotalSeconds);
        var floorSlots = inFlight + backlog * share;
        var growth = 0.0;
        if (_options.Predictive && _options.PredictWorkInSystem)
        {
            // The work in the system one start-up ahead: what is here now, plus what arrives during the start-up beyond
            // what the busy slots finish (the rate of change of waiting + in flight, extrapolated over the start-up).
            // Arrivals are the recent (short-window) count less NoiseAllowance standard deviations of a Poisson count,
            // so steady load adds nothing and a burst (or a ramp steeper than the forecast) starts its workers when it
            // begins, not one by one as its jobs arrive: each then waits one start-up less.
            _recent.Enqueue((now, arrivals));
            while (_recent.Count > 0 && _recent.Peek().At <= now - _options.BurstWindow) _recent.Dequeue();
            var window = Min(_options.BurstWindow, Max(now - _started, _options.Interval));
            var recent = _recent.Sum(a => a.Count);
            var served = inFlight / documentSeconds * window.TotalSeconds;
            var excess = Math.Max(0, recent - served - _options.NoiseAllowance * Math.Sqrt(Math.Max(recent, 1)));
            // Only while jobs wait: growth that idle slots absorb needs no worker (and counting it there makes Poisson
            // noise start and cancel workers all day: 255 scaling changes a replayed day instead of 158).
            if (backlog > 0) growth = excess / window.TotalSeconds * _options.StartupTime.TotalSeconds;
        }
        var floorWorkers = (floorSlots + growth) / _options.SlotsPerWorker;
        var rateWorkers = _options.Policy.Workers(rate) + backlogWorkers;
        var recommended = Math.Clamp(Math.Max(rateWorkers, floorWorkers), _options.MinWorkers, _options.MaxWorkers);
        var target = (int)Math.Ceiling(recommended * _options.SlotsPerWorker - 1e-9);

        // What the stabilisation window remembers. Reactive: the whole recommendation (HPA's rule). Predictive with
        // ForecastScaleDown: only the rate part (table on the forecast-or-observed rate + backlog term); the work in the
        // system is a count, not a noisy rate: once its jobs are done, slots started for them (a burst) need no
        // 10-minute memory, and the forecast over the provisioning horizon already holds what the near future needs.
        var remembered = _options.Predictive && _options.ForecastScaleDown
            ? Math.Clamp(rateWorkers, _options.MinWorkers, _options.MaxWorkers)
            : recommended;
        _recommendations.AddLast((now, remembered * _options.SlotsPerWorker));
        while (_recommendations.First is { } first && first.Value.At <= now - _options.ScaleDownStabilization) _recommendations.RemoveFirst();

        var changed = false;
        if (target > Slots && (_lastUp is null || now - _lastUp >= _options.ScaleUpCooldown))
        {
            Slots = target;
            _lastUp = _lastChange = now;
            changed = true;
        }
        else if (target < Slots && (_lastChange is null || now - _lastChange >= _options.ScaleDownCooldown))
        {
            var stabilised = Math.Max(target,
                (int)Math.Ceiling(_recommendations.Max(r => r.Slots) * (1 + _options.ScaleDownTolerance) - 1e-9));
            if (stabilised < Slots)
            {
                Slots = stabilised;
                _lastChange = now;
                changed = true;
            }
        }
        var workers = (Slots + _options.SlotsPerWorker - 1) / _options.SlotsPerWorker;
        return new ScalingDecision(Slots, workers, recommended, observed, forecast, changed);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>The autoscaler's bounds, policy and damping.</summary>
public sealed class AutoscalerOptions
{
    /// <summary>Fewest workers. <value>Default 2 (the table's floor).</value></summary>
    public int MinWorkers { get; set; } = 2;

    /// <summary>Most workers. <value>Default 50.</value></summary>
    public int MaxWorkers { get; set; } = 50;

    /// <summary>Slots one worker runs; the decision is made in slots so a supervisor can grow its own slots before
    /// it starts another process. <value>Default 1 (a worker is the unit).</value></summary>
    public int SlotsPerWorker { get; set; } = 1;

    /// <summary>How often the supervisor evaluates. <value>Default 5 s.</value></summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The window the observed arrival rate is averaged over. <value>Default 10 min.</value></summary>
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Backlog is to be drained within this time by the extra workers. <value>Default 10 min.</value></summary>
    public TimeSpan DrainTarget { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The queue-wait objective the capacity floor sizes for (see <see cref="ScalingSignal.InFlight"/>).
    /// <value>Default 60 s; the PrometheusRule DocFlowQueueWaitOverObjective uses the same number.</value></summary>
    public TimeSpan WaitObjective { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Per-worker throughput assumed until one is measured (docs/h). <value>Default 20: the proposal's table
    /// runs about 20 docs/h per worker.</value></summary>
    public double DefaultPerWorkerThroughput { get; set; } = 20;

    /// <summary>Minimum time between two scale-ups. <value>Default 30 s.</value></summary>
    public TimeSpan ScaleUpCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Minimum time after any change before scaling down. <value>Default 2 min.</value></summary>
    public TimeSpan ScaleDownCooldown { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Scale-downs go only to the highest recommendation of this window. <value>Default 10 min: as long as
    /// the rate window, so the noise of one window cannot drive a scale-down and the next scale-up.</value></summary>
    public TimeSpan ScaleDownStabilization { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Scale down only below the stabilised recommendation plus this share. <value>Default 0.1 (HPA's tolerance).</value></summary>
    public double ScaleDownTolerance { get; set; } = 0.1;

    /// <summary>Scale on the forecast arrival rate instead of the observed one. <value>Default true.</value></summary>
    public bool Predictive { get; set; } = true;

    /// <summary>How far ahead to provision: worker start-up time plus a margin. <value>Default 10 min.</value></summary>
    public TimeSpan ProvisioningHorizon { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>When predicting, the rate used is never below this share of the observed rate. <value>Default 1: a
    /// forecast may only raise capacity above what the observed rate asks, never remove it early (a forecast below
    /// observed load scaled down under it; over 8 seeds of the replayed day, 0.8 gave p95 0.92 ± 0.07 of reactive at
    /// 1.011 × the worker-hours, 1.0 gives 0.88 ± 0.07 at 1.027 ×, docs/autoscaling.md).</value></summary>
    public double ObservedFloor { get; set; } = 1;

    /// <summary>From a worker's start to its first job (a pod's scheduling, image pull and process start; a child
    /// process's start on one machine). The predictive policy starts workers this far ahead of the work it predicts.
    /// <value>Default 5 s: what `docflow worker --autoscale` starts is a child process, measured at 1.1 s to fetching
    /// and 1.7 s to its first job done (`docflow bench --distributed --only startup`, docs/benchmarks.md), plus margin.</value></summary>
    public TimeSpan StartupTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Predictive only: size the table from the peak forecast arrival rate over <see cref="ProvisioningHorizon"/>
    /// (never below the observed rate). <value>Default true.</value></summary>
    public bool ForecastArrivals { get; set; } = true;

    /// <summary>Predictive only: while jobs wait, add to the capacity floor the work predicted to be in the system one
    /// <see cref="StartupTime"/> ahead (recent arrivals beyond what the busy slots finish). <value>Default true.</value></summary>
    public bool PredictWorkInSystem { get; set; } = true;

    /// <summary>The short window the recent arrivals are counted over for <see cref="PredictWorkInSystem"/>.
    /// <value>Default 30 s (chosen with <see cref="NoiseAllowance"/> on the replayed days, docs/autoscaling.md: longer
    /// windows see a burst later, shorter ones are noisier).</value></summary>
    public TimeSpan BurstWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Standard deviations of the Poisson count of <see cref="BurstWindow"/> that are taken as noise, not growth.
    /// <value>Default 0.25: the growth only counts while jobs wait, which already filters most noise.</value></summary>
    public double NoiseAllowance { get; set; } = 0.25;

    /// <summary>Predictive only: the scale-down stabilisation window remembers the rate part of the recommendation,
    /// not the slots held for the work in the system (see <see cref="Autoscaler.Evaluate"/>). <value>Default true.</value></summary>
    public bool ForecastScaleDown { get; set; } = true;

    /// <summary>The rate-to-workers table. <value>Default <see cref="LoadTablePolicy.Default"/>.</value></summary>
    public LoadTablePolicy Policy { get; set; } = LoadTablePolicy.Default;

    public ForecastOptions Forecast { get; set; } = new();

    /// <summary>Throws with what to fix when the options cannot work.</summary>
    public void Validate()
    {
        if (MinWorkers < 1) throw new ArgumentOutOfRangeException(nameof(MinWorkers), MinWorkers, "At least one worker.");
        if (MaxWorkers < MinWorkers) throw new ArgumentOutOfRangeException(nameof(MaxWorkers), MaxWorkers, "MAX must be at least MIN.");
        if (SlotsPerWorker < 1) throw new ArgumentOutOfRangeException(nameof(SlotsPerWorker), SlotsPerWorker, "At least one slot per worker.");
        if (Interval <= TimeSpan.Zero || RateWindow <= TimeSpan.Zero || DrainTarget <= TimeSpan.Zero || WaitObjective <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Interval), "Interval, rate window and drain target must be positive.");
        if (DefaultPerWorkerThroughput <= 0) throw new ArgumentOutOfRangeException(nameof(DefaultPerWorkerThroughput), "Throughput must be positive.");
    }
}
