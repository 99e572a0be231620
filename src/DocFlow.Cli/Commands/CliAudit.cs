using DocFlow.Security;

namespace DocFlow.Cli.Commands;

/// <summary>
/// The audit entries of the CLI's state changes (`docflow keys create|revoke|rotate`): appended to the same hash-chained
/// log as the server's (the database the command works on), so a key made or revoked behind the server's back, or a key
/// rotation, is on the trail like its API counterpart. No role is checked (whoever can reach the database acts as an
/// operator of the installation): the entry names the operating-system account and host instead.
/// </summary>
internal static class CliAudit
{
    /// <summary>Actions, "cli " + the command, so they sort apart from the API's "METHOD /route" actions.</summary>
    public const string KeysCreate = "cli keys create";

    public const string KeysRevoke = "cli keys revoke";

    public const string KeysRotate = "cli keys rotate";

    /// <summary>Who ran the command: <c>cli:USER@HOST</c> (at most 256 characters, like every principal).</summary>
    public static string Principal
    {
        get
        {
            var who = $"cli:{Environment.UserName}@{Environment.MachineName}";
            return who.Length <= 256 ? who : who[..256];
        }
    }

    /// <summary>Appends one entry; outcomes as HTTP statuses, as the API's entries have them (201 created, 204 revoked,
    /// 404 no such key, 200 rotated, 500 some objects not rewrapped). Never with the caller's token: a change that was
    /// made is recorded even if the command is being cancelled.</summary>
    public static Task RecordAsync(IAuditLog log, string action, string? target, int outcome, string tenant = Tenants.Default)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (target is { Length: > 512 }) target = target[..512];
        return log.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, Principal, null, action, target, outcome, null, null) { Tenant = tenant },
            CancellationToken.None);
    }
}
