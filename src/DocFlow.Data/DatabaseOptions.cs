using System.ComponentModel.DataAnnotations;
using System.Data.Common;

namespace DocFlow.Data;

/// <summary>Which database the store runs on, detected from the connection string.</summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Where the job store lives. Section <c>Database</c> (<c>DOCFLOW__Database__ConnectionString</c>).</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string SectionName = "Database";

    /// <summary>An Npgsql connection string (<c>Host=db;Database=docflow;Username=...</c>) or a SQLite file
    /// (<c>docflow.db</c>, <c>Data Source=/data/docflow.db</c>).</summary>
    /// <value>Default <c>docflow.db</c>: a SQLite file in the working directory (embedded mode).</value>
    [Required]
    public string ConnectionString { get; set; } = "docflow.db";

    /// <summary>Apply pending migrations when the host starts.</summary>
    /// <value>Default false: run <c>docflow db migrate</c> once per release (a Kubernetes Job, a deploy step).</value>
    public bool MigrateOnStartup { get; set; }

    /// <summary>Seconds a single SQL command may take.</summary>
    /// <value>Default 30.</value>
    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>Most PostgreSQL connections this process keeps open (Npgsql's <c>Maximum Pool Size</c>), overriding the
    /// connection string's. Size it per role: a worker with one slot needs a few, the API more; the sum over every pod
    /// must stay under the server's <c>max_connections</c> (docs/operations.md, "Connection pools").</summary>
    /// <value>Default null: the connection string's, else Npgsql's 100.</value>
    [Range(1, 1000)]
    public int? MaxPoolSize { get; set; }

    /// <summary>The provider the connection string names.</summary>
    /// <exception cref="ArgumentException">It names neither.</exception>
    public DatabaseProvider Provider => Detect(ConnectionString);

    /// <summary>PostgreSQL when the string has a Host/Server key; SQLite when it has Data Source/Filename or is a bare path.</summary>
    public static DatabaseProvider Detect(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var value = connectionString.Trim();
        if (!value.Contains('='))
        {
            // A bare path: docflow.db, /data/docflow.sqlite
            return LooksLikeSqliteFile(value) ? DatabaseProvider.Sqlite : throw Unknown();
        }

        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = value;
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Database:ConnectionString is not a valid connection string: {e.Message}", nameof(connectionString), e);
        }

        if (builder.ContainsKey("Host") || builder.ContainsKey("Server")) return DatabaseProvider.Postgres;
        if (builder.ContainsKey("Data Source") || builder.ContainsKey("DataSource") || builder.ContainsKey("Filename"))
            return DatabaseProvider.Sqlite;
        throw Unknown();

        static ArgumentException Unknown() => new(
            "Database:ConnectionString names no database: use an Npgsql connection string (Host=...;Database=...) " +
            "or a SQLite file (docflow.db or Data Source=path.db).", nameof(connectionString));
    }

    /// <summary>The SQLite connection string for a bare path, or the string as given.</summary>
    internal static string SqliteConnectionString(string connectionString) =>
        connectionString.Contains('=') ? connectionString : $"Data Source={connectionString.Trim()}";

    private static bool LooksLikeSqliteFile(string path) =>
        path.EndsWith(".db", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".sqlite", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".sqlite3", StringComparison.OrdinalIgnoreCase);

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        string? error = null;
        try
        {
            _ = Detect(ConnectionString);
        }
        catch (ArgumentException e)
        {
            error = e.Message;
        }
        if (error is not null) yield return new ValidationResult(error, [nameof(ConnectionString)]);
    }
}
