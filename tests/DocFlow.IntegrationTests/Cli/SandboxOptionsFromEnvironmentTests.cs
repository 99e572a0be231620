using System.Collections;
using DocFlow.Cli.Batch;
using DocFlow.Sandbox;

namespace DocFlow.IntegrationTests.Cli;

/// <summary>`docflow process --sandbox on` reads the sandbox's limits from the server's keys as environment variables.</summary>
public sealed class SandboxOptionsFromEnvironmentTests
{
    [Fact]
    public void Read_TakesTheServersKeys_CaseInsensitive_OverTheDefaults()
    {
        var options = SandboxOptionsFromEnvironment.Read(new Hashtable
        {
            ["DOCFLOW__Engine__Sandbox__MaxMemoryBytes"] = "2147483648",
            ["docflow__engine__sandbox__noprogresstimeout"] = "00:02:00",
            ["DOCFLOW__Engine__Sandbox__HostSlots"] = "2",
            ["DOCFLOW__Engine__Slots"] = "7", // not the sandbox's
            ["PATH"] = "/usr/bin",
        });

        Assert.Equal(2147483648L, options.MaxMemoryBytes);
        Assert.Equal(TimeSpan.FromMinutes(2), options.NoProgressTimeout);
        Assert.Equal(2, options.HostSlots);
        Assert.Equal(0, options.Hosts);
        Assert.Equal(TimeSpan.FromSeconds(120), options.CpuPerPage);
    }

    [Fact]
    public void Read_WithoutVariables_IsTheDefaults()
    {
        var options = SandboxOptionsFromEnvironment.Read(new Hashtable { ["HOME"] = "/root" });

        Assert.Equal(1536L * 1024 * 1024, options.MaxMemoryBytes);
        Assert.Equal(0, options.HostSlots);
        Assert.Equal(2, options.HostDocuments);
        // A short run: its hosts run the ReadyToRun code as it is (serve and worker re-compile hot code in their long-lived hosts).
        Assert.False(options.HostTieredCompilation);
        Assert.True(new SandboxOptions().HostTieredCompilation);
    }

    [Fact]
    public void Read_HostTieredCompilation_CanBeTurnedOn()
    {
        var options = SandboxOptionsFromEnvironment.Read(new Hashtable { ["DOCFLOW__Engine__Sandbox__HostTieredCompilation"] = "true" });

        Assert.True(options.HostTieredCompilation);
    }

    [Theory]
    [InlineData("HostSlots", "many")]
    [InlineData("HostSlots", "-1")]
    [InlineData("HostDocuments", "0")]
    [InlineData("MaxMemoryBytes", "1000")]
    public void Read_ABadValue_NamesTheKey(string key, string value)
    {
        var e = Assert.Throws<FormatException>(() =>
            SandboxOptionsFromEnvironment.Read(new Hashtable { ["DOCFLOW__Engine__Sandbox__" + key] = value }));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }
}
