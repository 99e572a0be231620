using DocFlow.Server.Api;

namespace DocFlow.Server.Dashboard;

/// <summary>Everything the dashboard shows at once (GET /api/v1/dashboard/overview, and each SSE `overview` event).</summary>
public sealed record OverviewDto(
    DateTimeOffset GeneratedAt,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    string Mode,
    QueuesDto Queues,
    IReadOnlyList<WorkerDto> Workers,
    LastHourDto LastHour,
    CostDto Cost)
{
    /// <summary>Documents per engine in the last hour with their cost (Engines:PricePerPage), and each cloud engine's
    /// circuit breaker where this process runs it.</summary>
    public IReadOnlyList<EngineDto> Engines { get; init; } = [];
}

/// <summary>One engine on the dashboard: "local" or a cloud engine of Engines:Cloud.</summary>
/// <param name="Breaker">closed, open, half-open or isolated; null when this process does not run the engine (distributed
/// workers report theirs on /metrics as docflow_engine_breaker_state).</param>
/// <param name="Documents">Documents it produced in the last hour.</param>
/// <param name="Pages">Their pages.</param>
/// <param name="CostPerDocument">Pages × its price per page / documents; null without a price or documents.</param>
public sealed record EngineDto(string Name, string? Breaker, long Documents, long Pages, double? PricePerPage, double? Cost,
    double? CostPerDocument, string Currency);

/// <summary>A worker from the registry; stale when its last heartbeat is older than three intervals.</summary>
public sealed record WorkerDto(string Id, string Host, int Slots, int Busy, long Processed, long Failed, IReadOnlyList<string> Routes,
    DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat, double HeartbeatAgeSeconds, bool Stale);

/// <summary>Jobs that finished in the last hour, in total and per minute (oldest minute first, 60 entries).</summary>
public sealed record LastHourDto(long Documents, long Pages, long Failed, double ErrorRate, double? P50Ms, double? P95Ms,
    IReadOnlyList<MinuteDto> PerMinute);

/// <summary>One minute: documents finished, their pages, how many failed, engine time percentiles.</summary>
public sealed record MinuteDto(DateTimeOffset Minute, int Documents, int Pages, int Failed, double? P50Ms, double? P95Ms);

/// <summary>The cost model applied to the last hour (or the uptime, when shorter).</summary>
/// <param name="Machines">Machines paid for: this server, plus the live workers when distributed.</param>
/// <param name="ComputeCost">ComputePerHour × Machines × window.</param>
/// <param name="PerDocument">ComputeCost per finished document; null before the first one.</param>
/// <param name="CloudCost">What the window's pages would cost on the cloud engine.</param>
public sealed record CostDto(string Currency, double ComputePerHour, double CloudPer1000Pages, double WindowHours, int Machines,
    double ComputeCost, double? PerDocument, double CloudCost, double? CloudPerDocument);
