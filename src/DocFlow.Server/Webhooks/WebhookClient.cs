using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DocFlow.Webhooks;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Webhooks;

/// <summary>A webhook URL the guard refused: not http/https, or a host that resolves to a refused address.</summary>
public sealed class WebhookRefusedException(string message) : Exception(message);

/// <summary>Resolves host names for webhooks: <see cref="WebhookOptions.Hosts"/> first, then DNS.</summary>
public class WebhookResolver(IOptions<WebhookOptions> options)
{
    public virtual async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) return [literal];
        if (options.Value.Hosts.TryGetValue(host, out var fixedAddress))
            return [.. fixedAddress.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(IPAddress.Parse)];
        return await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Sends webhook requests through the SSRF guard: http/https only; the host resolved and every address checked by
/// <see cref="NetworkGuard"/>; the connection made to the address that was checked (<see cref="SocketsHttpHandler.ConnectCallback"/>),
/// so a DNS answer that changes between the check and the connect (rebinding) cannot reach a refused address; redirects
/// never followed (a 3xx answer is a failed attempt); no proxy.
/// </summary>
public sealed class WebhookClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly WebhookResolver _resolver;
    private readonly NetworkGuard _guard;

    public WebhookClient(IOptions<WebhookOptions> options, WebhookResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(options);
        _resolver = resolver;
        _guard = new NetworkGuard(options.Value.AllowedNetworks, options.Value.AllowPrivate);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = options.Value.Timeout,
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = options.Value.Timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("DocFlow-Webhooks/1");
    }

    /// <summary>Checks a URL the way a delivery will (scheme, host, every resolved address); throws
    /// <see cref="WebhookRefusedException"/> saying why it is refused.</summary>
    public async Task<Uri> CheckAsync(string url, CancellationToken cancellationToken)
    {
        var uri = CheckSyntax(url);
        await AllowedAddressesAsync(uri.IdnHost, cancellationToken).ConfigureAwait(false);
        return uri;
    }

    /// <summary>The URL's form: absolute, http or https, a host, no user info.</summary>
    public static Uri CheckSyntax(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
            throw new WebhookRefusedException($"'{url}' is not an absolute URL.");
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            throw new WebhookRefusedException($"'{url}': only http and https callbacks are allowed, not {uri.Scheme}.");
        if (string.IsNullOrEmpty(uri.Host)) throw new WebhookRefusedException($"'{url}' has no host.");
        if (!string.IsNullOrEmpty(uri.UserInfo)) throw new WebhookRefusedException($"'{url}': user names and passwords in callback URLs are not allowed.");
        if (url.Length > 2048) throw new WebhookRefusedException("The callback URL is longer than 2048 characters.");
        return uri;
    }

    private async Task<IPAddress[]> AllowedAddressesAsync(string host, CancellationToken ct)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await _resolver.ResolveAsync(host, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new WebhookRefusedException($"The host '{host}' does not resolve ({e.SocketErrorCode}).");
        }
        if (addresses.Length == 0) throw new WebhookRefusedException($"The host '{host}' does not resolve.");
        // Every answer must be allowed: a name that resolves to one public and one private address is refused.
        foreach (var address in addresses)
            if (_guard.Refusal(address) is { } why)
                throw new WebhookRefusedException($"The host '{host}' resolves to a refused address: {why}. Allow it with Webhooks:AllowedNetworks.");
        return addresses;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        // Resolved and checked again here, and the socket connects to exactly the addresses checked.
        var addresses = await AllowedAddressesAsync(context.DnsEndPoint.Host, ct).ConfigureAwait(false);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>The outcome of one POST: status code (null without an answer), latency, and the error.</summary>
    public sealed record Outcome(int? StatusCode, long LatencyMs, string? Error, bool Refused)
    {
        public bool Delivered => StatusCode is >= 200 and < 300;
    }

    /// <summary>POSTs the signed body; never throws for network failures (they are the outcome's error).</summary>
    public async Task<Outcome> PostAsync(Uri url, string id, long timestamp, string signature, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, id);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, signature);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var ms = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var code = (int)response.StatusCode;
            return code switch
            {
                >= 200 and < 300 => new Outcome(code, ms, null, false),
                >= 300 and < 400 => new Outcome(code, ms, $"redirect to {response.Headers.Location} refused: webhooks do not follow redirects", false),
                _ => new Outcome(code, ms, $"the receiver answered {code} {response.ReasonPhrase}", false),
            };
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookRefusedException refused)
        {
            return new Outcome(null, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, refused.Message, true);
        }
        catch (HttpRequestException e)
        {
            return new Outcome(null, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, e.Message, false);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Outcome(null, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, $"no answer within {_http.Timeout.TotalSeconds:F0} s", false);
        }
    }

    public void Dispose() => _http.Dispose();
}
