using DocFlow.IntegrationTests.Deploy;
using DocFlow.Server.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DocFlow.IntegrationTests.Observability;

/// <summary>
/// /readyz must answer within the kubelet's probe timeout (5 s, deploy/k8s/base/api.yaml) even when every dependency
/// hangs: its checks each time out after <see cref="HealthChecks.Timeout"/> and run concurrently, so the answer takes
/// one timeout, not the sum.
/// </summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task ReadinessChecks_RunConcurrently()
    {
        // Each check waits until every other one has started: run one after another, the first would wait for the
        // second until its timeout and report Unhealthy; run together, all are Healthy.
        var services = new ServiceCollection().AddLogging();
        var builder = services.AddDocFlowHealthChecks();
        var started = new[] { new TaskCompletionSource(), new TaskCompletionSource(), new TaskCompletionSource() };
        for (var i = 0; i < started.Length; i++)
        {
            var mine = started[i];
            builder.AddAsyncCheck($"gated-{i}", async ct =>
            {
                mine.TrySetResult();
                await Task.WhenAll(started.Select(s => s.Task)).WaitAsync(ct);
                return HealthCheckResult.Healthy();
            }, [HealthChecks.Ready], HealthChecks.Timeout);
        }
        await using var provider = services.BuildServiceProvider();
        var report = await provider.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(r => r.Name.StartsWith("gated-", StringComparison.Ordinal));
        Assert.All(report.Entries.Values, e => Assert.Equal(HealthStatus.Healthy, e.Status));
        Assert.Equal(started.Length, report.Entries.Count);
    }

    [Fact]
    public void EveryReadinessCheck_HasATimeout_ThatFitsTheProbe()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDocFlowHealthChecks();
        using var provider = services.BuildServiceProvider();
        var ready = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Where(r => r.Tags.Contains(HealthChecks.Ready)).ToList();
        Assert.Equal(["database", "handoff", "queue", "storage"], ready.Select(r => r.Name).Order());
        var probeTimeout = TimeSpan.FromSeconds(5); // readinessProbe.timeoutSeconds in deploy/k8s/base/api.yaml
        Assert.All(ready, r => Assert.True(r.Timeout > TimeSpan.Zero && r.Timeout < probeTimeout, $"{r.Name} times out after {r.Timeout}."));
        var api = Manifests.Of("dev").Single("Deployment", "docflow-api");
        Assert.Equal("5", api.Map("spec", "template", "spec")!.Maps("containers").Single().Str("readinessProbe", "timeoutSeconds"));
    }
}
