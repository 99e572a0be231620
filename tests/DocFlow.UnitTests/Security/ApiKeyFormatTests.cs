using DocFlow.Security;

namespace DocFlow.UnitTests.Security;

public sealed class ApiKeyFormatTests
{
    [Fact]
    public void Generate_GivesDistinctWellFormedKeys_ThatParseToTheirId()
    {
        var (id, key) = ApiKeyFormat.Generate();
        var (otherId, other) = ApiKeyFormat.Generate();
        Assert.NotEqual(key, other);
        Assert.NotEqual(id, otherId);
        Assert.Matches("^dfk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$", key);
        Assert.True(ApiKeyFormat.TryParse(key, out var parsed));
        Assert.Equal(id, parsed);
        Assert.Equal("dfk_" + id, ApiKeyFormat.Prefix(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("dfk_")]
    [InlineData("dfk__secret")]
    [InlineData("dfk_abc_")]
    [InlineData("dfk_ab$c_secret")]
    [InlineData("sk_live_abc_secret")]
    public void TryParse_RefusesMalformedKeys(string? key) => Assert.False(ApiKeyFormat.TryParse(key, out _));

    [Fact]
    public void Hash_IsSha256Hex_AndMatchesOnlyTheSameKey()
    {
        var (_, key) = ApiKeyFormat.Generate();
        var hash = ApiKeyFormat.Hash(key);
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.DoesNotContain(key.Split('_', 3)[2], hash, StringComparison.Ordinal);
        Assert.True(ApiKeyFormat.Matches(key, hash));
        Assert.True(ApiKeyFormat.Matches(key, hash.ToUpperInvariant()));
        Assert.False(ApiKeyFormat.Matches(key + "x", hash));
        Assert.False(ApiKeyFormat.Matches(key, hash[..^1]));
    }

    [Fact]
    public async Task Create_RefusesUnknownRoles()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ApiKeys.CreateAsync(new NoStore(), "root", null, DateTimeOffset.UnixEpoch, CancellationToken.None));
        Assert.Equal(["admin", "operator", "submitter", "reader", "auditor"], Roles.All);
    }

    private sealed class NoStore : IApiKeyStore
    {
        public Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken) => throw new InvalidOperationException("not reached");
        public ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken) => throw new InvalidOperationException();
        public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken) => throw new InvalidOperationException();
        public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => throw new InvalidOperationException();
        public Task<bool> AnyActiveAsync(CancellationToken cancellationToken) => throw new InvalidOperationException();
        public Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => throw new InvalidOperationException();
    }
}
