using System.Net;
using DocFlow.Redis;

namespace DocFlow.UnitTests.Redis;

/// <summary>How <c>--redis</c> is read: URLs (redis://, rediss://), HOST:PORT and StackExchange.Redis strings.</summary>
public sealed class RedisConnectionTests
{
    [Fact]
    public void Rediss_IsTlsWithThePasswordAndTheHostForTheCertificate()
    {
        var options = RedisConnection.Parse("rediss://:s3cr%40t@redis.internal:6380/2");

        Assert.True(options.Ssl);
        Assert.Equal("redis.internal", options.SslHost);
        Assert.Equal("s3cr@t", options.Password);
        Assert.Null(options.User);
        Assert.Equal(2, options.DefaultDatabase);
        var endpoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(("redis.internal", 6380), (endpoint.Host, endpoint.Port));
    }

    [Fact]
    public void RedisUrl_WithAclUser_AndDefaultPort()
    {
        var options = RedisConnection.Parse("redis://docflow:pw@10.0.0.5");

        Assert.False(options.Ssl);
        Assert.Equal("docflow", options.User);
        Assert.Equal("pw", options.Password);
        Assert.Equal(6379, Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints)).Port);
    }

    [Fact]
    public void HostPort_AndConfigurationStrings_StillWork_AndAConfiguredPasswordWins()
    {
        Assert.False(RedisConnection.Parse("127.0.0.1:6379").Ssl);
        var options = RedisConnection.Parse("cache:6380,ssl=true,password=old", password: "fromSecret");
        Assert.True(options.Ssl);
        Assert.Equal("fromSecret", options.Password);
    }

    [Fact]
    public void MissingCaFile_AndBadUrls_AreErrors()
    {
        Assert.Throws<FileNotFoundException>(() => RedisConnection.Parse("rediss://h:1", caCertificate: "/nonexistent/ca.pem"));
        Assert.Throws<ArgumentException>(() => RedisConnection.Parse("rediss://:pw@h:1/notadb"));
    }

    [Theory]
    [InlineData("rediss://:hunter2@h:6380", "rediss://***@h:6380")]
    [InlineData("h:6380,password=hunter2,ssl=true", "h:6380,password=***,ssl=true")]
    public void Redact_HidesThePassword(string configuration, string expected) =>
        Assert.Equal(expected, RedisConnection.Redact(configuration));
}
