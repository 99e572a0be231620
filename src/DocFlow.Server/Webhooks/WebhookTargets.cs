using System.Security.Claims;
using DocFlow.Server.Security;
using DocFlow.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Webhooks;

/// <summary>
/// Picks a batch's webhook at upload: the form's <c>callbackUrl</c> (with <c>callbackSecret</c>, or the key's or
/// tenant's secret), else the API key's default, else the tenant's (<see cref="WebhookOptions"/>). The URL is checked by
/// the guard now (a refused one is a 400) and again at every delivery.
/// </summary>
public sealed class WebhookTargets(IOptions<WebhookOptions> options, WebhookClient client)
{
    public const int MinSecretLength = 16;

    /// <summary>The subscription for a new batch (its id filled in later), none, or the problem to answer.</summary>
    public async Task<(WebhookSubscription? Subscription, string? Problem)> ResolveAsync(IFormCollection form, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var tenant = TenantPrincipals.TenantOf(user);
        var o = options.Value;
        var keyPrefix = user.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value;
        var keyDefault = keyPrefix is not null && o.Keys.TryGetValue(keyPrefix, out var k) && !string.IsNullOrWhiteSpace(k.Url) ? k : null;
        var tenantDefault = o.Tenants.TryGetValue(tenant, out var t) && !string.IsNullOrWhiteSpace(t.Url) ? t : null;

        string url, source;
        string? secret;
        var formUrl = form["callbackUrl"].ToString();
        var formSecret = form["callbackSecret"].ToString();
        if (!string.IsNullOrWhiteSpace(formUrl))
        {
            (url, source) = (formUrl.Trim(), "batch");
            secret = !string.IsNullOrEmpty(formSecret) ? formSecret : keyDefault?.Secret ?? tenantDefault?.Secret;
            if (secret is null)
                return (null, "`callbackUrl` needs a signing secret: send `callbackSecret` (16 characters or more, or whsec_…), or configure one for the key or tenant (Webhooks:Keys / Webhooks:Tenants).");
        }
        else if (!string.IsNullOrEmpty(formSecret))
        {
            return (null, "`callbackSecret` was sent without `callbackUrl`.");
        }
        else if (keyDefault is not null)
        {
            (url, source, secret) = (keyDefault.Url!, "key", keyDefault.Secret ?? tenantDefault?.Secret);
        }
        else if (tenantDefault is not null)
        {
            (url, source, secret) = (tenantDefault.Url!, "tenant", tenantDefault.Secret);
        }
        else
        {
            return (null, null);
        }
        if (string.IsNullOrEmpty(secret) || secret.Length < MinSecretLength)
            return (null, $"The webhook's signing secret must have at least {MinSecretLength} characters.");
        try
        {
            var uri = await client.CheckAsync(url, cancellationToken).ConfigureAwait(false);
            return (new WebhookSubscription("", tenant, uri.AbsoluteUri, secret, source), null);
        }
        catch (WebhookRefusedException e)
        {
            return (null, $"`callbackUrl` refused: {e.Message}");
        }
    }
}
