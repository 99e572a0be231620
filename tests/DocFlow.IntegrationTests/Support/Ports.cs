using System.Net;
using System.Net.Sockets;

namespace DocFlow.IntegrationTests.Support;

/// <summary>Loopback ports for the servers the tests start.</summary>
/// <remarks>
/// Not a port the OS picked for a listener on port 0 and gave back: that one lies in the ephemeral range, where every
/// other listener on port 0 (Kestrel in the tests beside this one, other programs on the machine) and outgoing connections
/// get theirs, so it could be taken again between the test's check and the moment a child server (redis-server,
/// PostgreSQL, s3rver: seconds on a loaded machine) binds it. These come from below the ephemeral range, which the OS
/// never hands out by itself; each is checked free on IPv4 and IPv6 loopback and given out once per test process.
/// </remarks>
public static class Ports
{
    private static readonly object Gate = new();
    private static readonly HashSet<int> Given = [];
    private static readonly (int Low, int High) Range = NonEphemeralRange();

    /// <summary>A TCP port free on loopback now and not handed out before by this process.</summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(Range.Low, Range.High + 1);
            lock (Gate)
            {
                if (Given.Contains(port) || !IsFree(port)) continue;
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port in {Range.Low}-{Range.High} after 1000 tries.");
    }

    private static bool IsFree(int port) =>
        CanBind(IPAddress.Loopback, port) && (!Socket.OSSupportsIPv6 || CanBind(IPAddress.IPv6Loopback, port));

    private static bool CanBind(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable && address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return true; // no IPv6 loopback on this machine: nothing can take the port there
        }
    }

    /// <summary>Ports below the OS's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by
    /// default), or above it when it starts low.</summary>
    private static (int Low, int High) NonEphemeralRange()
    {
        var (low, high) = (32768, 60999);
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            (low, high) = (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // not Linux, or unreadable: the Linux default
        }
        return low - 20000 >= 5000 ? (20000, low - 1) : (high + 1, 65535);
    }
}
