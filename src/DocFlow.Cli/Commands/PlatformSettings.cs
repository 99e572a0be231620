using System.ComponentModel;
using Spectre.Console.Cli;

namespace DocFlow.Cli.Commands;

/// <summary>Where the platform's parts are; each flag is also a configuration key (appsettings.json, DOCFLOW__…).</summary>
public class PlatformSettings : CommandSettings
{
    [CommandOption("--redis <HOST:PORT>")]
    [Description("Redis for the distributed queue (HOST:PORT or a StackExchange.Redis configuration string). Key: Redis.")]
    public string? Redis { get; init; }

    [CommandOption("--database <CONNECTION>")]
    [Description("An Npgsql connection string, or a SQLite file path. Key: Database:ConnectionString. Default: data/docflow.db.")]
    public string? Database { get; init; }

    [CommandOption("--storage <DIR|S3>")]
    [Description("Blob storage: a folder, or s3://bucket/prefix. Key: Storage. Default: data/blobs.")]
    public string? Storage { get; init; }

    [CommandOption("-l|--lang <LANGS>")]
    [Description("Tesseract languages, e.g. eng or eng+deu. Key: Engine:Languages.")]
    public string? Lang { get; init; }

    /// <summary>The flags given, as configuration keys (flags win over files and environment).</summary>
    public virtual IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        if (Redis is not null) yield return new("Redis", Redis);
        if (Database is not null) yield return new("Database:ConnectionString", Database);
        if (Storage is not null) yield return new("Storage", Storage);
        if (Lang is not null) yield return new("Engine:Languages", Lang);
    }
}
