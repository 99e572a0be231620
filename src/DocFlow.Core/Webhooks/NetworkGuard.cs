using System.Net;
using System.Net.Sockets;

namespace DocFlow.Webhooks;

/// <summary>
/// Which addresses a webhook may be sent to (the SSRF guard): public unicast only. Refused unless allowed: loopback,
/// unspecified, link-local (with the cloud metadata address 169.254.169.254), private (RFC 1918, IPv6 ULA fc00::/7 with
/// AWS's fd00:ec2::254), carrier-grade NAT (100.64.0.0/10), multicast, broadcast, the reserved and documentation ranges,
/// and IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
/// </summary>
public sealed class NetworkGuard
{
    private static readonly IpNetwork[] Blocked =
    [
        IpNetwork.Parse("0.0.0.0/8"), IpNetwork.Parse("10.0.0.0/8"), IpNetwork.Parse("100.64.0.0/10"), IpNetwork.Parse("127.0.0.0/8"),
        IpNetwork.Parse("169.254.0.0/16"), IpNetwork.Parse("172.16.0.0/12"), IpNetwork.Parse("192.0.0.0/24"), IpNetwork.Parse("192.0.2.0/24"),
        IpNetwork.Parse("192.88.99.0/24"), IpNetwork.Parse("192.168.0.0/16"), IpNetwork.Parse("198.18.0.0/15"), IpNetwork.Parse("198.51.100.0/24"),
        IpNetwork.Parse("203.0.113.0/24"), IpNetwork.Parse("224.0.0.0/4"), IpNetwork.Parse("240.0.0.0/4"),
        IpNetwork.Parse("::/128"), IpNetwork.Parse("::1/128"), IpNetwork.Parse("100::/64"), IpNetwork.Parse("2001:db8::/32"),
        IpNetwork.Parse("fc00::/7"), IpNetwork.Parse("fe80::/10"), IpNetwork.Parse("fec0::/10"), IpNetwork.Parse("ff00::/8"),
    ];

    private readonly IpNetwork[] _allowed;
    private readonly bool _allowPrivate;

    /// <param name="allowed">Networks allowed although they are in a refused range (CIDR, e.g. <c>10.1.0.0/16</c>).</param>
    /// <param name="allowPrivate">Allow every address (tests, a closed network): only the scheme is checked.</param>
    public NetworkGuard(IEnumerable<string>? allowed = null, bool allowPrivate = false)
    {
        _allowed = [.. (allowed ?? []).Select(a => IpNetwork.TryParse(a.Trim(), out var n) ? n
            : IPAddress.TryParse(a.Trim(), out var single) ? new IpNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : throw new FormatException($"'{a}' in Webhooks:AllowedNetworks is not an address or a network (CIDR, e.g. 10.1.0.0/16)."))];
        _allowPrivate = allowPrivate;
    }

    /// <summary>Why <paramref name="address"/> is refused, or null when a webhook may go there.</summary>
    public string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_allowPrivate) return null;
        var judged = Effective(address);
        if (_allowed.Any(n => n.Contains(judged) || n.Contains(address))) return null;
        if (judged.Equals(IPAddress.Broadcast)) return $"{address} is the broadcast address";
        foreach (var network in Blocked)
            if (network.Contains(judged))
                return $"{address} is in {network} ({Describe(network)})";
        return null;
    }

    /// <summary>The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), else itself.</summary>
    internal static IPAddress Effective(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        if (IpNetwork.Parse("64:ff9b::/96").Contains(address)) return new IPAddress(bytes.AsSpan(12, 4));
        if (bytes[0] == 0x20 && bytes[1] == 0x02) return new IPAddress(bytes.AsSpan(2, 4));
        // ::a.b.c.d (IPv4-compatible, deprecated) except :: and ::1
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] <= 1))
            return new IPAddress(bytes.AsSpan(12, 4));
        return address;
    }

    private static string Describe(IpNetwork network) => network.ToString() switch
    {
        "127.0.0.0/8" or "::1/128" => "loopback",
        "0.0.0.0/8" or "::/128" => "unspecified",
        "10.0.0.0/8" or "172.16.0.0/12" or "192.168.0.0/16" => "private, RFC 1918",
        "fc00::/7" => "unique local, includes fd00:ec2::254 (cloud metadata)",
        "169.254.0.0/16" => "link-local, includes 169.254.169.254 (cloud metadata)",
        "fe80::/10" or "fec0::/10" => "link-local",
        "100.64.0.0/10" => "carrier-grade NAT",
        "224.0.0.0/4" or "ff00::/8" => "multicast",
        _ => "reserved",
    };
}

/// <summary>An address block (CIDR).</summary>
public readonly record struct IpNetwork(IPAddress Prefix, int Length)
{
    public static IpNetwork Parse(string cidr) =>
        TryParse(cidr, out var n) ? n : throw new FormatException($"'{cidr}' is not a network (CIDR).");

    public static bool TryParse(string? cidr, out IpNetwork network)
    {
        network = default;
        var slash = cidr?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0) return false;
        if (!IPAddress.TryParse(cidr.AsSpan(0, slash), out var prefix)) return false;
        if (!int.TryParse(cidr.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)) return false;
        var bits = prefix.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (length < 0 || length > bits) return false;
        network = new IpNetwork(prefix, length);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != Prefix.AddressFamily) return false;
        var a = address.GetAddressBytes();
        var p = Prefix.GetAddressBytes();
        var full = Length / 8;
        for (var i = 0; i < full; i++)
            if (a[i] != p[i]) return false;
        var rest = Length % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (a[full] & mask) == (p[full] & mask);
    }

    public override string ToString() => $"{Prefix}/{Length}";
}
