using DocFlow.Blobs;
using DocFlow.Security;

namespace DocFlow.UnitTests.Security;

public sealed class TenantsTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("acme")]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("acme-eu-1")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijklmnopqrstuvwxyz")] // 63 characters
    public void IsValid_AcceptsLowerCaseLettersDigitsAndDashes(string id) => Assert.True(Tenants.IsValid(id));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-acme")]
    [InlineData("Acme")]
    [InlineData("acme/x")]
    [InlineData("..")]
    [InlineData("acme_eu")]
    [InlineData("acme ")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijklmnopqrstuvwxyz0")] // 64 characters
    public void IsValid_RefusesEverythingElse(string? id)
    {
        Assert.False(Tenants.IsValid(id));
        Assert.Throws<ArgumentException>(() => Tenants.Validate(id));
    }

    [Fact]
    public void BlobKeys_AcceptTenantSlashHash_AndBareHashes_AndSplitThem()
    {
        var hash = new string('e', 64);
        Assert.Equal("acme/" + hash, BlobKeys.Of("acme", hash));
        Assert.True(BlobKeys.IsValid("acme/" + hash));
        Assert.True(BlobKeys.IsValid(hash));
        Assert.Equal(("acme", hash), BlobKeys.Split("acme/" + hash));
        Assert.Equal((null, hash), BlobKeys.Split(hash));
        Assert.False(BlobKeys.IsValid("ACME/" + hash));
        Assert.False(BlobKeys.IsValid("/" + hash));
        Assert.False(BlobKeys.IsValid("acme/" + hash[1..]));
        Assert.Throws<ArgumentException>(() => BlobKeys.Of("../x", hash));
    }

    [Fact]
    public void AmbientScope_IsUnscopedUntilEntered_AndRestoredOnDispose()
    {
        var scope = AmbientTenantScope.Instance;
        Assert.Null(scope.Tenant);
        using (AmbientTenantScope.Enter("acme"))
        {
            Assert.Equal("acme", scope.Tenant);
            using (AmbientTenantScope.Enter(null)) Assert.Null(scope.Tenant);
            Assert.Equal("acme", scope.Tenant);
        }
        Assert.Null(scope.Tenant);
    }
}
