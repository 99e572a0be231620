using System.ComponentModel.DataAnnotations;

namespace DocFlow.Server.Erasure;

/// <summary>Retention: documents that ended more than <see cref="Days"/> days ago are erased by the sweeper in the API
/// role, every <see cref="SweepInterval"/>. Off when no period is configured. Section <c>Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>The tenant of documents uploaded without one (loopback, `docflow process`).</summary>
    public const string DefaultTenant = DocFlow.Security.Tenants.Default;

    /// <summary>Days after a document ended (succeeded or failed) before it is erased. <value>Default: none (retention off).</value></summary>
    [Range(1, 36_500)]
    public int? Days { get; set; }

    /// <summary>How often the sweeper looks for expired documents. <value>Default 1 hour.</value></summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Documents erased per store query (the sweeper goes on until none is left). <value>Default 100.</value></summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Per-tenant periods (<c>Retention:Tenants:&lt;tenant&gt;:Days</c>) that override <see cref="Days"/>.</summary>
    public Dictionary<string, TenantRetention> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The period of <paramref name="tenant"/>: its own, else <see cref="Days"/>; null when it has none.</summary>
    public int? DaysFor(string tenant) => Tenants.TryGetValue(tenant, out var own) && own.Days is { } days ? days : Days;

    /// <summary>Whether any tenant has a period (else the sweeper does not run).</summary>
    public bool Enabled => Days is not null || Tenants.Values.Any(t => t.Days is not null);
}

/// <summary>One tenant's retention period.</summary>
public sealed class TenantRetention
{
    /// <summary>Days after a document ended before it is erased.</summary>
    [Range(1, 36_500)]
    public int? Days { get; set; }
}
