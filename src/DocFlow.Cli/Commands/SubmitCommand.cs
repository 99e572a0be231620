using System.ComponentModel;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.Cli.Batch;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

public class ClientSettings : CommandSettings
{
    [CommandOption("-s|--server <URL>")]
    [Description("The DocFlow server. Default: http://127.0.0.1:8080 (or DOCFLOW_SERVER).")]
    public string Server { get; init; } = Environment.GetEnvironmentVariable("DOCFLOW_SERVER") ?? "http://127.0.0.1:8080";

    [CommandOption("--api-key <KEY>")]
    [Description("An API key (dfk_…), sent as X-Api-Key; needed when the server requires keys. Default: DOCFLOW_API_KEY.")]
    public string? ApiKey { get; init; } = Environment.GetEnvironmentVariable("DOCFLOW_API_KEY");

    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(Server.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(10) };
        if (!string.IsNullOrWhiteSpace(ApiKey)) client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey.Trim());
        return client;
    }
}

public sealed class SubmitSettings : ClientSettings
{
    [CommandArgument(0, "<PATHS>")]
    [Description("Files and folders (folders are read recursively).")]
    public string[] Paths { get; init; } = [];

    [CommandOption("--priority <PRIORITY>")]
    [Description("express or normal. Default: normal.")]
    [DefaultValue("normal")]
    public string Priority { get; init; } = "normal";

    [CommandOption("--wait")]
    [Description("Follow the batch with a progress bar until every document is done.")]
    public bool Wait { get; init; }

    [CommandOption("-o|--out <DIR>")]
    [Description("With --wait: download each Document JSON to DIR/NAME.json.")]
    public string? Out { get; init; }
}

/// <summary>docflow submit: uploads files to a server as one batch, and follows it with --wait.</summary>
public sealed class SubmitCommand : AsyncCommand<SubmitSettings>
{
    private sealed record Accepted(string BatchId, List<AcceptedDoc> Documents);
    private sealed record AcceptedDoc(string Id, string FileName, string Status, string? MimeType, ErrorBody? Error);
    private sealed record ErrorBody(string Code, string Message);
    private sealed record BatchBody(string Id, string Status, int Total, int Queued, int Processing, int Succeeded, int Failed);
    private sealed record DocBody(string Id, string FileName, string Status, string? MimeType, int? Pages, int Attempts, ErrorBody? Error);

