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
                $"{overlay}: {name} may scale to 0: the first document of a quiet route would wait a pod start-up.");
            Assert.True(int.Parse(scaled.Str("spec", "maxReplicaCount")!, CultureInfo.InvariantCulture) >= 1);

            var triggers = scaled.Maps("spec", "triggers").ToList();
            Assert.All(triggers, t => Assert.Equal("redis-streams", t.Str("type")));
            var expected = new[] { JobPriority.Express, JobPriority.Normal }
                .Select(p => (string)keys.Stream(p, Enum.Parse<JobRoute>(route, ignoreCase: true))!).Order();
            Assert.Equal(expected, triggers.Select(t => t.Str("metadata", "stream")).Order());
            var env = container.Maps("env").Select(e => e.Str("name")).ToHashSet();
            var fromConfig = manifests.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("docflow-config", StringComparison.Ordinal));
            foreach (var trigger in triggers)
            {
                // Stream length = waiting + in flight (DocFlow deletes acknowledged entries); a consumerGroup would make
                // KEDA read the pending entries instead, and lagCount counts only the waiting ones.
                Assert.Null(trigger.Str("metadata", "consumerGroup"));
                Assert.Null(trigger.Str("metadata", "lagCount"));
                Assert.Equal("1", trigger.Str("metadata", "streamLength"));
                var addressFromEnv = trigger.Str("metadata", "addressFromEnv");
                Assert.True(addressFromEnv is null || env.Contains(addressFromEnv) || fromConfig.Str("data", addressFromEnv) is not null,
                    $"{overlay}: {name} trigger reads ${addressFromEnv}, which its container does not define.");
                var auth = trigger.Str("authenticationRef", "name");
                if (auth is not null) manifests.Single("TriggerAuthentication", auth);
            }
            // The priorities are summed (an HPA with two metrics would take the larger), one job per slot.
            var modifiers = scaled.Map("spec", "advanced", "scalingModifiers");
            Assert.True(modifiers is not null, $"{overlay}: {name} does not combine its triggers (scalingModifiers).");
            Assert.Equal("express + normal", modifiers.Str("formula"));
            Assert.Equal(triggers.Select(t => t.Str("name")).Order(), new[] { "express", "normal" });
            var args = container.Strings("args").ToList();
            var slots = args.IndexOf("--slots") is var at && at >= 0 ? args[at + 1] : null;
            Assert.Equal(slots, modifiers.Str("target"));
            Assert.Equal("AverageValue", modifiers.Str("metricType"));
            // Redis unreachable: a fleet, not a freeze.
            Assert.True(int.TryParse(scaled.Str("spec", "fallback", "replicas"), CultureInfo.InvariantCulture, out var fallback) && fallback >= 1,
                $"{overlay}: {name} has no fallback replicas.");
            Assert.True(int.Parse(scaled.Str("spec", "fallback", "failureThreshold")!, CultureInfo.InvariantCulture) >= 1);
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
        foreach (var secret in Credentials) dev.Single("Secret", secret);
        foreach (var (name, container) in DocFlowContainers("dev"))
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
        Assert.True(int.Parse(prod.Single("HorizontalPodAutoscaler", "docflow-api").Str("spec", "minReplicas")!, CultureInfo.InvariantCulture) >
                    int.Parse(Manifests.Of("dev").Single("HorizontalPodAutoscaler", "docflow-api").Str("spec", "minReplicas")!, CultureInfo.InvariantCulture));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void ApiAndWorkers_ReadTheEncryptionKeysFromASecret_AndRequireThem_AndTheRedisPasswordFromASecret(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var config = manifests.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("docflow-config", StringComparison.Ordinal));
        Assert.Equal("/etc/docflow/encryption-keys", config.Str("data", "DOCFLOW__Encryption__KeyFiles"));
        Assert.Equal("true", config.Str("data", "DOCFLOW__Encryption__Required"));
        var serving = manifests.OfKind("Deployment").Where(d => d.Str("metadata", "labels", "app.kubernetes.io/component") is "api" or "worker").ToList();
        Assert.True(serving.Count >= 4, $"{overlay}: expected the API and three worker Deployments.");
        foreach (var deployment in serving)
        {
            var name = deployment.Str("metadata", "name");
            var pod = deployment.Map("spec", "template", "spec");
            var container = pod.Maps("containers").First();
            var mount = container.Maps("volumeMounts").SingleOrDefault(m => m.Str("mountPath") == "/etc/docflow/encryption-keys");
            Assert.True(mount is not null, $"{overlay}: {name} does not mount the encryption keys.");
            Assert.Equal("true", mount.Str("readOnly"));
            var volume = pod.Maps("volumes").Single(v => v.Str("name") == mount.Str("name"));
            Assert.Equal("docflow-encryption-keys", volume.Str("secret", "secretName"));
            var password = container.Maps("env").SingleOrDefault(e => e.Str("name") == "DOCFLOW__Queue__Redis__Password");
            Assert.True(password is not null, $"{overlay}: {name} does not take the Redis password from a Secret.");
            Assert.Equal("docflow-redis", password.Str("valueFrom", "secretKeyRef", "name"));
            Assert.Equal("password", password.Str("valueFrom", "secretKeyRef", "key"));
        }
        if (overlay == "dev")
        {
            // The dev Secret's keys are usable keys: 32 bytes each, ids the key ring accepts.
            var keys = manifests.Single("Secret", "docflow-encryption-keys").Map("stringData")!;
            Assert.NotEmpty(keys.Children);
            foreach (var (id, value) in keys.Children)
            {
                Assert.True(DocFlow.Security.Encryption.KeyRing.IsValidId(id.ToString()));
                Assert.Equal(32, Convert.FromBase64String(value.ToString()).Length);
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void RedisAndPostgres_AdmitOnlyDocFlowPods(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var sources = new Dictionary<string, string[]> { ["redis"] = ["api", "worker"], ["postgres"] = ["api", "worker"] };
        foreach (var (target, components) in sources)
        {
            var policy = manifests.OfKind("NetworkPolicy").SingleOrDefault(p => p.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == target);
            Assert.True(policy is not null, $"{overlay}: no NetworkPolicy selects {target}.");
            Assert.Equal(["Ingress"], policy.Strings("spec", "policyTypes"));
            var peers = policy.Maps("spec", "ingress").SelectMany(r => r.Maps("from")).ToList();
            var pods = peers.Select(p => p.Map("podSelector")).OfType<YamlMappingNode>().ToList();
            var expression = Assert.Single(Assert.Single(pods).Maps("matchExpressions"));
            Assert.Equal("app.kubernetes.io/component", expression.Str("key"));
            Assert.Equal(components, expression.Strings("values"));
            // Nothing else but KEDA (for the queue's lag) may come in; no rule admits every pod.
            Assert.All(peers, p => Assert.True(p.Map("podSelector") is not null || p.Str("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name") == "keda"));
            // Where the server runs in the cluster (dev), the policy selects its pods.
            foreach (var set in manifests.OfKind("StatefulSet").Where(s => s.Str("metadata", "name") == target))
                Assert.Equal(target, set.Str("spec", "template", "metadata", "labels", "app.kubernetes.io/name"));
        }
        // Every pod that must reach them carries one of the admitted components.
        foreach (var (name, _, template) in manifests.Workloads().Where(w => IsDocFlow(w.PodTemplate)))
            Assert.Contains(template.Str("metadata", "labels", "app.kubernetes.io/component"), new[] { "api", "worker" });
    }

    [Fact]
    public void Prod_ServesHttpsToTheIngress_WithTheCertificateFromASecret()
    {
        var prod = Manifests.Of("prod");
        var api = prod.Single("Deployment", "docflow-api");
        var container = Assert.Single(api.Maps("spec", "template", "spec", "containers"));
        var args = container.Strings("args").ToList();
        Assert.Equal("https://0.0.0.0:8443", args[args.IndexOf("--urls") + 1]);
        Assert.Equal("/etc/docflow/tls/tls.crt", args[args.IndexOf("--cert") + 1]);
        Assert.Equal("/etc/docflow/tls/tls.key", args[args.IndexOf("--cert-key") + 1]);
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            Assert.Equal("HTTPS", container.Str(probe, "httpGet", "scheme"));
        var volume = api.Maps("spec", "template", "spec", "volumes").Single(v => v.Str("name") == "tls");
        Assert.Equal("docflow-api-tls", volume.Str("secret", "secretName"));
        var port = Assert.Single(prod.Single("Service", "docflow-api").Maps("spec", "ports"));
        Assert.Equal("https", port.Str("targetPort"));
        var ingress = prod.Single("Ingress", "docflow-api");
        Assert.Equal("HTTPS", ingress.Str("metadata", "annotations", "nginx.ingress.kubernetes.io/backend-protocol"));
        Assert.All(ingress.Maps("spec", "rules").SelectMany(r => r.Maps("http", "paths")),
            p => Assert.Equal("https", p.Str("backend", "service", "port", "name")));
        Assert.NotEmpty(ingress.Maps("spec", "tls"));
    }

    /// <summary>One Secret per credential (base/secret.yaml), plus the encryption keys.</summary>
    private static readonly string[] Credentials = ["docflow-redis", "docflow-database", "docflow-bootstrap", "docflow-s3", "docflow-encryption-keys"];

    private static IEnumerable<(string Name, YamlMappingNode Container)> Containers(string overlay) =>
        Manifests.Of(overlay).Workloads().SelectMany(w =>
            w.PodTemplate.Maps("spec", "containers").Concat(w.PodTemplate.Maps("spec", "initContainers"))
                .Select(c => ($"{w.Name}/{c.Str("name")}", c)));

    private static bool IsDocFlow(YamlMappingNode template) =>
        template.Maps("spec", "containers").Any(c => c.Strings("args").FirstOrDefault() is "serve" or "worker");

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
