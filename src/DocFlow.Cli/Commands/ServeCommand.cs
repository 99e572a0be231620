using System.ComponentModel;
using System.Globalization;
using DocFlow.Server.Hosting;
using DocFlow.Server.Security;
using Microsoft.Extensions.Hosting;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

public sealed class ServeSettings : PlatformSettings
{
    [CommandOption("--urls <URLS>")]
    [Description("Listen addresses. Default: http://127.0.0.1:8080, or https://127.0.0.1:8443 with a certificate (--cert).")]
    public string? Urls { get; init; }

    [CommandOption("--workers <N>")]
    [Description("Worker slots in this process; 0 runs the API alone. Default: cores without --redis, else 0.")]
    public int? Workers { get; init; }

    [CommandOption("--allowed-hosts <HOSTS>")]
    [Description("Host names the API answers to besides localhost, 127.0.0.1 and [[::1]], ;-separated (*.example.com allowed, * = any); others get 400. Key: AllowedHosts.")]
    public string? AllowedHosts { get; init; }

    [CommandOption("--cert <PEM>")]
    [Description("TLS certificate (PEM, the chain after the server's own) for HTTPS; the default address becomes https://127.0.0.1:8443. Key: Kestrel:Certificates:Default:Path.")]
    public string? Cert { get; init; }

    [CommandOption("--cert-key <PEM>")]
    [Description("The certificate's private key (PEM), when not in the --cert file. Key: Kestrel:Certificates:Default:KeyPath.")]
    public string? CertKey { get; init; }

    [CommandOption("--insecure")]
    [Description("Serve without API keys or OIDC on a non-loopback address (anyone who reaches the port may do everything). Key: Auth:Insecure.")]
    public bool Insecure { get; init; }

    public override IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        foreach (var kv in base.ToConfiguration()) yield return kv;
        if (Workers is { } w) yield return new("Workers", w.ToString(CultureInfo.InvariantCulture));
        if (AllowedHosts is not null) yield return new("AllowedHosts", AllowedHosts);
        if (Insecure) yield return new("Auth:Insecure", "true");
        if (Cert is not null) yield return new("Kestrel:Certificates:Default:Path", Cert);
        if (CertKey is not null) yield return new("Kestrel:Certificates:Default:KeyPath", CertKey);
    }
}

/// <summary>docflow serve: the HTTP API, with embedded workers by default.</summary>
public sealed class ServeCommand : AsyncCommand<ServeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        // A configuration the server refuses (no keys on a public address, an audit trail switched off where keys are
        // checked) is found while the app is built or started: the message says what to change, without a stack trace.
        try
        {
            await using var app = DocFlowServer.Build(settings.ToConfiguration(), settings.Urls);
            await app.StartAsync(cancellationToken);
            await app.WaitForShutdownAsync(cancellationToken);
        }
        catch (AuthNotConfiguredException e)
        {
            throw new Batch.CommandFailedException(e.Message);
        }
        return 0;
    }
}

