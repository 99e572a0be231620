using System.Globalization;
using DocFlow.Cli.Commands;
using DocFlow.Queueing;
using DocFlow.Redis;
using YamlDotNet.RepresentationModel;

namespace DocFlow.IntegrationTests.Deploy;

/// <summary>
/// Renders deploy/k8s/overlays/{dev,prod} with <c>kubectl kustomize</c> and checks what a review would: resources,
/// probes and non-root containers everywhere, KEDA triggers on the very streams the queue code uses, and
/// termination grace that covers the worker's own.
/// </summary>
public sealed class KubernetesManifestsTests
{
    /// <summary>`docflow worker` lets the host wait grace + 10 s before giving up (WorkerCommand's ShutdownTimeout).</summary>
    private const int HostShutdownMargin = 10;

    /// <summary>Pod annotation that must say why a container has no liveness/readiness probe.</summary>
    private const string ProbeExemption = "docflow.io/probe-exemption";

    public static TheoryData<string> Overlays => ["dev", "prod"];

    [Theory, MemberData(nameof(Overlays))]
    public void EveryContainer_HasRequestsAndLimits(string overlay)
    {
        foreach (var (name, container) in Containers(overlay))
            foreach (var section in new[] { "requests", "limits" })
                foreach (var resource in new[] { "cpu", "memory" })
                    Assert.False(string.IsNullOrEmpty(container.Str("resources", section, resource)),
                        $"{overlay}: {name} has no resources.{section}.{resource}.");
    }

