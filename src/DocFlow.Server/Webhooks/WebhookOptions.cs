using System.ComponentModel.DataAnnotations;

namespace DocFlow.Server.Webhooks;

/// <summary>A default target: where a tenant's or an API key's batches report when the upload names no <c>callbackUrl</c>.</summary>
public sealed class WebhookTarget
{
    public string? Url { get; set; }

    /// <summary>The signing secret (<c>whsec_…</c> or any text of 16 characters or more).</summary>
    public string? Secret { get; set; }
}

/// <summary>Webhooks: defaults per tenant and API key, retries, the address guard. Section "Webhooks".</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Default targets by tenant id (<c>Webhooks:Tenants:acme:Url</c>, <c>…:Secret</c>).</summary>
    public Dictionary<string, WebhookTarget> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Default targets by API key prefix (<c>Webhooks:Keys:dfk_ab12cd34:Url</c>); win over the tenant's.</summary>
    public Dictionary<string, WebhookTarget> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Most attempts of one delivery, the first included; then it is dead-lettered. <value>Default 8.</value></summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay before the first retry, doubled for each further one (with jitter). <value>Default 30 s.</value></summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Cap on the delay between attempts. <value>Default 1 hour.</value></summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one attempt may take (connect, send, answer). <value>Default 10 s.</value></summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Networks allowed although private, loopback or link-local (CIDR or single addresses).</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Allow every address (a closed network, tests): only http/https is checked. <value>Default false.</value></summary>
    public bool AllowPrivate { get; set; }

    /// <summary>Fixed answers for host names (like <c>curl --resolve</c>; <c>Webhooks:Hosts:hooks.internal = 10.1.2.3</c>):
    /// used instead of DNS, and still checked by the guard.</summary>
    public Dictionary<string, string> Hosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The server's public address for the links in event bodies (<c>https://docflow.example.com</c>); without
    /// it the links are paths (<c>/api/v1/documents/d_…</c>).</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The replay window receivers should apply to <c>webhook-timestamp</c> (documented; sent nowhere). <value>Default 5 minutes.</value></summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);
}
