using System.Diagnostics;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Scaling;
using DocFlow.Server.Scaling;
using DocFlow.Redis;
using DocFlow.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.IntegrationTests.Scaling;

/// <summary>The supervisor of `docflow worker --autoscale` with real child `docflow worker` processes on Redis.</summary>
public sealed class AutoscaleSupervisorTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private sealed class NoJobs : IJobHandler
    {
        public Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static bool IsDocflowWorker(int pid)
    {
        var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
        return cmdline.Contains("worker") && cmdline.Any(a => a.EndsWith("docflow.dll", StringComparison.Ordinal)) && !cmdline.Contains("--autoscale");
    }

    /// <summary>Starts real children and counts the SIGKILLs the pool sends them.</summary>
    private sealed class KillCountingLauncher(IWorkerProcessLauncher inner) : IWorkerProcessLauncher
    {
        private int _kills;

        public int Kills => Volatile.Read(ref _kills);

        public IWorkerProcess Start() => new Child(inner.Start(), this);

        private sealed class Child(IWorkerProcess process, KillCountingLauncher owner) : IWorkerProcess
        {
            public int Id => process.Id;
            public bool HasExited => process.HasExited;
            public void Terminate() => process.Terminate();

            public void Kill()
            {
                Interlocked.Increment(ref owner._kills);
                process.Kill();
            }

            public void Dispose() => process.Dispose();
        }
    }

    private static async Task Until(Func<bool> condition, Action poll, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"{what}: not within 2 minutes");
            await Task.Delay(200);
            poll();
        }
    }

    [Fact]
    public async Task Supervisor_StartsStopsAndRestartsChildWorkers_WhenTheDecisionChanges()
    {
        var dir = Repo.NewTempDirectory("autoscale");
        // A grace period far beyond how long an idle child takes to exit, even on a loaded machine: the pool's SIGKILL
        // (grace + 10 s) never comes for a child that exits on its own.
        var args = new[] { "--redis", redis.Endpoint, "--database", Path.Combine(dir, "docflow.db"), "--storage", Path.Combine(dir, "blobs"), "--slots", "1", "--grace", "30" };
        var launcher = new KillCountingLauncher(new DocflowWorkerLauncher(args) { Command = ("dotnet", [Path.Combine(AppContext.BaseDirectory, "docflow.dll")]) });
        var options = new AutoscaleSupervisorOptions
        {
            Autoscaler = new AutoscalerOptions { MinWorkers = 1, MaxWorkers = 4, SlotsPerWorker = 1 },
            Distributed = true,
            GracePeriod = TimeSpan.FromSeconds(30),
        };
        using var supervisor = new AutoscaleSupervisor(new InProcessJobQueue(), new NoJobs(), new RetryOptions(), options, launcher,
            new InProcessWorkerRegistry(new WorkerRegistryOptions(), TimeProvider.System), new WorkerRegistryOptions(),
            TimeProvider.System, NullLoggerFactory.Instance);
        try
        {
            // Three workers: this process plus two children.
            supervisor.Apply(3);
            Assert.Equal(1, supervisor.LocalSlots);
            Assert.Equal(2, supervisor.Pool.Active.Count);
            var first = supervisor.Pool.Active.Select(p => p.Id).ToArray();
            Assert.All(first, pid => Assert.True(IsDocflowWorker(pid)));

            // A child that dies is replaced.
            Process.GetProcessById(first[0]).Kill();
            await Until(() => supervisor.Pool.Restarts == 1 && supervisor.Pool.Active.Count == 2, () => supervisor.Apply(3), "dead child replaced");
            Assert.DoesNotContain(first[0], supervisor.Pool.Active.Select(p => p.Id));

            // Back to one worker: both children get SIGTERM and exit on their own (no SIGKILL needed).
            var stopped = Stopwatch.StartNew();
            supervisor.Apply(1);
            Assert.Empty(supervisor.Pool.Active);
            Assert.InRange(supervisor.Pool.Stopping, 0, 2); // a child still starting may exit at once
            await Until(() => supervisor.Pool.Stopping == 0, () => supervisor.Apply(1), "children exit after SIGTERM");
            // The pool sends SIGKILL only to a child still there after grace (30 s) + 10 s: none was.
            Assert.True(launcher.Kills == 0, $"{launcher.Kills} children were SIGKILLed; they took {stopped.Elapsed} to stop");
        }
        finally
        {
            await supervisor.Pool.StopAllAsync(CancellationToken.None);
        }
    }

    /// <summary>Never starts a process: the supervisor's own slots are what this test is about.</summary>
    private sealed class NoChildren : IWorkerProcessLauncher
    {
        public IWorkerProcess Start() => throw new InvalidOperationException("not distributed: no children");
    }

    [Fact]
    public async Task SupervisorSlots_HeartbeatInTheWorkerRegistry_LikeAnyWorker_AndLeaveItOnStop()
    {
        var registryOptions = new WorkerRegistryOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(100) };
        var registry = new RedisWorkerRegistry(redis.Connection, RedisServerFixture.NewPrefix("autoscale-heartbeat"), registryOptions, TimeProvider.System);
        var queue = new InProcessJobQueue();
        var options = new AutoscaleSupervisorOptions
        {
            Autoscaler = new AutoscalerOptions { MinWorkers = 2, MaxWorkers = 4, SlotsPerWorker = 1 },
            Routes = [JobRoute.Pdf],
            WorkerId = "supervisor-" + Guid.NewGuid().ToString("N")[..8],
        };
        using var supervisor = new AutoscaleSupervisor(queue, new NoJobs(), new RetryOptions(), options, new NoChildren(), registry, registryOptions,
            TimeProvider.System, NullLoggerFactory.Instance);

        await supervisor.StartAsync(CancellationToken.None);
        try
        {
            var listed = await UntilListed(w => w.Slots == supervisor.LocalSlots, "the supervisor's slots listed");
            Assert.Equal(2, listed.Slots);
            Assert.Equal(["pdf"], listed.Routes);
            Assert.Equal(Environment.MachineName, listed.Host);

            await queue.EnqueueAsync(new JobTicket("j1", JobRoute.Pdf, JobPriority.Normal, "blob"), CancellationToken.None);
            Assert.Equal(1, (await UntilListed(w => w.Processed == 1, "the job it processed counted")).Processed);
        }
        finally
        {
            await supervisor.StopAsync(CancellationToken.None);
        }
        Assert.DoesNotContain(await registry.ListAsync(CancellationToken.None), w => w.Worker.Id == options.WorkerId);

        async Task<WorkerInfo> UntilListed(Func<WorkerInfo, bool> condition, string what)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                var worker = (await registry.ListAsync(CancellationToken.None)).SingleOrDefault(w => w.Worker.Id == options.WorkerId)?.Worker;
                if (worker is not null && condition(worker)) return worker;
                if (watch.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"{what}: not within 2 minutes; last seen {worker}");
                await Task.Delay(50);
            }
        }
    }
}
