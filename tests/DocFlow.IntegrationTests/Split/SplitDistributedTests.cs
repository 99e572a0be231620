using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.Documents;
using DocFlow.IntegrationTests.Support;
using DocFlow.Samples;
using DocFlow.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Split;

/// <summary>Large documents split across real `docflow worker` processes on Redis and PostgreSQL.</summary>
public sealed class SplitDistributedTests(RedisServerFixture redis, PostgresServerFixture postgres, ITestOutputHelper output)
    : IClassFixture<RedisServerFixture>, IClassFixture<PostgresServerFixture>
{
    private Task<DistributedPlatform> StartAsync(string name) => DistributedPlatform.StartAsync(redis, postgres, name, new Dictionary<string, string>
    {
        ["Split:PageThreshold"] = "8",
        ["Split:RangeSize"] = "4",
    });

    [Fact]
    public async Task FortyPagePdf_OnTwoWorkerProcesses_GivesTheSameDocumentAsOnePiece_AndBothTookParts()
    {
        var pdf = SplitServerTests.MixedFortyPages();
        await using var platform = await StartAsync("split-two");
        await using var a = WorkerProcess.Start([.. platform.WorkerArgs, "--slots", "1"], platform.WorkerEnvironment);
        await using var b = WorkerProcess.Start([.. platform.WorkerArgs, "--slots", "1"], platform.WorkerEnvironment);

        var id = await SplitServerTests.UploadAsync(platform.Server, "long.pdf", pdf);
        var record = await SplitServerTests.WaitForAsync(platform.Server, id, TimeSpan.FromMinutes(10));

        output.WriteLine(a.Output);
        output.WriteLine(b.Output);
        var parts = await platform.Server.Services.GetRequiredService<IJobPartStore>().GetPartsAsync(id, CancellationToken.None);
        Assert.Equal(10, parts.Count);
        var workers = parts.Select(p => p.ProcessedBy).Distinct().ToList();
        Assert.Equal(2, workers.Count);
        Assert.Contains(workers, w => w!.EndsWith($":{a.Id}", StringComparison.Ordinal));
        Assert.Contains(workers, w => w!.EndsWith($":{b.Id}", StringComparison.Ordinal));
        var history = record.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()).ToList();
        Assert.Single(history, "succeeded");
        var split = await platform.Server.Client.GetStringAsync($"api/v1/documents/{id}/result");
        Assert.Equal(await SplitServerTests.OnePieceAsync("long.pdf", pdf), DocumentJson.Serialize(DocumentJson.Deserialize(split)));
        var queues = await platform.Server.Client.GetFromJsonAsync<JsonElement>("api/v1/queues");
        Assert.Equal(0, queues.GetProperty("depth").GetInt64());
    }
}
