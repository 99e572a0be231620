using DocFlow.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DocFlow.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers the EF Core job store on the database named by <c>Database:ConnectionString</c>: one
    /// <see cref="EfJobStore"/> behind its three ports (<see cref="IJobProcessingStore"/> for workers,
    /// <see cref="IJobIntakeStore"/> for ingest, <see cref="IJobMonitoringStore"/> for reads), and
    /// <see cref="IJobPartStore"/> for split jobs.</summary>
    /// <remarks>Also registers <see cref="DocFlowDatabase"/> (for <c>docflow db migrate</c>) and a hosted service that
    /// migrates at start-up when <see cref="DatabaseOptions.MigrateOnStartup"/> is set; register it before the workers.</remarks>
    public static IServiceCollection AddDocFlowData(this IServiceCollection services, Action<DatabaseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName);
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new DocFlowDatabase(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value));
        // Reads follow the tenant scope of the flow of work (set per request by the server; unset for workers: all tenants).
        services.TryAddSingleton<DocFlow.Security.ITenantScope>(DocFlow.Security.AmbientTenantScope.Instance);
        services.TryAddSingleton<EfJobStore>();
        services.TryAddSingleton<IJobProcessingStore>(sp => sp.GetRequiredService<EfJobStore>());
        services.TryAddSingleton<IJobIntakeStore>(sp => sp.GetRequiredService<EfJobStore>());
        services.TryAddSingleton<IJobMonitoringStore>(sp => sp.GetRequiredService<EfJobStore>());
        services.TryAddSingleton<IJobPartStore, EfJobPartStore>();
        services.TryAddSingleton<IBatchReportStore, EfBatchReportStore>();
        services.TryAddSingleton<IBatchOperationStore, EfBatchOperationStore>();
        services.TryAddSingleton<IJobErasureStore, EfErasureStore>();
        services.TryAddSingleton<DocFlow.Security.IApiKeyStore, EfApiKeyStore>();
        services.TryAddSingleton<DocFlow.Webhooks.IWebhookStore>(sp => new EfWebhookStore(
            sp.GetRequiredService<DocFlowDatabase>(), sp.GetRequiredService<DocFlow.Security.ITenantScope>(),
            sp.GetService<DocFlow.Security.Encryption.AtRestEncryption>() ?? DocFlow.Security.Encryption.AtRestEncryption.Off));
        services.TryAddSingleton<DocFlow.Idempotency.IIdempotencyStore, EfIdempotencyStore>();
        services.TryAddSingleton<DocFlow.Security.IAuditLog, EfAuditLog>();
        services.TryAddSingleton<DocFlow.Security.Encryption.IRecordKeyRotation>(sp => new EfRecordKeyRotation(
            sp.GetRequiredService<DocFlowDatabase>(),
            sp.GetService<DocFlow.Security.Encryption.AtRestEncryption>() ?? DocFlow.Security.Encryption.AtRestEncryption.Off));
        services.AddHostedService<MigrateOnStartupService>();
        return services;
    }
}

/// <summary>Applies migrations when the host starts, if configured; the host does not start on a failure.</summary>
internal sealed class MigrateOnStartupService(DocFlowDatabase database, IOptions<DatabaseOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStartup) await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
