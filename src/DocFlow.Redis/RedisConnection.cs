using System.Globalization;
using StackExchange.Redis;

namespace DocFlow.Redis;

/// <summary>
/// How <c>--redis</c> / <c>Redis</c> is read: a URL (<c>redis://[user:password@]host[:port][/db]</c>, or
/// <c>rediss://…</c> for TLS), <c>HOST:PORT</c>, or a StackExchange.Redis configuration string
/// (<c>host:6380,ssl=true,password=…</c>). A password and a CA certificate may also come from <c>Queue:Redis</c>
/// (<see cref="RedisQueueOptions.Password"/>, <see cref="RedisQueueOptions.CaCertificate"/>), so a Kubernetes Secret
/// can hold the password alone.
/// </summary>
public static class RedisConnection
{
    public static ConfigurationOptions Parse(string configuration, string? password = null, string? caCertificate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var text = configuration.Trim();
        ConfigurationOptions options;
        if (text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
                throw new ArgumentException($"'{Redact(text)}' is not a redis:// or rediss:// URL.", nameof(configuration));
            var tls = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
            options = new ConfigurationOptions { Ssl = tls };
            var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
            options.EndPoints.Add(host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
            if (tls) options.SslHost = host;
            if (uri.UserInfo.Length > 0)
            {
                var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
                var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
                var secret = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
                // redis://:password@host (no user) is the classic requirepass form; redis://user:password@host is ACL.
                if (secret is null) options.Password = user;
                else
                {
                    if (user.Length > 0) options.User = user;
                    options.Password = secret;
                }
            }
            var path = uri.AbsolutePath.Trim('/');
            if (path.Length > 0)
                options.DefaultDatabase = int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db)
                    ? db : throw new ArgumentException($"'{Redact(text)}': the path must be a database number.", nameof(configuration));
        }
        else
        {
            options = ConfigurationOptions.Parse(text);
        }
        if (!string.IsNullOrEmpty(password)) options.Password = password;
        if (!string.IsNullOrWhiteSpace(caCertificate))
        {
            if (!File.Exists(caCertificate)) throw new FileNotFoundException($"Queue:Redis:CaCertificate '{caCertificate}' does not exist.", caCertificate);
            options.TrustIssuer(caCertificate);
        }
        return options;
    }

    /// <summary>The configuration with any password replaced by ***, for logs and errors.</summary>
    public static string Redact(string configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var at = configuration.IndexOf('@', StringComparison.Ordinal);
        var scheme = configuration.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0 && at > scheme) return configuration[..(scheme + 3)] + "***" + configuration[at..];
        return System.Text.RegularExpressions.Regex.Replace(configuration, "password=[^,]*", "password=***", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }
}
