using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DocFlow.Tools.Bench;

/// <summary>
/// The engine sandbox's steady state (<c>docflow bench DIR --sandbox compare</c>, beside the cold <c>docflow process</c>
/// runs): two <c>docflow serve</c> processes at once, one with the engine in-process (<c>Engine:Sandbox:Enabled=false</c>) and
/// one with its engine hosts (the default), each its own store, deduplication off so the same bytes are read again. The
/// corpus is uploaded as one batch to each in turn (off, on, off, on, …), pass after pass; the first pass of each (runtime
/// start, hosts' start, first-time JIT) is discarded, as long-running servers and workers pay it once. Per pass: the wall time
/// from the upload until the batch completed, and the CPU time (user + system) of the server and its children (hosts,
/// pdftoppm) meanwhile.
/// </summary>
internal static class SandboxWarmBench
{
    public sealed record Pass(double WallSeconds, double CpuSeconds, int Failed);

    /// <summary>Passes of each side, warm (the first pass left out).</summary>
    public static async Task<(List<Pass> Off, List<Pass> On)> RunAsync(string corpus, string work, int passes, CancellationToken ct)
    {
        var files = ProductProcess.Corpus(corpus).Select(f => f.Path).ToList();
        await using var off = await Server.StartAsync(Path.Combine(work, "warm-off"), sandbox: false, ct);
        await using var on = await Server.StartAsync(Path.Combine(work, "warm-on"), sandbox: true, ct);
        var offPasses = new List<Pass>();
        var onPasses = new List<Pass>();
        for (var i = 0; i <= passes; i++)
        {
            var a = await off.PassAsync(files, ct);
            var b = await on.PassAsync(files, ct);
            if (i == 0) continue; // cold: runtime start, the hosts' start, first-time JIT
            offPasses.Add(a);
            onPasses.Add(b);
        }
        return (offPasses, onPasses);
    }

    private sealed class Server : IAsyncDisposable
    {
        private readonly ChildProcess _process;
        private readonly HttpClient _http;

        private Server(ChildProcess process, HttpClient http)
        {
            _process = process;
            _http = http;
        }

        public static async Task<Server> StartAsync(string dir, bool sandbox, CancellationToken ct)
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(dir);
            var port = LoopbackRedis.FreePort();
            var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(5) };
            var environment = new Dictionary<string, string>
            {
                ["DOCFLOW__DataDirectory"] = dir,
                ["DOCFLOW__Deduplicate"] = "false",
                ["DOCFLOW__Engine__Sandbox__Enabled"] = sandbox ? "true" : "false",
            };
            var process = ChildProcess.StartProduct(["serve", "--urls", $"http://127.0.0.1:{port}",
                "--database", Path.Combine(dir, "docflow.db"), "--storage", Path.Combine(dir, "blobs")], environment);
            await ApiBench.WaitReadyAsync(http, process, ct);
            return new Server(process, http);
        }

        /// <summary>The corpus as one batch; returns when the batch has completed.</summary>
        public async Task<Pass> PassAsync(IReadOnlyList<string> files, CancellationToken ct)
        {
            using var form = new MultipartFormDataContent();
            foreach (var file in files)
            {
                var part = new ByteArrayContent(await File.ReadAllBytesAsync(file, ct));
                part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(part, "files", Path.GetFileName(file));
            }
            var cpu = TreeCpuSeconds(_process.Id);
            var clock = Stopwatch.StartNew();
            using var response = await _http.PostAsync("api/v1/batches", form, ct);
            if (!response.IsSuccessStatusCode)
                throw new ToolException($"the batch upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>(JsonSerializerOptions.Web, ct)).GetProperty("batchId").GetString()!;
            while (true)
            {
                var batch = await _http.GetFromJsonAsync<JsonElement>($"api/v1/batches/{id}", JsonSerializerOptions.Web, ct);
                if (batch.GetProperty("status").GetString() == "completed")
                    return new Pass(clock.Elapsed.TotalSeconds, TreeCpuSeconds(_process.Id) - cpu, batch.GetProperty("failed").GetInt32());
                if (_process.HasExited) throw new ToolException($"docflow serve exited:\n{_process.Tail()}");
                if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new ToolException($"batch {id} did not complete within 10 minutes");
                await Task.Delay(20, ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _process.StopAsync(TimeSpan.FromSeconds(30));
            await _process.DisposeAsync();
        }
    }

    /// <summary>CPU seconds (user + system) of a process, of its children that ended (reaped) and of its live descendants.</summary>
    internal static double TreeCpuSeconds(int pid)
    {
        long ticks = 0;
        Add(pid);
        return ticks / 100.0; // USER_HZ

        void Add(int p)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{p}/stat");
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // utime, stime, cutime, cstime (fields 14-17 of proc(5)).
                for (var i = 11; i <= 14; i++) ticks += long.Parse(f[i], CultureInfo.InvariantCulture);
                foreach (var task in Directory.GetDirectories($"/proc/{p}/task"))
                    foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        Add(int.Parse(child, CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // ended meanwhile: its time is in its parent's cutime/cstime
            }
        }
    }
}
