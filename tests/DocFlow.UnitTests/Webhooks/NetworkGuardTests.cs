using System.Net;
using DocFlow.Webhooks;

namespace DocFlow.UnitTests.Webhooks;

/// <summary>The SSRF guard's address rules: every refused range, IPv6 forms of refused IPv4 addresses, and the allowances.</summary>
public sealed class NetworkGuardTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("10.1.2.3", "RFC 1918")]
    [InlineData("172.16.0.1", "RFC 1918")]
    [InlineData("172.31.255.255", "RFC 1918")]
    [InlineData("192.168.1.1", "RFC 1918")]
    [InlineData("169.254.169.254", "cloud metadata")]
    [InlineData("169.254.1.1", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00:ec2::254", "cloud metadata")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "cloud metadata")]
    [InlineData("64:ff9b::a9fe:a9fe", "cloud metadata")]
    [InlineData("2002:7f00:1::", "loopback")]
    [InlineData("::127.0.0.1", "loopback")]
    [InlineData("198.18.0.1", "reserved")]
    public void RefusedAddresses_AreRefused_SayingWhy(string address, string why)
    {
        var refusal = new NetworkGuard().Refusal(IPAddress.Parse(address));
        Assert.NotNull(refusal);
        Assert.Contains(why, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void PublicAddresses_AreAllowed(string address) =>
        Assert.Null(new NetworkGuard().Refusal(IPAddress.Parse(address)));

    [Fact]
    public void AllowedNetworks_OpenOnlyThemselves()
    {
        var guard = new NetworkGuard(["10.1.0.0/16", "127.0.0.1"]);
        Assert.Null(guard.Refusal(IPAddress.Parse("10.1.200.3")));
        Assert.Null(guard.Refusal(IPAddress.Parse("127.0.0.1")));
        Assert.Null(guard.Refusal(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.NotNull(guard.Refusal(IPAddress.Parse("10.2.0.1")));
        Assert.NotNull(guard.Refusal(IPAddress.Parse("127.0.0.2")));
        Assert.NotNull(guard.Refusal(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void AllowPrivate_AllowsEverything_AndBadNetworksAreRefusedAtConstruction()
    {
        Assert.Null(new NetworkGuard(allowPrivate: true).Refusal(IPAddress.Parse("169.254.169.254")));
        var e = Assert.Throws<FormatException>(() => new NetworkGuard(["10.0.0.0/33"]));
        Assert.Contains("Webhooks:AllowedNetworks", e.Message, StringComparison.Ordinal);
    }
}
