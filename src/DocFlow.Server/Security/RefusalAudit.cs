using System.Collections.Concurrent;
using System.Globalization;
using DocFlow.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Security;

/// <summary>
/// Audit entries for requests the hardening refuses before any endpoint sees them: a foreign <c>Host</c> (400), a
/// foreign <c>Origin</c> on a state-changing request (403), and uploads over a per-client rate limit (429). Action
/// <see cref="Action"/>; target <c>reason=… METHOD /path</c>; outcome the status; the client address.
/// A flood cannot fill the log: per client and reason at most one entry a minute is written; the refusals in between
/// are counted and the client's next entry for that reason says how many (<c>refused-since-last=N</c>). At most
/// <see cref="MaxClients"/> clients are tracked; past that, further clients share one slot per reason (<c>client=*</c>).
/// </summary>
public sealed class RefusalAudit(IAuditLog log, TimeProvider time, Microsoft.Extensions.Configuration.IConfiguration configuration, ILogger<RefusalAudit> logger)
{
    public const string Action = "request.refused";

    public static class Reasons
    {
        public const string HostNotAllowed = "host-not-allowed";
        public const string ForeignOrigin = "foreign-origin";
        public const string RateLimited = "rate-limited";
    }

    /// <summary>Entries per client and reason at most once in this window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Clients tracked at once (windows past their minute are dropped first).</summary>
    internal const int MaxClients = 10_000;

    private sealed class Slot
    {
        public DateTimeOffset Start;
        public long Suppressed;
    }

    private readonly ConcurrentDictionary<(string Client, string Reason), Slot> _slots = new();

    /// <summary>Whether auditing is on (<c>Audit:Enabled</c>, default true).</summary>
    private readonly bool _enabled = Microsoft.Extensions.Configuration.ConfigurationBinder.GetValue(configuration, "Audit:Enabled", true);

    /// <summary>Counts the refusal and, when it is the client's first for this reason in a minute, writes its entry.</summary>
    public async Task RecordAsync(HttpContext context, string reason, int status)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_enabled) return;
        var now = time.GetUtcNow();
        var client = Api.UploadRateLimit.ClientKey(context);
        if (_slots.Count >= MaxClients && !_slots.ContainsKey((client, reason)))
        {
            Prune(now);
            if (_slots.Count >= MaxClients) client = "*";
        }
        var slot = _slots.GetOrAdd((client, reason), _ => new Slot { Start = DateTimeOffset.MinValue });
        long earlier;
        lock (slot)
        {
            if (now - slot.Start < Window)
            {
                slot.Suppressed++;
                return;
            }
            earlier = slot.Suppressed;
            slot.Start = now;
            slot.Suppressed = 0;
        }
        var target = $"reason={reason} {context.Request.Method} {Truncate(context.Request.Path.Value ?? "/", 200)}"
                     + (earlier > 0 ? string.Create(CultureInfo.InvariantCulture, $" refused-since-last={earlier}") : "")
                     + (client == "*" ? " client=*" : "");
        var principal = ApiKeyAuthenticationHandler.KeyOf(context.Request) is { } key && ApiKeyFormat.TryParse(key, out var id)
            ? ApiKeyFormat.Prefix(id)
            : "anonymous";
        var entry = new AuditEvent(now, principal, null, Action, target, status,
            context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier);
        try
        {
            await BufferedAuditLog.HandOverAsync(log, entry).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Audit entry not written: {Action} {Target}", Action, target);
        }
    }

    /// <summary>Drops clients whose minute is over; their uncounted refusals move to the shared slot of the reason.</summary>
    private void Prune(DateTimeOffset now)
    {
        foreach (var (k, slot) in _slots)
        {
            if (k.Client == "*" || now - slot.Start < Window || !_slots.TryRemove(k, out _)) continue;
            long suppressed;
            lock (slot) suppressed = slot.Suppressed;
            if (suppressed == 0) continue;
            var shared = _slots.GetOrAdd(("*", k.Reason), _ => new Slot { Start = DateTimeOffset.MinValue });
            lock (shared) shared.Suppressed += suppressed;
        }
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
