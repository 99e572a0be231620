using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DocFlow.Security;

/// <summary>What happened, before the log numbers and chains it: who, as what role, did what to which ids, with what
/// outcome, from where. Never document content: targets are ids.</summary>
public sealed record AuditEvent(
    DateTimeOffset At, string Principal, string? Role, string Action, string? Target, int Outcome, string? ClientAddress, string? RequestId)
{
    /// <summary>The tenant of the principal (<see cref="Tenants.Default"/> unless known).</summary>
    public string Tenant { get; init; } = Tenants.Default;
}

/// <summary>One entry of the audit log: its event, its place in the chain and its hash.</summary>
public sealed record AuditEntry(
    long Sequence, DateTimeOffset At, string Principal, string? Role, string Action, string? Target, int Outcome,
    string? ClientAddress, string? RequestId, string PreviousHash, string Hash)
{
    /// <summary>The tenant of the principal.</summary>
    public string Tenant { get; init; } = Tenants.Default;
}

/// <summary>Filters and a page of <see cref="IAuditLog.QueryAsync"/>: newest first, entries before <see cref="Before"/>.</summary>
public sealed record AuditQuery(DateTimeOffset? From, DateTimeOffset? To, string? Action, string? Principal, long? Before, int Limit)
{
    /// <summary>Only this tenant's entries (an auditor's view); null for every tenant.</summary>
    public string? Tenant { get; init; }
}

/// <summary>The result of checking the chain: how many entries, and the first whose link is broken (null: intact).</summary>
public sealed record AuditVerification(long Count, long? FirstBroken, string? Reason)
{
    public bool Intact => FirstBroken is null;
}

/// <summary>The append-only, hash-chained audit log (the job store's database, table audit_log).</summary>
public interface IAuditLog
{
    /// <summary>Appends one entry after the last (appends are serialised, so the chain never forks) and returns it.</summary>
    Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Appends several entries in order, chained one after the other (one transaction where the store has them).</summary>
    async Task<IReadOnlyList<AuditEntry>> AppendManyAsync(IReadOnlyList<AuditEvent> auditEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvents);
        var entries = new List<AuditEntry>(auditEvents.Count);
        foreach (var e in auditEvents) entries.Add(await AppendAsync(e, cancellationToken).ConfigureAwait(false));
        return entries;
    }

    /// <summary>Entries matching the query, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Reads every entry in order and recomputes the chain.</summary>
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken);
}

/// <summary>The chain: each entry's hash is SHA-256 over its canonical fields and the previous entry's hash.</summary>
public static class AuditChain
{
    /// <summary>The previous hash of the first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>Times are kept to the microsecond (what both databases store), so a read-back entry hashes the same.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.UtcTicks - utc.UtcTicks % 10, TimeSpan.Zero);
    }

    /// <summary>Lower-case hex SHA-256 of the canonical form: the fields, each length-prefixed, in a fixed order, then the previous hash.</summary>
    public static string Hash(long sequence, DateTimeOffset at, string principal, string? role, string action, string? target, int outcome,
        string? clientAddress, string? requestId, string previousHash) =>
        Hash(sequence, at, principal, role, action, target, outcome, clientAddress, requestId, previousHash, Tenants.Default);

    /// <summary>As above, with the entry's tenant. The default tenant adds no field, so entries written before tenants
    /// existed keep their hashes; any other tenant is one more field, so changing an entry's tenant breaks its hash.</summary>
    public static string Hash(long sequence, DateTimeOffset at, string principal, string? role, string action, string? target, int outcome,
        string? clientAddress, string? requestId, string previousHash, string tenant)
    {
        var micros = (Truncate(at).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        var sb = new StringBuilder(256);
        Field(sb, sequence.ToString(CultureInfo.InvariantCulture));
        Field(sb, micros.ToString(CultureInfo.InvariantCulture));
        Field(sb, principal);
        Field(sb, role);
        Field(sb, action);
        Field(sb, target);
        Field(sb, outcome.ToString(CultureInfo.InvariantCulture));
        Field(sb, clientAddress);
        Field(sb, requestId);
        Field(sb, previousHash);
        if (!string.Equals(tenant, Tenants.Default, StringComparison.Ordinal)) Field(sb, "tenant=" + tenant);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    public static string Hash(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Hash(e.Sequence, e.At, e.Principal, e.Role, e.Action, e.Target, e.Outcome, e.ClientAddress, e.RequestId, e.PreviousHash, e.Tenant);
    }

    // "-" for null, else "<length>:<value>", one per line: no two different field lists give the same text.
    private static void Field(StringBuilder sb, string? value) =>
        (value is null ? sb.Append('-') : sb.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value)).Append('\n');

    /// <summary>Checks entries in sequence order against each other; <paramref name="previous"/> is the entry before
    /// them (null at the start). Returns the reason the entry breaks the chain, or null.</summary>
    public static string? Check(AuditEntry? previous, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var expectedSequence = (previous?.Sequence ?? 0) + 1;
        if (entry.Sequence != expectedSequence) return $"sequence {entry.Sequence} where {expectedSequence} was expected (an entry is missing)";
        if (!string.Equals(entry.PreviousHash, previous?.Hash ?? Genesis, StringComparison.Ordinal)) return "its previous hash is not the hash of the entry before it";
        if (!string.Equals(entry.Hash, Hash(entry), StringComparison.Ordinal)) return "its hash does not match its fields (the entry was changed)";
        return null;
    }
}
