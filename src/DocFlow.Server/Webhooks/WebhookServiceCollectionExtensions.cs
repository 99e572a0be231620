using DocFlow.Processing;
using DocFlow.Queueing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>Webhooks in every role that ends jobs or delivers them: options (section <c>Webhooks</c>), the guarded
    /// client, the emitter <see cref="BatchCompletion"/> tells, the delivery handler and the webhook route's retry budget.
    /// Safe to call more than once.</summary>
    public static IHostApplicationBuilder AddDocFlowWebhooks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(s => s.ServiceType == typeof(WebhookEmitter))) return builder;
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.BaseDelay > TimeSpan.Zero && o.MaxDelay >= o.BaseDelay && o.Timeout > TimeSpan.Zero,
                "Webhooks needs BaseDelay > 0, MaxDelay >= BaseDelay and Timeout > 0.")
            .Validate(o => o.AllowedNetworks.All(n => DocFlow.Webhooks.IpNetwork.TryParse(n.Trim(), out _) || System.Net.IPAddress.TryParse(n.Trim(), out _)),
                "Webhooks:AllowedNetworks holds something that is not an address or a network (CIDR, e.g. 10.1.0.0/16).")
            .ValidateOnStart();
        services.AddOptions<RetryOptions>().PostConfigure<IOptions<WebhookOptions>>((retry, webhooks) =>
            retry.PerRoute[JobRoute.Webhook] = new RetryOptions
            {
                MaxAttempts = webhooks.Value.MaxAttempts, MaxDeliveries = retry.MaxDeliveries,
                BaseDelay = webhooks.Value.BaseDelay, MaxDelay = webhooks.Value.MaxDelay,
            });
        services.TryAddSingleton<WebhookResolver>();
        services.TryAddSingleton<WebhookClient>();
        services.TryAddSingleton<WebhookTargets>();
        services.TryAddSingleton<WebhookEmitter>();
        services.TryAddSingleton<IJobEndObserver>(sp => sp.GetRequiredService<WebhookEmitter>());
        services.TryAddSingleton<WebhookDeliveryHandler>();
        return builder;
    }

    /// <summary>Recovery of pending deliveries at start-up (the ingest role, like the queue hand-off).</summary>
    public static IHostApplicationBuilder AddDocFlowWebhookRecovery(this IHostApplicationBuilder builder, bool distributed)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDocFlowWebhooks();
        builder.Services.AddHostedService(sp => new WebhookRecovery(sp.GetRequiredService<DocFlow.Webhooks.IWebhookStore>(),
            sp.GetRequiredService<IJobQueue>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookRecovery>>())
        {
            OverdueAfter = distributed ? TimeSpan.FromMinutes(10) : null,
        });
        return builder;
    }
}
