using System.Net;
using System.Net.Sockets;

namespace DocFlow.IntegrationTests.Support;

/// <summary>Loopback ports for the servers the tests start.</summary>
public static class Ports
{
    /// <summary>A TCP port free on loopback now (the OS picks it; taken back at once, so a server can bind it).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
