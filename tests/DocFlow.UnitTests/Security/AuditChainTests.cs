using DocFlow.Security;

namespace DocFlow.UnitTests.Security;

public sealed class AuditChainTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 6, 0, 0, TimeSpan.Zero);

    private static AuditEntry Next(AuditEntry? previous, string action, string? target = "id=a")
    {
        var sequence = (previous?.Sequence ?? 0) + 1;
        var prev = previous?.Hash ?? AuditChain.Genesis;
        var hash = AuditChain.Hash(sequence, At, "dfk_abc", "admin", action, target, 200, "127.0.0.1", "req", prev);
        return new AuditEntry(sequence, At, "dfk_abc", "admin", action, target, 200, "127.0.0.1", "req", prev, hash);
    }

    [Fact]
    public void Hash_SeparatesFields_SoMovingTextBetweenThemChangesIt()
    {
        var a = AuditChain.Hash(1, At, "p", "admin", "GET /x", "id=1", 200, null, null, AuditChain.Genesis);
        Assert.NotEqual(a, AuditChain.Hash(1, At, "p", "admin", "GET /xid=1", null, 200, null, null, AuditChain.Genesis));
        Assert.NotEqual(a, AuditChain.Hash(1, At, "p", "admin", "GET /x", "id=1", 200, "", null, AuditChain.Genesis));
        Assert.Equal(a, AuditChain.Hash(1, At.AddTicks(3), "p", "admin", "GET /x", "id=1", 200, null, null, AuditChain.Genesis));
        Assert.Equal(64, a.Length);
    }

    [Fact]
    public void Hash_OfTheDefaultTenant_IsTheHashWithoutTenant_AndAChangedTenantBreaksTheEntry()
    {
        var plain = AuditChain.Hash(1, At, "p", "reader", "GET /x", "id=1", 200, null, null, AuditChain.Genesis);
        Assert.Equal(plain, AuditChain.Hash(1, At, "p", "reader", "GET /x", "id=1", 200, null, null, AuditChain.Genesis, Tenants.Default));
        var acme = AuditChain.Hash(1, At, "p", "reader", "GET /x", "id=1", 200, null, null, AuditChain.Genesis, "acme");
        Assert.NotEqual(plain, acme);

        var entry = new AuditEntry(1, At, "p", "reader", "GET /x", "id=1", 200, null, null, AuditChain.Genesis, acme) { Tenant = "acme" };
        Assert.Null(AuditChain.Check(null, entry));
        Assert.NotNull(AuditChain.Check(null, entry with { Tenant = "globex" }));
        Assert.NotNull(AuditChain.Check(null, entry with { Tenant = Tenants.Default }));
    }

    [Fact]
    public void Check_FindsAChangedField_AMissingEntry_AndABrokenLink()
    {
        var first = Next(null, "POST /api/v1/keys");
        var second = Next(first, "DELETE /api/v1/keys/{id}");
        var third = Next(second, "GET /api/v1/documents/{id}/text");
        Assert.Null(AuditChain.Check(null, first));
        Assert.Null(AuditChain.Check(first, second));
        Assert.Contains("changed", AuditChain.Check(first, second with { Action = "GET /healthz" }));
        Assert.Contains("missing", AuditChain.Check(first, third));
        Assert.Contains("previous hash", AuditChain.Check(second with { Hash = first.Hash }, third));
    }
}
