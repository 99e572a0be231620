using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Support;

/// <summary>A real `docflow serve` (Kestrel on a free loopback port) with its own data folder.</summary>
public sealed class ServerHarness : IAsyncDisposable
{
    private readonly WebApplication _app;
    public string DataDirectory { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;

    private ServerHarness(WebApplication app, string data, Uri address, HttpMessageHandler? handler)
    {
        _app = app;
        DataDirectory = data;
        Client = new HttpClient(handler ?? new HttpClientHandler()) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
    }

    public Uri BaseAddress => Client.BaseAddress!;

    /// <param name="settings">Configuration keys for the server.</param>
    /// <param name="urls">Where it listens (port 0: a free one); https needs a certificate in <paramref name="settings"/>.</param>
    /// <param name="handler">The client's handler (e.g. one that trusts a test CA).</param>
    public static async Task<ServerHarness> StartAsync(IDictionary<string, string?>? settings = null, string urls = "http://127.0.0.1:0", HttpMessageHandler? handler = null)
    {
        var data = Repo.NewTempDirectory("server");
        var config = new Dictionary<string, string?> { ["DataDirectory"] = data };
        foreach (var kv in settings ?? new Dictionary<string, string?>()) config[kv.Key] = kv.Value;
        var app = DocFlowServer.Build(config, urls);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServerHarness(app, data, new Uri(address.TrimEnd('/') + "/"), handler);
    }

    public static MultipartFormDataContent Form(string field, params (string Name, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, content) in files) form.Add(new ByteArrayContent(content), field, name);
        return form;
    }

    /// <summary>Polls the batch until it is completed.</summary>
    public async Task<JsonElement> WaitForBatchAsync(string batchId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var batch = await Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}");
            if (batch.GetProperty("status").GetString() == "completed") return batch;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"batch {batchId} not completed: {batch}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits for the batch's report job (route report, queued when its last document ended): report.pdf answers
    /// 202 with Retry-After until the report is stored, then 200 with the PDF.</summary>
    public async Task<byte[]> WaitForReportAsync(string batchId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await Client.GetAsync($"api/v1/batches/{batchId}/report.pdf");
            if (response.StatusCode == System.Net.HttpStatusCode.OK) return await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode != System.Net.HttpStatusCode.Accepted || response.Headers.RetryAfter is null || DateTime.UtcNow > deadline)
                throw new TimeoutException($"batch {batchId}: no report: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(DataDirectory, true); } catch (IOException) { } // SQLite may still hold the file briefly
    }
}
