using System.ComponentModel;
using DocFlow.Cli.Batch;
using DocFlow.Data;
using DocFlow.Security;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

/// <summary>The database the keys live in: the job store's, found as `docflow serve` finds it.</summary>
public class KeysSettings : CommandSettings
{
    [CommandOption("--database <CONNECTION>")]
    [Description("An Npgsql connection string, or a SQLite file path (the server's). Default: DOCFLOW__Database__ConnectionString, else DATA/docflow.db.")]
    public string? Database { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("The server's data folder, for its default SQLite file. Default: DOCFLOW__DataDirectory, else data.")]
    public string? DataDirectory { get; init; }

    internal async Task<(DocFlowDatabase Database, EfApiKeyStore Store)> OpenAsync(CancellationToken cancellationToken)
    {
        var database = await OpenDatabaseAsync(cancellationToken);
        return (database, new EfApiKeyStore(database));
    }

    internal async Task<DocFlowDatabase> OpenDatabaseAsync(CancellationToken cancellationToken)
    {
        var connection = Database ?? Environment.GetEnvironmentVariable("DOCFLOW__Database__ConnectionString")
            ?? Path.Combine(DataDirectory ?? Environment.GetEnvironmentVariable("DOCFLOW__DataDirectory") ?? "data", "docflow.db");
        var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = connection });
        try
        {
            // SQLite migrates itself as `docflow serve` does; PostgreSQL is migrated by `docflow db migrate`.
            if (database.Provider == DatabaseProvider.Sqlite) await database.MigrateAsync(cancellationToken);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }
}

public sealed class KeysCreateSettings : KeysSettings
{
    [CommandOption("-r|--role <ROLE>")]
    [Description("admin, operator, submitter, reader or auditor (docs/security.md).")]
    public string? Role { get; init; }

    [CommandOption("-n|--name <NAME>")]
    [Description("What the key is for (shown in lists).")]
    public string? Name { get; init; }

    [CommandOption("-t|--tenant <TENANT>")]
    [Description("The tenant the key acts for: lower-case letters, digits and '-' (at most 63). Default: default. Admin and operator keys see every tenant.")]
    public string Tenant { get; init; } = Tenants.Default;

    public override ValidationResult Validate() =>
        !Roles.IsKnown(Role) ? ValidationResult.Error($"--role is required: one of {string.Join(", ", Roles.All)}.")
        : !Tenants.IsValid(Tenant) ? ValidationResult.Error($"--tenant '{Tenant}' is not a tenant id: 1 to 63 lower-case letters, digits and '-', starting with a letter or digit.")
        : ValidationResult.Success();
}

public sealed class KeysRevokeSettings : KeysSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The key's id or prefix (dfk_…), as `docflow keys list` shows it.")]
    public string Id { get; init; } = "";
}

/// <summary>docflow keys create: prints the new key once (only its hash is stored).</summary>
public sealed class KeysCreateCommand : AsyncCommand<KeysCreateSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, KeysCreateSettings settings, CancellationToken cancellationToken)
    {
        var (database, store) = await settings.OpenAsync(cancellationToken);
        await using var _ = database;
        var (record, key) = await ApiKeys.CreateAsync(store, settings.Role!, settings.Name, settings.Tenant, DateTimeOffset.UtcNow, cancellationToken);
        await CliAudit.RecordAsync(new EfAuditLog(database), CliAudit.KeysCreate, $"created={record.Id} role={record.Role}", 201, record.Tenant);
        // The key alone on stdout's first line (scripts: KEY=$(docflow keys create … | head -1)); the rest on stderr.
        Console.Out.WriteLine(key);
        await Console.Error.WriteLineAsync($"Created {record.Prefix} ({record.Role}, tenant {record.Tenant}{(record.Name is null ? "" : ", " + record.Name)}). " +
            "This is the only time the key is shown: store it now. Send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.");
        return 0;
    }
}

/// <summary>docflow keys list: prefixes, roles, dates; never keys or hashes.</summary>
public sealed class KeysListCommand : AsyncCommand<KeysSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, KeysSettings settings, CancellationToken cancellationToken)
    {
        var (database, store) = await settings.OpenAsync(cancellationToken);
        await using var _ = database;
        var keys = await store.ListAsync(cancellationToken);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Key").AddColumn("Role").AddColumn("Tenant").AddColumn("Name").AddColumn("Created").AddColumn("Last used").AddColumn("Status");
        foreach (var k in keys)
            table.AddRow(Markup.Escape(k.Prefix), k.Role, Markup.Escape(k.Tenant), Markup.Escape(k.Name ?? ""), k.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                k.LastUsedAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "–",
                k.RevokedAt is { } r ? $"[red]revoked {r.ToString("u", System.Globalization.CultureInfo.InvariantCulture)}[/]" : "[green]active[/]");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{keys.Count(k => k.RevokedAt is null)} active, {keys.Count(k => k.RevokedAt is not null)} revoked");
        return 0;
    }
}

/// <summary>docflow keys revoke ID: the key authenticates nothing from now on.</summary>
public sealed class KeysRevokeCommand : AsyncCommand<KeysRevokeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, KeysRevokeSettings settings, CancellationToken cancellationToken)
    {
        var (database, store) = await settings.OpenAsync(cancellationToken);
        await using var _ = database;
        var id = settings.Id.StartsWith(ApiKeyFormat.Scheme, StringComparison.Ordinal) ? settings.Id[ApiKeyFormat.Scheme.Length..] : settings.Id;
        var tenant = (await store.ListAsync(cancellationToken)).FirstOrDefault(k => k.Id == id)?.Tenant ?? Tenants.Default;
        var revoked = await store.RevokeAsync(id, DateTimeOffset.UtcNow, cancellationToken);
        // Recorded whatever the outcome, as the API records DELETE /api/v1/keys/{id} (204, or 404: no active key).
        await CliAudit.RecordAsync(new EfAuditLog(database), CliAudit.KeysRevoke, $"id={id}", revoked ? 204 : 404, tenant);
        if (!revoked)
            throw new CommandFailedException($"No active key '{settings.Id}' (see docflow keys list).");
        AnsiConsole.MarkupLineInterpolated($"Revoked {ApiKeyFormat.Prefix(id)}.");
        return 0;
    }
}
