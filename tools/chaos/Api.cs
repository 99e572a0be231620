using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DocFlow.Chaos;

/// <summary>The run's HTTP client of the API (loopback: no key needed): uploads with their answers counted, queue and
/// dead-letter reads.</summary>
internal sealed class Api(Uri address) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };

    /// <summary>Answers by status code (and "connection" for a request that got no answer).</summary>
    public ConcurrentDictionary<string, int> Answers { get; } = new();

    /// <summary>Answers that break the contract: 5xx other than 503, 429/503 without Retry-After (with the detail).</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    private sealed record BatchDoc(string Id, string FileName, string Status, JsonElement? Error);
    private sealed record BatchAnswer(string BatchId, List<BatchDoc> Documents);
    private sealed record DocAnswer(string Id, string FileName, string Status);
    public sealed record Queues(long TotalDepth, long TotalInFlight, long Delayed, long DeadLetters);
    public sealed record DeadLetter(string JobId, string? FileName, int Attempt, string Reason);

    /// <summary>Uploads one batch, retrying after 429/503 (Retry-After, at most 5 s) and after a request that got no
    /// answer, until it is accepted. Returns (file name, job id) of every document.</summary>
    public async Task<List<(string Name, string Id)>> SubmitBatchAsync(IReadOnlyList<Upload> files, CancellationToken ct)
    {
        while (true)
        {
            using var form = new MultipartFormDataContent();
            foreach (var f in files)
            {
                var part = new ByteArrayContent(f.Bytes);
                part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(part, "files", f.Name);
            }
            var (status, body, retry) = await PostAsync("api/v1/batches", form, ct);
            if (status == HttpStatusCode.Accepted)
            {
                var answer = JsonSerializer.Deserialize<BatchAnswer>(body, JsonSerializerOptions.Web)!;
                return [.. answer.Documents.Select(d => (d.FileName, d.Id))];
            }
            if ((int)status is >= 400 and < 500 and not 429)
                throw new ChaosException($"the batch upload was refused with {(int)status}: {Short(body)}");
            await Task.Delay(retry, ct);
        }
    }

    /// <summary>One upload, no retry: the status and the job id when accepted, the Retry-After otherwise.</summary>
    public async Task<(HttpStatusCode Status, string? Id, TimeSpan RetryAfter)> SubmitOnceAsync(Upload file, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(file.Bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", file.Name);
        var (status, body, retry) = await PostAsync("api/v1/documents", form, ct);
        return status == HttpStatusCode.Accepted
            ? (status, JsonSerializer.Deserialize<DocAnswer>(body, JsonSerializerOptions.Web)!.Id, TimeSpan.Zero)
            : (status, null, retry);
    }

    private async Task<(HttpStatusCode, string, TimeSpan)> PostAsync(string path, HttpContent content, CancellationToken ct)
    {
        try
        {
            using var response = await _http.PostAsync(path, content, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var code = (int)response.StatusCode;
            Answers.AddOrUpdate(code.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
            var retryAfter = response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date - DateTimeOffset.UtcNow);
            if (code is 429 or 503 && retryAfter is null)
                Violations.Enqueue($"{code} without Retry-After on {path}: {Short(body)}");
            else if (code >= 500 && code != 503)
                Violations.Enqueue($"{code} on {path}: {Short(body)}");
            else if (code != 202 && code is not (429 or 503))
                Violations.Enqueue($"{code} on {path} (a client error for a valid upload): {Short(body)}");
            var wait = retryAfter is { } r && r > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Min(5, r.TotalSeconds)) : TimeSpan.FromMilliseconds(500);
            return (response.StatusCode, body, wait);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Answers.AddOrUpdate("no answer", 1, (_, n) => n + 1);
            return (0, "", TimeSpan.FromSeconds(1));
        }
    }

    public async Task<Queues?> QueuesAsync(CancellationToken ct)
    {
        try
        {
            return await _http.GetFromJsonAsync<Queues>("api/v1/queues", JsonSerializerOptions.Web, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public async Task<List<DeadLetter>> DeadLettersAsync(CancellationToken ct) =>
        await _http.GetFromJsonAsync<List<DeadLetter>>("api/v1/dead-letters?max=1000", JsonSerializerOptions.Web, ct) ?? [];

    private static string Short(string body) => body.Length > 300 ? body[..300] + "…" : body;

    public void Dispose() => _http.Dispose();
}
