using DocFlow.Queueing;
using DocFlow.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DocFlow.Redis;

public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// The Redis adapter: one connection to <paramref name="configuration"/>, the Redis Streams queue behind
    /// <see cref="IJobQueue"/> and <see cref="IDeadLetterStore"/>, and the worker registry (<see cref="IWorkerRegistry"/>)
    /// beside it. Options from the <c>Queue:Redis</c> section (<see cref="RedisQueueOptions"/>) and
    /// <c>Workers:Registry</c> (<see cref="WorkerRegistryOptions"/>). Every role uses it: the API enqueues and reads
    /// statistics, workers fetch and heartbeat.
    /// </summary>
    /// <param name="configuration">HOST:PORT, a redis:// or rediss:// URL, or a StackExchange.Redis configuration string (<see cref="RedisConnection"/>). The connection is made
    /// when first needed and retried in the background (a Redis that is down does not stop the host).</param>
    public static IServiceCollection AddDocFlowRedis(this IServiceCollection services, string configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        services.AddOptions<RedisQueueOptions>().BindConfiguration(RedisQueueOptions.SectionName);
        services.AddOptions<WorkerRegistryOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var queue = sp.GetRequiredService<IOptions<RedisQueueOptions>>().Value;
            var config = RedisConnection.Parse(configuration, queue.Password, queue.CaCertificate);
            config.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(config);
        });
        services.TryAddSingleton(sp => new RedisJobQueue(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<IOptions<RedisQueueOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<RedisJobQueue>>()));
        services.TryAddSingleton<IJobQueue>(sp => sp.GetRequiredService<RedisJobQueue>());
        services.TryAddSingleton<IDeadLetterStore>(sp => sp.GetRequiredService<RedisJobQueue>());
        services.TryAddSingleton<IQueueErasure>(sp => sp.GetRequiredService<RedisJobQueue>());
        services.TryAddSingleton(sp => new RedisQueueGeneration(
            sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<IOptions<RedisQueueOptions>>().Value.KeyPrefix));
        services.TryAddSingleton<IWorkerRegistry>(sp => new RedisWorkerRegistry(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<IOptions<RedisQueueOptions>>().Value.KeyPrefix,
            sp.GetRequiredService<IOptions<WorkerRegistryOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<Sandbox.IEngineCrashLedger>(sp => new RedisEngineCrashLedger(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<IOptions<RedisQueueOptions>>().Value.KeyPrefix));
        return services;
    }
}
