using System.ComponentModel;
using System.Globalization;
using DocFlow.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

public sealed class ServeSettings : PlatformSettings
{
    [CommandOption("--urls <URLS>")]
    [Description("Listen addresses. Default: http://127.0.0.1:8080.")]
    public string? Urls { get; init; }

    [CommandOption("--workers <N>")]
    [Description("Worker slots in this process; 0 runs the API alone. Default: cores without --redis, else 0.")]
    public int? Workers { get; init; }

    [CommandOption("--allowed-hosts <HOSTS>")]
    [Description("Host names the API answers to besides localhost, 127.0.0.1 and [::1], ;-separated (*.example.com allowed, * = any); others get 400. Key: AllowedHosts.")]
    public string? AllowedHosts { get; init; }

    public override IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        foreach (var kv in base.ToConfiguration()) yield return kv;
        if (Workers is { } w) yield return new("Workers", w.ToString(CultureInfo.InvariantCulture));
        if (AllowedHosts is not null) yield return new("AllowedHosts", AllowedHosts);
    }
}

/// <summary>docflow serve: the HTTP API, with embedded workers by default.</summary>
public sealed class ServeCommand : AsyncCommand<ServeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        var app = DocFlowServer.Build(settings.ToConfiguration(), settings.Urls);
        await app.StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}

