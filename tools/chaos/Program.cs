using System.Globalization;
using DocFlow.Chaos;

// docflow-chaos run  [--documents M] [--workers N] [--slots S] [--kills K] [--redis-restarts R] [--pg-restarts P] [--seed X]
//                    [--hostile-every H] [--batch B] [--backlog L] [--mix cheap|samples] [--samples DIR] [--work DIR] [--keep]
//                    [--stuck-after MINUTES]
// docflow-chaos load [--seconds D] [--clients C] [--workers N] [--slots S] [--max-queue-depth Q] [--uploads-per-minute U]
//                    [--max-rss-mb MB] [--hostile-every H] [--mix cheap|samples] [--samples DIR] [--work DIR] [--keep]
// Exit code: 0 all invariants held, 1 a violation (listed in the summary), 2 a set-up error or bad arguments.
const string Usage = """
    usage: docflow-chaos run  [--documents 300] [--workers 3] [--slots 1] [--kills 10] [--redis-restarts 1] [--pg-restarts 1] [--seed 12]
                              [--hostile-every 25] [--batch 20] [--backlog 150] [--mix cheap|samples] [--samples DIR] [--work DIR] [--keep] [--stuck-after 5]
           docflow-chaos load [--seconds 60] [--clients 8] [--workers 2] [--slots 1] [--max-queue-depth 100] [--uploads-per-minute 600]
                              [--max-rss-mb 1024] [--hostile-every 0] [--mix cheap|samples] [--samples DIR] [--work DIR] [--keep]
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

try
{
    var options = Parse(args.Skip(1).ToArray());
    string? Text(string name) => options.GetValueOrDefault(name);
    int Int(string name, int fallback) => options.TryGetValue(name, out var v)
        ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ChaosException($"--{name}: '{v}' is not a whole number ≥ 0")
        : fallback;
    switch (args[0])
    {
        case "run":
        {
            var d = new ChaosOptions();
            var o = new ChaosOptions
            {
                Documents = Int("documents", d.Documents), Workers = Math.Max(1, Int("workers", d.Workers)), Slots = Math.Max(1, Int("slots", d.Slots)),
                Kills = Int("kills", d.Kills), RedisRestarts = Int("redis-restarts", d.RedisRestarts), PgRestarts = Int("pg-restarts", d.PgRestarts),
                Seed = Int("seed", d.Seed), HostileEvery = Int("hostile-every", d.HostileEvery), BatchSize = Math.Max(1, Int("batch", d.BatchSize)),
                Backlog = Int("backlog", d.Backlog), Mix = Text("mix") ?? d.Mix, Samples = Text("samples"), Work = Text("work"), Keep = options.ContainsKey("keep"),
                StuckAfter = TimeSpan.FromMinutes(Int("stuck-after", (int)d.StuckAfter.TotalMinutes)),
            };
            return await ChaosRun.RunAsync(o, Console.Out, cts.Token);
        }
        case "load":
        {
            var d = new LoadOptions();
            var o = new LoadOptions
            {
                Seconds = Math.Max(1, Int("seconds", d.Seconds)), Clients = Math.Max(1, Int("clients", d.Clients)), Workers = Math.Max(1, Int("workers", d.Workers)),
                Slots = Math.Max(1, Int("slots", d.Slots)), MaxQueueDepth = Int("max-queue-depth", d.MaxQueueDepth),
                UploadsPerMinute = Int("uploads-per-minute", d.UploadsPerMinute), MaxServeRssMb = Int("max-rss-mb", d.MaxServeRssMb),
                HostileEvery = Int("hostile-every", d.HostileEvery), Mix = Text("mix") ?? d.Mix, Samples = Text("samples"), Work = Text("work"),
                Keep = options.ContainsKey("keep"), StuckAfter = TimeSpan.FromMinutes(Int("stuck-after", (int)d.StuckAfter.TotalMinutes)),
            };
            return await LoadRun.RunAsync(o, Console.Out, cts.Token);
        }
        default:
            throw new ChaosException($"unknown command '{args[0]}'\n{Usage}");
    }
}
catch (ChaosException e)
{
    Console.Error.WriteLine($"docflow-chaos: {e.Message}");
    return 2;
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.Error.WriteLine("docflow-chaos: interrupted; every process it started has been stopped");
    return 130;
}

static Dictionary<string, string> Parse(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ChaosException($"unexpected argument '{args[i]}'");
        var name = args[i][2..];
        if (name == "keep")
        {
            options[name] = "true";
            continue;
        }
        if (i + 1 >= args.Length) throw new ChaosException($"--{name} needs a value");
        options[name] = args[++i];
    }
    return options;
}
