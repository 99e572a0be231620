using System.ComponentModel;
using DocFlow.Blobs;
using DocFlow.Cli.Batch;
using DocFlow.Data;
using DocFlow.Security.Encryption;
using DocFlow.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

public sealed class KeysRotateSettings : CommandSettings
{
    [CommandOption("--to <KEY-ID>")]
    [Description("The encryption key that wraps every data key afterwards (configured beside the old ones: Encryption:Keys:<id> or Encryption:KeyFiles).")]
    public string? To { get; init; }

    [CommandOption("--seal-plaintext")]
    [Description("Also seal objects stored before encryption was on (content re-encrypted; blob keys unchanged).")]
    public bool SealPlaintext { get; init; }

    [CommandOption("--database <CONNECTION>")]
    [Description("An Npgsql connection string, or a SQLite file path (the server's). Key: Database:ConnectionString. Default: DATA/docflow.db.")]
    public string? Database { get; init; }

    [CommandOption("--storage <DIR|S3>")]
    [Description("The server's blob storage: a folder, or s3://bucket/prefix. Key: Storage. Default: DATA/blobs.")]
    public string? Storage { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("The server's data folder (default SQLite file and blob folder). Key: DataDirectory. Default: data.")]
    public string? DataDirectory { get; init; }

    public override ValidationResult Validate() => KeyRing.IsValidId(To)
        ? ValidationResult.Success()
        : ValidationResult.Error("--to is required: the id of the key to rotate to (1 to 64 of A-Z a-z 0-9 . _ -).");

    public IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        yield return new("Encryption:ActiveKeyId", To);
        if (Database is not null) yield return new("Database:ConnectionString", Database);
        if (Storage is not null) yield return new("Storage", Storage);
        if (DataDirectory is not null) yield return new("DataDirectory", DataDirectory);
        // Never touch Redis (a rotation has nothing to do there) and stay quiet: the summary is the output.
        yield return new("Redis", null);
        yield return new("Logging:LogLevel:Default", "Warning");
    }
}

/// <summary>
/// docflow keys rotate --to ID: rewraps every sealed object's data key (blobs in the folder or bucket, results and
/// part layouts in the database) under the key ID, rewriting headers only. Objects already under ID are skipped, so
/// a run that stopped half way is finished by running it again; plaintext objects are counted and left, or sealed
/// with --seal-plaintext (turning encryption on for an existing installation).
/// </summary>
public sealed class KeysRotateCommand : AsyncCommand<KeysRotateSettings>
{
    private const int ShownErrors = 5;

    public override async Task<int> ExecuteAsync(CommandContext context, KeysRotateSettings settings, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = DocFlowServer.HostArgs });
        DocFlowServer.Configure(builder.Configuration, settings.ToConfiguration());
        builder.AddDocFlowCore();
        using var host = builder.Build();

        AtRestEncryption encryption;
        try
        {
            encryption = host.Services.GetRequiredService<AtRestEncryption>();
        }
        catch (EncryptionConfigurationException e)
        {
            throw new CommandFailedException(e.Message);
        }
        var database = host.Services.GetRequiredService<DocFlowDatabase>();
        if (database.Provider == DatabaseProvider.Sqlite) await database.MigrateAsync(cancellationToken);

        var errors = new List<string>();
        var blobs = RewrapCounts.Zero;
        if (host.Services.GetRequiredService<IBlobStore>() is IBlobKeyRotation store)
        {
            await foreach (var key in store.ListKeysAsync(cancellationToken))
            {
                try
                {
                    blobs = blobs.Add(await store.RewrapAsync(key, settings.SealPlaintext, cancellationToken));
                }
                catch (Exception e) when (e is SealedDataException or IOException)
                {
                    errors.Add(e.Message);
                }
            }
        }
        RewrapCounts records;
        try
        {
            records = await host.Services.GetRequiredService<IRecordKeyRotation>().RewrapAllAsync(settings.SealPlaintext, cancellationToken);
        }
        catch (SealedDataException e)
        {
            errors.Add(e.Message);
            records = RewrapCounts.Zero;
        }

        await CliAudit.RecordAsync(host.Services.GetRequiredService<DocFlow.Security.IAuditLog>(), CliAudit.KeysRotate,
            $"to={settings.To} blobs_rewrapped={blobs.Rewrapped} blobs_sealed={blobs.Sealed} records_rewrapped={records.Rewrapped} records_sealed={records.Sealed} failed={errors.Count}",
            errors.Count == 0 ? 200 : 500);

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Objects").AddColumn("Rewrapped").AddColumn("Already under " + Markup.Escape(settings.To!)).AddColumn("Sealed (were plaintext)").AddColumn("Plaintext (left)");
        table.AddRow("blobs", blobs.Rewrapped.ToString(), blobs.AlreadyCurrent.ToString(), blobs.Sealed.ToString(), blobs.Plaintext.ToString());
        table.AddRow("results and layouts", records.Rewrapped.ToString(), records.AlreadyCurrent.ToString(), records.Sealed.ToString(), records.Plaintext.ToString());
        AnsiConsole.Write(table);
        // One parseable line for scripts and tests.
        Console.Out.WriteLine($"rotated to {settings.To}: blobs {blobs.Rewrapped} rewrapped, {blobs.AlreadyCurrent} current, {blobs.Sealed} sealed, {blobs.Plaintext} plaintext; " +
            $"records {records.Rewrapped} rewrapped, {records.AlreadyCurrent} current, {records.Sealed} sealed, {records.Plaintext} plaintext; {errors.Count} failed");
        foreach (var error in errors.Take(ShownErrors)) AnsiConsole.MarkupLineInterpolated($"[red]failed:[/] {error}");
        if (errors.Count > ShownErrors) AnsiConsole.MarkupLineInterpolated($"… and {errors.Count - ShownErrors} more");
        if (errors.Count > 0)
        {
            await Console.Error.WriteLineAsync("Some objects were not rewrapped: keep every old key configured, fix the cause and run `docflow keys rotate` again (finished objects are skipped).");
            return 1;
        }
        return 0;
    }
}