    [Theory, MemberData(nameof(Overlays))]
    public void EveryContainer_HasProbes_OrADocumentedExemption(string overlay)
    {
        foreach (var (name, _, template) in Manifests.Of(overlay).Workloads())
        {
            var exemption = template.Str("metadata", "annotations", ProbeExemption);
            foreach (var container in template.Maps("spec", "containers"))
            {
                if (!string.IsNullOrWhiteSpace(exemption)) continue;
                Assert.True(container.Node("livenessProbe") is not null,
                    $"{overlay}: {name}/{container.Str("name")} has no livenessProbe and no {ProbeExemption} annotation.");
                Assert.True(container.Node("readinessProbe") is not null,
                    $"{overlay}: {name}/{container.Str("name")} has no readinessProbe and no {ProbeExemption} annotation.");
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void EveryContainer_RunsAsNonRoot_WithoutPrivilegeEscalation_OnAReadOnlyRoot(string overlay)
    {
        foreach (var (name, _, template) in Manifests.Of(overlay).Workloads())
        {
            var pod = template.Map("spec", "securityContext");
            foreach (var container in template.Maps("spec", "containers").Concat(template.Maps("spec", "initContainers")))
            {
                var id = $"{overlay}: {name}/{container.Str("name")}";
                var own = container.Map("securityContext");
                Assert.Equal("true", own.Str("runAsNonRoot") ?? pod.Str("runAsNonRoot"));
                var uid = own.Str("runAsUser") ?? pod.Str("runAsUser");
                Assert.True(uid is not null && int.Parse(uid, CultureInfo.InvariantCulture) > 0, $"{id} runs as uid {uid ?? "(image default)"}.");
                Assert.True(own.Str("allowPrivilegeEscalation") == "false", $"{id} may escalate privileges.");
                Assert.True(own.Str("readOnlyRootFilesystem") == "true", $"{id} has a writable root filesystem.");
                Assert.Contains("ALL", own.Strings("capabilities", "drop"));
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void DocFlowContainers_HaveAWritableTmp_AndTheImageUid(string overlay)
    {
        foreach (var (name, container) in DocFlowContainers(overlay))
        {
            Assert.True(container.Maps("volumeMounts").Any(m => m.Str("mountPath") == "/tmp"),
                $"{overlay}: {name} mounts no /tmp, but its root filesystem is read-only (pdftoppm and uploads need /tmp).");
        }
        foreach (var (name, _, template) in Manifests.Of(overlay).Workloads().Where(w => IsDocFlow(w.PodTemplate)))
            Assert.True(template.Str("spec", "securityContext", "runAsUser") == "10001", $"{overlay}: {name} is not uid 10001, the image's user.");
    }

    [Theory, MemberData(nameof(Overlays))]
    public void WorkerScaledObjects_TriggerOnBothStreamsOfTheirRoute_AsRedisKeysNamesThem(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var config = manifests.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("docflow-config", StringComparison.Ordinal));
        var keys = new RedisKeys(config.Str("data", "DOCFLOW__Queue__Redis__KeyPrefix") ?? new RedisQueueOptions().KeyPrefix);
        var workers = WorkerDeployments(manifests).ToList();
        Assert.Equal(JobRoutes.All.Select(r => r.ToWireName()).Order(), workers.Select(w => w.Route).Order());

        foreach (var (deployment, route, container) in workers)
        {
            var name = deployment.Str("metadata", "name");
            var scaled = Assert.Single(manifests.OfKind("ScaledObject"), s => s.Str("spec", "scaleTargetRef", "name") == name);
            Assert.True(int.Parse(scaled.Str("spec", "minReplicaCount")!, CultureInfo.InvariantCulture) >= 1,
                $"{overlay}: {name} may scale to 0, but the lag trigger needs the consumer group a running worker creates.");
            Assert.True(int.Parse(scaled.Str("spec", "maxReplicaCount")!, CultureInfo.InvariantCulture) >= 1);

            var triggers = scaled.Maps("spec", "triggers").ToList();
            Assert.All(triggers, t => Assert.Equal("redis-streams", t.Str("type")));
            var expected = new[] { JobPriority.Express, JobPriority.Normal }
                .Select(p => (string)keys.Stream(p, Enum.Parse<JobRoute>(route, ignoreCase: true))!).Order();
            Assert.Equal(expected, triggers.Select(t => t.Str("metadata", "stream")).Order());
            var env = container.Maps("env").Select(e => e.Str("name")).ToHashSet();
            foreach (var trigger in triggers)
            {
                Assert.Equal(RedisKeys.Group, trigger.Str("metadata", "consumerGroup"));
                Assert.True(int.TryParse(trigger.Str("metadata", "lagCount"), CultureInfo.InvariantCulture, out var lag) && lag > 0,
                    $"{overlay}: {name} trigger {trigger.Str("name")} scales on no positive lagCount.");
                var addressFromEnv = trigger.Str("metadata", "addressFromEnv");
                Assert.True(addressFromEnv is null || env.Contains(addressFromEnv),
                    $"{overlay}: {name} trigger reads ${addressFromEnv}, which its container does not define.");
                var auth = trigger.Str("authenticationRef", "name");
                if (auth is not null) manifests.Single("TriggerAuthentication", auth);
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Workers_TerminationGrace_CoversTheWorkerGrace(string overlay)
    {
        foreach (var (deployment, _, container) in WorkerDeployments(Manifests.Of(overlay)))
        {
            var args = container.Strings("args").ToList();
            var at = args.IndexOf("--grace");
            var grace = at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : new WorkerSettings().Grace;
            var termination = int.Parse(deployment.Str("spec", "template", "spec", "terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture);
            Assert.True(termination >= grace + HostShutdownMargin,
                $"{overlay}: {deployment.Str("metadata", "name")} is killed after {termination} s, before its --grace {grace} s + {HostShutdownMargin} s.");
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Api_IsProbedOnHealthzAndReadyz_AndRunsWithoutEmbeddedWorkers(string overlay)
    {
        var api = Manifests.Of(overlay).Single("Deployment", "docflow-api");
        var container = Assert.Single(api.Maps("spec", "template", "spec", "containers"));
        Assert.Equal("/healthz", container.Str("livenessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", container.Str("readinessProbe", "httpGet", "path"));
        Assert.Equal(["serve", "--workers", "0"], container.Strings("args").Take(3));
        Assert.Equal("docflow-api", Manifests.Of(overlay).Single("HorizontalPodAutoscaler", "docflow-api").Str("spec", "scaleTargetRef", "name"));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Api_AnswersToItsIngressHosts_AndItsProbes(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var config = manifests.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("docflow-config", StringComparison.Ordinal));
        var allowed = (config.Str("data", "DOCFLOW__AllowedHosts") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var hosts = manifests.Single("Ingress", "docflow-api").Maps("spec", "rules").Select(r => r.Str("host")).ToList();
        Assert.NotEmpty(hosts);
        foreach (var host in hosts)
            Assert.True(allowed.Contains(host), $"{overlay}: Ingress host {host} is not in DOCFLOW__AllowedHosts ({string.Join(";", allowed)}): the API would answer 400.");
        // Probes come with Host: <pod IP> unless told otherwise; the API only answers loopback names and AllowedHosts.
        var container = Assert.Single(manifests.Single("Deployment", "docflow-api").Maps("spec", "template", "spec", "containers"));
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            Assert.True(container.Maps(probe, "httpGet", "httpHeaders").Any(h => h.Str("name") == "Host" && h.Str("value") == "localhost"),
                $"{overlay}: the api's {probe} does not send Host: localhost.");
    }

    [Theory, MemberData(nameof(Overlays))]
    public void EveryNamespacedObject_IsInTheDocflowNamespace(string overlay)
    {
        foreach (var o in Manifests.Of(overlay).Objects.Where(o => o.Str("kind") != "Namespace"))
            Assert.True(o.Str("metadata", "namespace") == "docflow", $"{overlay}: {o.Str("kind")}/{o.Str("metadata", "name")} is not in namespace docflow.");
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Vpas_OnlyRecommend(string overlay)
    {
        var vpas = Manifests.Of(overlay).OfKind("VerticalPodAutoscaler").ToList();
        Assert.NotEmpty(vpas);
        Assert.All(vpas, v => Assert.Equal("Off", v.Str("spec", "updatePolicy", "updateMode")));
    }

    [Fact]
    public void Dev_RunsRedisAndPostgresAsStatefulSets_AndKeepsBlobsOnASharedVolume()
    {
        var dev = Manifests.Of("dev");
        Assert.Equal(["postgres", "redis"], dev.OfKind("StatefulSet").Select(s => s.Str("metadata", "name")).Order());
        dev.Single("Service", "redis");
        dev.Single("Service", "postgres");
        dev.Single("Secret", "docflow-secrets");
        foreach (var (name, container) in DocFlowContainers("dev").Where(c => !c.Name.Contains("migrate", StringComparison.Ordinal)))
            Assert.True(container.Maps("volumeMounts").Any(m => m.Str("mountPath") == "/var/lib/docflow/blobs"), $"dev: {name} does not mount the blob volume.");
    }

    [Fact]
    public void Prod_HasNoStatefulSetsNorSecret_AndStoresBlobsInS3()
    {
        var prod = Manifests.Of("prod");
        Assert.Empty(prod.OfKind("StatefulSet"));
        Assert.Empty(prod.OfKind("PersistentVolumeClaim"));
        Assert.Empty(prod.OfKind("Secret"));
        var config = prod.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("docflow-config", StringComparison.Ordinal));
        Assert.StartsWith("s3://", config.Str("data", "DOCFLOW__Storage"), StringComparison.Ordinal);
        Assert.True(int.Parse(prod.Single("Deployment", "docflow-api").Str("spec", "replicas")!, CultureInfo.InvariantCulture) >
                    int.Parse(Manifests.Of("dev").Single("Deployment", "docflow-api").Str("spec", "replicas")!, CultureInfo.InvariantCulture));
    }

    private static IEnumerable<(string Name, YamlMappingNode Container)> Containers(string overlay) =>
        Manifests.Of(overlay).Workloads().SelectMany(w =>
            w.PodTemplate.Maps("spec", "containers").Concat(w.PodTemplate.Maps("spec", "initContainers"))
                .Select(c => ($"{w.Name}/{c.Str("name")}", c)));

    private static bool IsDocFlow(YamlMappingNode template) =>
        template.Maps("spec", "containers").Any(c => c.Strings("args").FirstOrDefault() is "serve" or "worker" or "db");

    private static IEnumerable<(string Name, YamlMappingNode Container)> DocFlowContainers(string overlay) =>
        Manifests.Of(overlay).Workloads().Where(w => IsDocFlow(w.PodTemplate))
            .SelectMany(w => w.PodTemplate.Maps("spec", "containers").Select(c => ($"{w.Name}/{c.Str("name")}", c)));

    /// <summary>Deployments running `docflow worker --routes R`, with R.</summary>
    private static IEnumerable<(YamlMappingNode Deployment, string Route, YamlMappingNode Container)> WorkerDeployments(Manifests manifests)
    {
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var container = deployment.Maps("spec", "template", "spec", "containers").FirstOrDefault(c => c.Strings("args").FirstOrDefault() == "worker");
            if (container is null) continue;
            var args = container.Strings("args").ToList();
            var at = args.IndexOf("--routes");
            Assert.True(at >= 0, $"{manifests.Overlay}: {deployment.Str("metadata", "name")} takes every route; give each worker Deployment one route so it scales on its own streams.");
            var routes = args[at + 1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            yield return (deployment, Assert.Single(routes), container);
        }
    }
}
