using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Server.Hosting;
using DocFlow.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Security;

/// <summary>`docflow serve` on loopback needs no key; on any other address it refuses to start without keys or OIDC,
/// unless --insecure, which /readyz and /api/v1/me then say.</summary>
public sealed class SafeDefaultsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("https://127.0.0.2:443/", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://10.0.0.5:8080", false)]
    [InlineData("http://docflow.example.com", false)]
    public void LoopbackAddresses_AreTold(string url, bool loopback) => Assert.Equal(loopback, AuthMode.IsLoopbackUrl(url));

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["DataDirectory"] = Repo.NewTempDirectory("auth-defaults"), ["Workers"] = "0" };
        foreach (var (k, v) in extra) settings[k] = v;
        return settings;
    }

    private static HttpClient LoopbackClient(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port;
        return new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    [Fact]
    public async Task Loopback_NeedsNoKey()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("api/v1/jobs")).StatusCode);
        var ready = await server.Client.GetFromJsonAsync<JsonElement>("readyz");
        Assert.Equal("loopback", ready.GetProperty("auth").GetString());
        Assert.False(ready.GetProperty("insecure").GetBoolean());
    }

    [Fact]
    public async Task AnyAddress_WithoutKeys_RefusesToStart()
    {
        await using var app = DocFlowServer.Build(Settings(), "http://0.0.0.0:0");
        var e = await Assert.ThrowsAsync<AuthNotConfiguredException>(() => app.StartAsync());
        Assert.Contains("--insecure", e.Message);
        Assert.Contains("docflow keys create --role admin", e.Message);
    }

    [Fact]
    public async Task Cli_Serve_OnAnyAddress_WithoutKeys_ExitsWithWhatToDo()
    {
        var dir = Repo.NewTempDirectory("auth-cli");
        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2),
            "serve", "--urls", "http://0.0.0.0:0", "--workers", "0", "--database", Path.Combine(dir, "docflow.db"), "--storage", Path.Combine(dir, "blobs"));
        Assert.Equal(2, exit);
        Assert.Contains("--insecure", output);
    }

    [Fact]
    public async Task Cli_Serve_WithKeysRequired_AndAuditOff_ExitsWithWhatToChange_NoStackTrace()
    {
        var dir = Repo.NewTempDirectory("audit-off-cli");
        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["DOCFLOW__Auth__Required"] = "true", ["DOCFLOW__Audit__Enabled"] = "false" },
            "serve", "--urls", "http://127.0.0.1:0", "--workers", "0", "--database", Path.Combine(dir, "docflow.db"), "--storage", Path.Combine(dir, "blobs"));
        Assert.Equal(2, exit);
        Assert.Contains("Audit:Enabled=false", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task AnyAddress_WithInsecure_StartsAndSaysSo()
    {
        await using var app = DocFlowServer.Build(Settings(("Auth:Insecure", "true")), "http://0.0.0.0:0");
        await app.StartAsync();
        using var client = LoopbackClient(app);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/v1/jobs")).StatusCode);
        var ready = await client.GetFromJsonAsync<JsonElement>("readyz");
        Assert.Equal("insecure", ready.GetProperty("auth").GetString());
        Assert.True(ready.GetProperty("insecure").GetBoolean());
        var me = await client.GetFromJsonAsync<JsonElement>("api/v1/me");
        Assert.True(me.GetProperty("insecure").GetBoolean());
        await app.StopAsync();
    }

    [Fact]
    public async Task AnyAddress_WithABootstrapKeyHash_StartsAndRequiresKeys()
    {
        var key = "dfk_bootstrp_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        await using var app = DocFlowServer.Build(Settings(("Auth:BootstrapKeyHash", hash)), "http://0.0.0.0:0");
        await app.StartAsync();
        using var client = LoopbackClient(app);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/v1/jobs")).StatusCode);
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/v1/keys")).StatusCode);
        var ready = await client.GetFromJsonAsync<JsonElement>("readyz");
        Assert.Equal("required", ready.GetProperty("auth").GetString());
        await app.StopAsync();
    }
}