    public override async Task<int> ExecuteAsync(CommandContext context, SubmitSettings settings, CancellationToken cancellationToken)
    {
        var inputs = InputCollector.Collect(settings.Paths, out var missing);
        foreach (var m in missing) AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {m}: no such file or folder");
        if (inputs.Count == 0) throw new CommandFailedException("no input files to submit.");
        using var http = settings.CreateClient();
        using var form = new MultipartFormDataContent();
        var streams = new List<Stream>();
        foreach (var input in inputs)
        {
            var stream = File.OpenRead(input.Path);
            streams.Add(stream);
            var part = new StreamContent(stream);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", input.RelativeName);
        }
        form.Add(new StringContent(settings.Priority), "priority");
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync("api/v1/batches", form, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new CommandFailedException($"cannot reach {settings.Server}: {ex.Message}", ex);
        }
        finally
        {
            foreach (var s in streams) await s.DisposeAsync();
        }
        await EnsureSuccessAsync(response, cancellationToken);
        var accepted = (await response.Content.ReadFromJsonAsync<Accepted>(JsonSerializerOptions.Web, cancellationToken))!;
        AnsiConsole.MarkupLineInterpolated($"Batch [blue]{accepted.BatchId}[/]: {accepted.Documents.Count} documents accepted");
        foreach (var d in accepted.Documents.Where(d => d.Error is not null))
            AnsiConsole.MarkupLineInterpolated($"  [red]{d.FileName}[/]: {d.Error!.Code}: {d.Error.Message}");
        if (!settings.Wait) return 0;

        var batch = await FollowAsync(http, accepted.BatchId, cancellationToken);
        var docs = (await http.GetFromJsonAsync<List<DocBody>>($"api/v1/batches/{accepted.BatchId}/documents", JsonSerializerOptions.Web, cancellationToken))!;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("File").AddColumn("Status").AddColumn("Type").AddColumn("Pages").AddColumn("Attempts").AddColumn("Error");
        foreach (var d in docs)
            table.AddRow(Markup.Escape(d.FileName), d.Status == "succeeded" ? "[green]succeeded[/]" : $"[red]{d.Status}[/]", Markup.Escape(d.MimeType ?? "?"),
                $"{d.Pages}", $"{d.Attempts}", Markup.Escape(d.Error is null ? "" : $"{d.Error.Code}: {d.Error.Message}"));
        AnsiConsole.Write(table);
        if (settings.Out is { } outDir)
        {
            Directory.CreateDirectory(outDir);
            foreach (var d in docs.Where(d => d.Status == "succeeded"))
            {
                var json = await http.GetStringAsync($"api/v1/documents/{d.Id}/result", cancellationToken);
                var path = Path.Combine(outDir, d.FileName + ".json");
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                await File.WriteAllTextAsync(path, json, cancellationToken);
            }
            AnsiConsole.MarkupLineInterpolated($"Results in [blue]{Path.GetFullPath(outDir)}[/]");
        }
        AnsiConsole.MarkupLineInterpolated($"{batch.Total} documents: [green]{batch.Succeeded} succeeded[/], [red]{batch.Failed} failed[/]");
        return batch.Succeeded == 0 ? 1 : 0;
    }

    private static async Task<BatchBody> FollowAsync(HttpClient http, string batchId, CancellationToken ct)
    {
        BatchBody? batch = null;
        async Task<BatchBody> Poll() => (await http.GetFromJsonAsync<BatchBody>($"api/v1/batches/{batchId}", JsonSerializerOptions.Web, ct))!;
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            while ((batch = await Poll()).Status != "completed")
            {
                Console.WriteLine($"{batch.Succeeded + batch.Failed}/{batch.Total} done ({batch.Processing} processing, {batch.Queued} queued)");
                await Task.Delay(1000, ct);
            }
            return batch;
        }
        await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("waiting", maxValue: 1);
                while (true)
                {
                    batch = await Poll();
                    task.MaxValue = Math.Max(1, batch.Total);
                    task.Value = batch.Succeeded + batch.Failed;
                    task.Description = $"{batch.Succeeded + batch.Failed}/{batch.Total} documents · {batch.Processing} processing";
                    if (batch.Status == "completed") break;
                    await Task.Delay(500, ct);
                }
            });
        return batch!;
    }

    internal static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        var detail = body;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("detail", out var d)) detail = d.GetString() ?? body;
        }
        catch (JsonException)
        {
            // not problem details: show the body as it is
        }
        throw new CommandFailedException($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
    }
}

public sealed class StatusSettings : ClientSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("A batch id (b_…) or a document id (d_…).")]
    public string Id { get; init; } = "";
}

/// <summary>docflow status: a batch's or a document's state, from the server.</summary>
public sealed class StatusCommand : AsyncCommand<StatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, StatusSettings settings, CancellationToken cancellationToken)
    {
        using var http = settings.CreateClient();
        var path = settings.Id.StartsWith("b_", StringComparison.Ordinal) ? $"api/v1/batches/{settings.Id}" : $"api/v1/documents/{settings.Id}";
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(path, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new CommandFailedException($"cannot reach {settings.Server}: {ex.Message}", ex);
        }
        await SubmitCommand.EnsureSuccessAsync(response, cancellationToken);
        var json = await response.Content.ReadAsStringAsync(cancellationToken);
        using var doc = JsonDocument.Parse(json);
        Console.WriteLine(JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
