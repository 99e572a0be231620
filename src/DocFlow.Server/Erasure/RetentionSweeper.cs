using DocFlow.Security;
using DocFlow.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Erasure;

/// <summary>
/// Erases documents whose retention period has passed: every <see cref="RetentionOptions.SweepInterval"/>, the jobs that
/// ended more than the tenant's <see cref="RetentionOptions.Days"/> ago and are not under legal hold, each through
/// <see cref="ErasureService"/> (as a DELETE would) and each with its own audit entry (principal <see cref="Principal"/>,
/// action <see cref="Action"/>). Runs in the API role only, never in workers; several API replicas may sweep at once
/// (an erasure is guarded in the store, a document erased twice is simply not found the second time).
/// </summary>
public sealed partial class RetentionSweeper(
    IJobErasureStore store, ErasureService erasure, IAuditLog audit, IOptions<RetentionOptions> options, TimeProvider time,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    public const string Principal = "system:retention";
    public const string Action = "retention-erase";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            Log.Off(logger);
            return;
        }
        using var timer = new PeriodicTimer(settings.SweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Failed(logger, e);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One sweep: erases every expired, unheld document; returns how many.</summary>
    /// <remarks>Each tenant with a period of its own (<c>Retention:Tenants:&lt;t&gt;:Days</c>) is swept with its cut-off;
    /// then every other tenant with <see cref="RetentionOptions.Days"/>, when set.</remarks>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var own = settings.Tenants.Where(t => t.Value.Days is not null).ToDictionary(t => t.Key, t => t.Value.Days!.Value, StringComparer.Ordinal);
        var erased = 0;
        foreach (var (tenant, days) in own)
            erased += await SweepAsync(tenant, [], days, settings.BatchSize, cancellationToken).ConfigureAwait(false);
        if (settings.Days is { } standard)
            erased += await SweepAsync(null, own.Keys, standard, settings.BatchSize, cancellationToken).ConfigureAwait(false);
        return erased;
    }

    private async Task<int> SweepAsync(string? tenant, IReadOnlyCollection<string> exceptTenants, int days, int batchSize, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(days);
        var erased = 0;
        var skipped = new HashSet<string>(StringComparer.Ordinal); // became processing or held meanwhile: next sweep
        while (true)
        {
            var ids = await store.ListExpiredJobsAsync(cutoff, tenant, exceptTenants, batchSize + skipped.Count, cancellationToken).ConfigureAwait(false);
            var todo = ids.Where(id => !skipped.Contains(id)).ToList();
            if (todo.Count == 0) break;
            foreach (var id in todo)
            {
                Storage.Erasure result;
                try
                {
                    result = await erasure.EraseDocumentAsync(id, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Rolled back (blob store or queue unreachable): the others are still swept; this one next time.
                    Log.DocumentFailed(logger, id, e);
                    skipped.Add(id);
                    continue;
                }
                if (result.Outcome != ErasureOutcome.Erased)
                {
                    skipped.Add(id);
                    continue;
                }
                erased++;
                await audit.AppendAsync(new AuditEvent(time.GetUtcNow(), Principal, null, Action, Describe(id, result),
                    StatusCodes.Status204NoContent, null, null) { Tenant = result.Jobs.FirstOrDefault()?.Tenant ?? tenant ?? DocFlow.Security.Tenants.Default },
                    CancellationToken.None).ConfigureAwait(false);
            }
        }
        if (erased > 0) Log.Swept(logger, erased, days);
        return erased;
    }

    private static string Describe(string id, Storage.Erasure result)
    {
        var target = $"id={id} {Api.ErasureApi.Describe(result)}";
        return target.Length <= 512 ? target : target[..512];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Retention: no period configured (Retention:Days), the sweeper is off")]
        public static partial void Off(ILogger logger);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Information, Message = "Retention: erased {Count} document(s) older than {Days} days")]
        public static partial void Swept(ILogger logger, int count, int days);

        [LoggerMessage(EventId = 1113, Level = LogLevel.Error, Message = "Retention sweep failed; trying again at the next interval")]
        public static partial void Failed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1114, Level = LogLevel.Error, Message = "Retention: document {JobId} could not be erased; trying again at the next sweep")]
        public static partial void DocumentFailed(ILogger logger, string jobId, Exception exception);
    }
}

/// <summary>Registration of erasure and retention (API role only).</summary>
public static class ErasureServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddDocFlowErasure(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.SweepInterval > TimeSpan.Zero, "Retention:SweepInterval must be positive.")
            .Validate(o => o.Tenants.Values.All(t => t.Days is null or >= 1), "Retention:Tenants:<tenant>:Days must be at least 1.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ErasureService>();
        builder.Services.AddHostedService<RetentionSweeper>();
        return builder;
    }
}
