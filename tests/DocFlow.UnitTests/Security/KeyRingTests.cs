using System.Security.Cryptography;
using DocFlow.Security.Encryption;

namespace DocFlow.UnitTests.Security;

/// <summary>Key configuration: inline base64, key files and mounted-Secret folders, and the start-up errors.</summary>
public sealed class KeyRingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("docflow-keys-").FullName;
    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void OneInlineKey_IsActive()
    {
        var options = new EncryptionOptions();
        options.Keys["k2026"] = NewKey();

        var ring = KeyRing.Load(options);

        Assert.Equal("k2026", ring.ActiveKeyId);
    }

    [Fact]
    public void AnEmptyKeyValue_IsNoKey()
    {
        // compose passes DOCFLOW__Encryption__Keys__compose: ${DOCFLOW_ENCRYPTION_KEY:-}, empty when not set.
        var options = new EncryptionOptions();
        options.Keys["compose"] = "";

        Assert.Null(KeyRing.Load(options).ActiveKeyId);
    }

    [Fact]
    public void NoKey_IsOff_UnlessRequired()
    {
        Assert.Null(KeyRing.Load(new EncryptionOptions()).ActiveKeyId);
        var e = Assert.Throws<EncryptionConfigurationException>(() => KeyRing.Load(new EncryptionOptions { Required = true }));
        Assert.Contains("Encryption:Required", e.Message);
    }

    [Fact]
    public void SecretFolder_GivesOneKeyPerFile_SkippingHiddenEntries_AndRawBytesWork()
    {
        File.WriteAllText(Path.Combine(_dir, "old"), NewKey() + "\n");
        File.WriteAllBytes(Path.Combine(_dir, "new"), RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(Path.Combine(_dir, "..data"), "not a key");

        var ring = KeyRing.Load(new EncryptionOptions { KeyFiles = _dir, ActiveKeyId = "new" });

        Assert.Equal(["new", "old"], ring.KeyIds.Order(StringComparer.Ordinal));
        Assert.Equal("new", ring.ActiveKeyId);
    }

    [Theory]
    [InlineData("not base64!", "not base64")]
    [InlineData("AAAA", "holds 3 bytes")]
    public void BadKeyMaterial_NamesTheKey(string value, string expected)
    {
        var options = new EncryptionOptions();
        options.Keys["k1"] = value;

        var e = Assert.Throws<EncryptionConfigurationException>(() => KeyRing.Load(options));

        Assert.Contains("Encryption:Keys:k1", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UnknownActiveKey_AndSeveralWithoutActive_AreErrors()
    {
        var options = new EncryptionOptions { ActiveKeyId = "k3" };
        options.Keys["k1"] = NewKey();
        options.Keys["k2"] = NewKey();

        Assert.Contains("'k3', which is not among", Assert.Throws<EncryptionConfigurationException>(() => KeyRing.Load(options)).Message);
        options.ActiveKeyId = null;
        Assert.Contains("set Encryption:ActiveKeyId", Assert.Throws<EncryptionConfigurationException>(() => KeyRing.Load(options)).Message);
    }

    [Fact]
    public void MissingKeyFile_IsAnError()
    {
        var e = Assert.Throws<EncryptionConfigurationException>(() => KeyRing.Load(new EncryptionOptions { KeyFiles = Path.Combine(_dir, "nope") }));
        Assert.Contains("neither a file nor a folder", e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
