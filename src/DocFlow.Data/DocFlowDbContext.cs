using DocFlow.Processing;
using System.Text;
using DocFlow.Data.Entities;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace DocFlow.Data;

/// <summary>The store's model, shared by both providers.</summary>
/// <remarks>
/// Each provider has its own subclass (<see cref="PostgresDocFlowDbContext"/>, <see cref="SqliteDocFlowDbContext"/>)
/// so each gets its own migrations (Migrations/Postgres, Migrations/Sqlite) with its own column types.
/// </remarks>
public abstract class DocFlowDbContext(DbContextOptions options) : DbContext(options)
{
    internal const string ResultsTable = "job_results";

    /// <summary>INSERT ... ON CONFLICT (job_id) DO UPDATE for job_results; {0} job id, {1} JSON, {2} saved at. The row's
    /// tenant is read from its job's row in the same statement, never passed in.</summary>
    internal abstract string UpsertResultSql { get; }

    /// <summary>The value a timestamp has in SQL parameters of hand-written statements.</summary>
    internal abstract object ToDbTime(DateTimeOffset value);

    /// <summary>The statement prefix that asks the planner for its plan (tests check index use with it).</summary>
    internal abstract string ExplainPrefix { get; }

    /// <summary>The tenant whose batches and jobs this context sees (global query filters); null: every tenant.
    /// Set by <see cref="EfJobStore"/> from its <see cref="DocFlow.Security.ITenantScope"/> for each unit of work.</summary>
    internal string? TenantFilter { get; set; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var status = new ValueConverter<JobStatus, string>(v => WireNames.Status(v), v => WireNames.ParseStatus(v));
        var route = new ValueConverter<JobRoute, string>(v => WireNames.Route(v), v => WireNames.ParseRoute(v));
        var priority = new ValueConverter<JobPriority, string>(v => WireNames.Priority(v), v => WireNames.ParsePriority(v));

        modelBuilder.Entity<BatchEntity>(b =>
        {
            b.ToTable("batches");
            b.HasKey(x => x.Id);
            b.Property(x => x.Id).HasMaxLength(64);
            b.Property(x => x.Tenant).HasMaxLength(63).HasDefaultValue(DocFlow.Security.Tenants.Default);
            b.HasIndex(x => x.CreatedAt);
            // A tenant's batch list (keyset on created_at, id).
            b.HasIndex(x => new { x.Tenant, x.CreatedAt, x.Id });
            // Tenant isolation in the store (DESIGN.md §7): a scoped context never sees another tenant's batch.
            b.HasQueryFilter(x => TenantFilter == null || x.Tenant == TenantFilter);
        });

        modelBuilder.Entity<JobEntity>(j =>
        {
            j.ToTable("jobs");
            j.HasKey(x => x.Id);
            j.Property(x => x.Id).HasMaxLength(64);
            j.Property(x => x.BatchId).HasMaxLength(64);
            j.Property(x => x.Tenant).HasMaxLength(63).HasDefaultValue(DocFlow.Security.Tenants.Default);
            j.Property(x => x.FileName).HasMaxLength(1024);
            j.Property(x => x.BlobKey).HasMaxLength(1024);
            j.Property(x => x.Sha256).HasMaxLength(64);
            j.Property(x => x.OptionsKey).HasMaxLength(128);
            j.Property(x => x.MimeType).HasMaxLength(128);
            j.Property(x => x.PageSelection).HasMaxLength(PageSelection.MaxLength);
            j.Property(x => x.Route).HasConversion(route).HasMaxLength(16);
            j.Property(x => x.Priority).HasConversion(priority).HasMaxLength(16);
            j.Property(x => x.Status).HasConversion(status).HasMaxLength(16);
            j.Property(x => x.EnginePath).HasMaxLength(16);
            j.Property(x => x.Engine).HasMaxLength(64);
            j.Property(x => x.DocumentType).HasMaxLength(32);
            j.Property(x => x.ErrorCode).HasMaxLength(64);
            j.HasOne<BatchEntity>().WithMany().HasForeignKey(x => x.BatchId).OnDelete(DeleteBehavior.Cascade);
            // A batch's documents in submission order (GET /batches/{id}/documents, keyset on ordinal).
            j.HasIndex(x => new { x.BatchId, x.Ordinal }).IsUnique();
            // Batch counts per status without touching the rows.
            j.HasIndex(x => new { x.BatchId, x.Status });
            // Recovery (queued jobs oldest first) and the dashboard's filtered lists.
            j.HasIndex(x => new { x.Status, x.CreatedAt, x.Id });
            // The dashboard's recent jobs.
            j.HasIndex(x => new { x.CreatedAt, x.Id });
            // The dashboard's throughput and latency over the last hour (a range on finished_at).
            j.HasIndex(x => x.FinishedAt);
            // Dedup: a succeeded job of the same tenant with the same content and options.
            j.HasIndex(x => new { x.Tenant, x.Sha256, x.OptionsKey }).HasFilter("status = 'succeeded'");
            // A tenant's recent jobs (keyset on created_at, id), and its documents of the day (quota).
            j.HasIndex(x => new { x.Tenant, x.CreatedAt, x.Id });
            // A tenant's active jobs (quota).
            j.HasIndex(x => new { x.Tenant, x.Status });
            j.HasQueryFilter(x => TenantFilter == null || x.Tenant == TenantFilter);
        });

        modelBuilder.Entity<JobStatusChangeEntity>(h =>
        {
            h.ToTable("job_status_changes");
            h.HasKey(x => x.Id);
            h.Property(x => x.JobId).HasMaxLength(64);
            h.Property(x => x.Status).HasConversion(status).HasMaxLength(16);
            h.HasOne<JobEntity>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
            h.HasIndex(x => new { x.JobId, x.Id });
        });

        modelBuilder.Entity<JobResultEntity>(r =>
        {
            r.ToTable(ResultsTable);
            r.HasKey(x => x.JobId);
            r.Property(x => x.JobId).HasMaxLength(64);
            r.HasOne<JobEntity>().WithOne().HasForeignKey<JobResultEntity>(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
            // The job's tenant, copied from its row by UpsertResultSql (jobs never change tenant): the result read filters
            // on its own row, the same statement scoped or not (docs/benchmarks.md, "Authentication and audit cost").
            r.Property(x => x.Tenant).HasMaxLength(63).HasDefaultValue(DocFlow.Security.Tenants.Default);
            r.HasQueryFilter(x => TenantFilter == null || x.Tenant == TenantFilter);
        });

        modelBuilder.Entity<JobSplitEntity>(x =>
        {
            x.ToTable("job_splits");
            x.HasKey(e => e.JobId);
            x.Property(e => e.JobId).HasMaxLength(64);
            x.HasOne<JobEntity>().WithOne().HasForeignKey<JobSplitEntity>(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<JobPartEntity>(x =>
        {
            x.ToTable("job_parts");
            x.HasKey(e => new { e.JobId, e.PartIndex });
            x.Property(e => e.JobId).HasMaxLength(64);
            x.Property(e => e.MimeType).HasMaxLength(128);
            x.Property(e => e.ProcessedBy).HasMaxLength(256);
            x.HasOne<JobSplitEntity>().WithMany().HasForeignKey(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<BatchReportEntity>(x =>
        {
            x.ToTable("batch_reports");
            x.HasKey(e => e.BatchId);
            x.Property(e => e.BatchId).HasMaxLength(64);
            x.Property(e => e.Error).HasMaxLength(2000);
            x.HasOne<BatchEntity>().WithOne().HasForeignKey<BatchReportEntity>(e => e.BatchId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<BatchOperationEntity>(x =>
        {
            x.ToTable("batch_operations");
            x.HasKey(e => e.BatchId);
            x.Property(e => e.BatchId).HasMaxLength(64);
            x.Property(e => e.Tenant).HasMaxLength(63);
            x.Property(e => e.ProcessorType).HasMaxLength(64);
            x.Property(e => e.OutputPrefix).HasMaxLength(1024);
            x.Property(e => e.FieldMask).HasMaxLength(2000);
            x.Property(e => e.RequestKey).HasMaxLength(64);
            x.HasIndex(e => e.RequestKey);
            x.HasOne<BatchEntity>().WithOne().HasForeignKey<BatchOperationEntity>(e => e.BatchId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ApiKeyEntity>(x =>
        {
            x.ToTable("api_keys");
            x.HasKey(e => e.Id);
            x.Property(e => e.Id).HasMaxLength(32);
            x.Property(e => e.Name).HasMaxLength(200);
            x.Property(e => e.Role).HasMaxLength(16);
            x.Property(e => e.Tenant).HasMaxLength(63).HasDefaultValue(DocFlow.Security.Tenants.Default);
            x.Property(e => e.KeyHash).HasMaxLength(64);
        });

        modelBuilder.Entity<AuditEntryEntity>(x =>
        {
            x.ToTable("audit_log");
            x.HasKey(e => e.Sequence);
            // The sequence is the chain's order, assigned by the appender under the lock, never by the database.
            x.Property(e => e.Sequence).ValueGeneratedNever();
            x.Property(e => e.Principal).HasMaxLength(256);
            x.Property(e => e.Role).HasMaxLength(16);
            x.Property(e => e.Tenant).HasMaxLength(63).HasDefaultValue(DocFlow.Security.Tenants.Default);
            x.Property(e => e.Action).HasMaxLength(128);
            x.Property(e => e.Target).HasMaxLength(512);
            x.Property(e => e.ClientAddress).HasMaxLength(64);
            x.Property(e => e.RequestId).HasMaxLength(128);
            x.Property(e => e.PreviousHash).HasMaxLength(64);
            x.Property(e => e.Hash).HasMaxLength(64);
            x.HasIndex(e => e.At);
            x.HasIndex(e => new { e.Tenant, e.Sequence });
        });

        modelBuilder.Entity<WebhookSubscriptionEntity>(x =>
        {
            x.ToTable("webhook_subscriptions");
            x.HasKey(e => e.BatchId);
            x.Property(e => e.BatchId).HasMaxLength(64);
            x.Property(e => e.Tenant).HasMaxLength(63).HasDefaultValue(DocFlow.Security.Tenants.Default);
            x.Property(e => e.Url).HasMaxLength(2048);
            x.Property(e => e.Source).HasMaxLength(16);
            x.HasOne<BatchEntity>().WithOne().HasForeignKey<WebhookSubscriptionEntity>(e => e.BatchId).OnDelete(DeleteBehavior.Cascade);
            x.HasQueryFilter(e => TenantFilter == null || e.Tenant == TenantFilter);
        });

        modelBuilder.Entity<WebhookDeliveryEntity>(x =>
        {
            x.ToTable("webhook_deliveries");
            x.HasKey(e => e.Id);
            x.Property(e => e.Id).HasMaxLength(64);
            x.Property(e => e.EventKey).HasMaxLength(128);
            x.Property(e => e.BatchId).HasMaxLength(64);
            x.Property(e => e.Tenant).HasMaxLength(63).HasDefaultValue(DocFlow.Security.Tenants.Default);
            x.Property(e => e.Type).HasMaxLength(32);
            x.Property(e => e.Url).HasMaxLength(2048);
            x.Property(e => e.Status).HasMaxLength(16);
            x.Property(e => e.LastError).HasMaxLength(1000);
            x.HasOne<BatchEntity>().WithMany().HasForeignKey(e => e.BatchId).OnDelete(DeleteBehavior.Cascade);
            // One delivery per event, however many workers see it end (document.succeeded of d_1, batch.completed of b_1).
            x.HasIndex(e => e.EventKey).IsUnique();
            x.HasIndex(e => new { e.BatchId, e.CreatedAt });
            // Recovery (pending, oldest first) and the dashboard's recent list.
            x.HasIndex(e => new { e.Status, e.CreatedAt });
            x.HasIndex(e => new { e.Tenant, e.CreatedAt });
            x.HasQueryFilter(e => TenantFilter == null || e.Tenant == TenantFilter);
        });

        modelBuilder.Entity<WebhookAttemptEntity>(x =>
        {
            x.ToTable("webhook_attempts");
            x.HasKey(e => e.Id);
            x.Property(e => e.DeliveryId).HasMaxLength(64);
            x.Property(e => e.Error).HasMaxLength(1000);
            x.HasOne<WebhookDeliveryEntity>().WithMany().HasForeignKey(e => e.DeliveryId).OnDelete(DeleteBehavior.Cascade);
            x.HasIndex(e => new { e.DeliveryId, e.Number });
        });

        modelBuilder.Entity<IdempotencyKeyEntity>(x =>
        {
            x.ToTable("idempotency_keys");
            x.HasKey(e => new { e.Scope, e.Key });
            x.Property(e => e.Scope).HasMaxLength(384);
            x.Property(e => e.Key).HasMaxLength(255);
            x.Property(e => e.RequestHash).HasMaxLength(64);
            x.Property(e => e.ContentType).HasMaxLength(128);
            x.Property(e => e.Location).HasMaxLength(1024);
            x.HasIndex(e => e.ExpiresAt);
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(SnakeCase(property.Name));
    }

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}

/// <summary>PostgreSQL: timestamps are timestamptz, the Document is jsonb.</summary>
public sealed class PostgresDocFlowDbContext(DbContextOptions<PostgresDocFlowDbContext> options) : DocFlowDbContext(options)
{
    internal override string UpsertResultSql =>
        "INSERT INTO job_results (job_id, tenant, document, saved_at) VALUES ({0}, (SELECT tenant FROM jobs WHERE id = {0}), CAST({1} AS jsonb), {2}) " +
        "ON CONFLICT (job_id) DO UPDATE SET tenant = excluded.tenant, document = excluded.document, saved_at = excluded.saved_at";

    internal override object ToDbTime(DateTimeOffset value) => value.ToUniversalTime();

    internal override string ExplainPrefix => "EXPLAIN ";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<JobResultEntity>().Property(x => x.Document).HasColumnType("jsonb");
    }
}

/// <summary>SQLite: timestamps are integers (microseconds since the Unix epoch, UTC), so they sort and compare in SQL; the Document is TEXT.</summary>
public sealed class SqliteDocFlowDbContext(DbContextOptions<SqliteDocFlowDbContext> options) : DocFlowDbContext(options)
{
    internal override string UpsertResultSql =>
        "INSERT INTO job_results (job_id, tenant, document, saved_at) VALUES ({0}, (SELECT tenant FROM jobs WHERE id = {0}), {1}, {2}) " +
        "ON CONFLICT (job_id) DO UPDATE SET tenant = excluded.tenant, document = excluded.document, saved_at = excluded.saved_at";

    internal override object ToDbTime(DateTimeOffset value) => UnixMicrosConverter.ToMicros(value);

    internal override string ExplainPrefix => "EXPLAIN QUERY PLAN ";

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type; EF cannot ORDER BY or compare DateTimeOffset stored as TEXT.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMicrosConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UnixMicrosConverter>();
    }
}

internal sealed class UnixMicrosConverter() : ValueConverter<DateTimeOffset, long>(v => ToMicros(v), v => FromMicros(v))
{
    internal static long ToMicros(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    internal static DateTimeOffset FromMicros(long value) => new(DateTimeOffset.UnixEpoch.UtcTicks + value * 10, TimeSpan.Zero);
}

internal static class WireNames
{
    public static string Status(JobStatus s) => s.ToWireName();

    public static JobStatus ParseStatus(string s) =>
        WireName.TryParse<JobStatus>(s, out var status) ? status : throw new InvalidOperationException($"Unknown job status '{s}' in the database.");

    public static string Route(JobRoute r) => r.ToWireName();

    public static JobRoute ParseRoute(string s) =>
        WireName.TryParse<JobRoute>(s, out var route) ? route : throw new InvalidOperationException($"Unknown route '{s}' in the database.");

    public static string Priority(JobPriority p) => p.ToWireName();

    public static JobPriority ParsePriority(string s) =>
        WireName.TryParse<JobPriority>(s, out var priority) ? priority : throw new InvalidOperationException($"Unknown priority '{s}' in the database.");
}
