using DocFlow.Scaling;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.Tools.Autoscale;

/// <summary>The simulated platform: workers that take <see cref="StartupDelay"/> to start and finish
/// <see cref="ServiceRate"/> documents per hour each (exponential service times), one job at a time.</summary>
public sealed class SimulationOptions
{
    /// <summary>From a worker's start to its first fetch. <value>Default 3 min (a pod's schedule, pull and warm-up).</value></summary>
    public TimeSpan StartupDelay { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Documents per hour one worker finishes. <value>Default 22 (a mean of about 164 s per document; the
    /// proposal's table assumes about 20).</value></summary>
    public double ServiceRate { get; set; } = 22;

    /// <summary>Between two evaluations of the autoscaler. <value>Default 15 s.</value></summary>
    public TimeSpan ControlInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Seed of the service times. <value>Default 7.</value></summary>
    public int Seed { get; set; } = 7;
}

/// <summary>Per-run figures of the replayed day; waits in seconds; worker-hours count every worker paid for during
/// the day (starting, working, idle or draining).</summary>
public sealed record SimulationResult(
    string Name, int Jobs, double MeanWait, double P95Wait, double MaxWait, double WorkerHours, int ScaleChanges,
    IReadOnlyList<SimulationSample> Samples, IReadOnlyList<(TimeSpan Arrival, double WaitSeconds)> Waits);

/// <summary>The state once a minute: workers provisioned (any state), ready, and jobs waiting.</summary>
public readonly record struct SimulationSample(TimeSpan At, int Provisioned, int Ready, int Waiting, double ObservedRate, double? ForecastRate);

/// <summary>
/// A discrete-event simulation of one day of arrivals served by autoscaled workers. Events are arrivals, job
/// completions, workers becoming ready and autoscaler evaluations; the clock jumps from one to the next.
/// Deterministic for a given input and seed.
/// </summary>
public static class AutoscaleSimulation
{
    private enum Kind { Tick, Ready, Done }

    private sealed class Worker(int id)
    {
        public int Id { get; } = id;
        public bool Ready { get; set; }
        public bool Busy { get; set; }
        public bool Draining { get; set; }
        public bool Stopped { get; set; }
    }

    /// <summary>Replays <paramref name="arrivals"/> (from <paramref name="dayStart"/>, a UTC midnight). <paramref name="history"/>
    /// holds earlier days' arrival counts per forecast bucket, oldest first, ending at the day's start.</summary>
    public static SimulationResult Run(
        string name, IReadOnlyList<TimeSpan> arrivals, AutoscalerOptions autoscaler, SimulationOptions simulation,
        DateTimeOffset dayStart, IReadOnlyList<double> history)
    {
        var clock = new FakeTimeProvider(dayStart); // moved by the events, never by the wall clock
        var scaler = new Autoscaler(autoscaler, clock);
        if (history.Count > 0) scaler.Forecaster.Prime(dayStart - autoscaler.Forecast.BucketWidth * history.Count, history);

        var random = new Random(simulation.Seed);
        var meanService = 3600.0 / simulation.ServiceRate;
        var events = new PriorityQueue<(Kind Kind, Worker? Worker), (double, long)>();
        long sequence = 0;
        void Schedule(double at, Kind kind, Worker? w) => events.Enqueue((kind, w), (at, sequence++));

        var workers = new List<Worker>();
        var waiting = new Queue<TimeSpan>();
        var waits = new List<(TimeSpan, double)>(arrivals.Count);
        var samples = new List<SimulationSample>();
        var nextId = 0;
        double now = 0, workerSeconds = 0, lastAccounted = 0;
        var nextArrival = 0;
        var arrivalsSinceTick = 0;
        var changes = 0;
        var nextSample = 0.0;
        ScalingDecision last = default;
        const double day = 86_400;

        int Provisioned() => workers.Count(w => !w.Stopped);

        void Start(Worker w)
        {
            if (waiting.Count == 0) return;
            var arrival = waiting.Dequeue();
            waits.Add((arrival, now - arrival.TotalSeconds));
            w.Busy = true;
            Schedule(now + -Math.Log(1 - random.NextDouble()) * meanService, Kind.Done, w);
        }

        void ScaleTo(int target)
        {
            var active = workers.Where(w => !w.Stopped && !w.Draining).ToList();
            // Up: take back draining workers first (they are warm), then start new ones.
            foreach (var w in workers.Where(w => w.Draining && !w.Stopped))
            {
                if (active.Count >= target) break;
                w.Draining = false;
                active.Add(w);
            }
            while (active.Count < target)
            {
                var w = new Worker(nextId++);
                workers.Add(w);
                active.Add(w);
                Schedule(now + simulation.StartupDelay.TotalSeconds, Kind.Ready, w);
            }
            // Down: cancel starting workers, then stop idle ones, then let busy ones finish their job.
            var surplus = active.Count - target;
            foreach (var w in active.OrderBy(w => w.Ready ? (w.Busy ? 2 : 1) : 0).ThenByDescending(w => w.Id))
            {
                if (surplus-- <= 0) break;
                if (w.Busy) w.Draining = true;
                else w.Stopped = true;
            }
        }

        ScaleTo(autoscaler.MinWorkers);
        // The minimum is running when the day starts.
        foreach (var w in workers) w.Ready = true;
        Schedule(0, Kind.Tick, null);

        while (true)
        {
            var arrivalAt = nextArrival < arrivals.Count ? arrivals[nextArrival].TotalSeconds : double.PositiveInfinity;
            var eventAt = events.TryPeek(out _, out var p) ? p.Item1 : double.PositiveInfinity;
            var at = Math.Min(arrivalAt, eventAt);
            if (at > day && nextArrival >= arrivals.Count && waiting.Count == 0) break;
            if (double.IsPositiveInfinity(at)) break;

            while (nextSample <= at && nextSample < day)
            {
                samples.Add(new SimulationSample(TimeSpan.FromSeconds(nextSample), Provisioned(), workers.Count(w => w.Ready && !w.Stopped),
                    waiting.Count, last.ObservedRate, last.ForecastRate));
                nextSample += 60;
            }
            workerSeconds += Provisioned() * (Math.Min(at, day) - Math.Min(lastAccounted, day));
            lastAccounted = at;
            now = at;
            clock.SetUtcNow(dayStart + TimeSpan.FromSeconds(now));

            if (arrivalAt <= eventAt)
            {
                waiting.Enqueue(arrivals[nextArrival++]);
                arrivalsSinceTick++;
                var idle = workers.FirstOrDefault(w => w.Ready && !w.Busy && !w.Stopped && !w.Draining);
                if (idle is not null) Start(idle);
                continue;
            }

            var (kind, worker) = events.Dequeue();
            switch (kind)
            {
                case Kind.Tick:
                    last = scaler.Evaluate(new ScalingSignal(arrivalsSinceTick, waiting.Count, simulation.ServiceRate, workers.Count(w => w.Busy)));
                    arrivalsSinceTick = 0;
                    if (last.Changed) changes++;
                    ScaleTo(last.Workers);
                    if (now < day || waiting.Count > 0) Schedule(now + simulation.ControlInterval.TotalSeconds, Kind.Tick, null);
                    break;
                case Kind.Ready when !worker!.Stopped:
                    worker.Ready = true;
                    Start(worker);
                    break;
                case Kind.Done:
                    worker!.Busy = false;
                    if (worker.Draining)
                    {
                        worker.Stopped = true;
                        worker.Draining = false;
                    }
                    else
                    {
                        Start(worker);
                    }
                    break;
            }
        }

        var sorted = waits.Select(w => w.Item2).Order().ToArray();
        return new SimulationResult(
            name, waits.Count,
            sorted.Length == 0 ? 0 : sorted.Average(),
            Percentile(sorted, 0.95),
            sorted.Length == 0 ? 0 : sorted[^1],
            workerSeconds / 3600, changes, samples, waits);
    }

    /// <summary>Nearest-rank percentile of ascending <paramref name="sorted"/>.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return 0;
        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
