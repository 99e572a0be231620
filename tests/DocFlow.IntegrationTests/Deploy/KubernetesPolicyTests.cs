using System.Globalization;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using YamlDotNet.RepresentationModel;

namespace DocFlow.IntegrationTests.Deploy;

/// <summary>
/// The platform-team policy over the rendered overlays (issue 15): CPU requests that match use, no replica counts under
/// an autoscaler, TLS and fallback on the KEDA triggers, pinned images, identities, network isolation, migrations before
/// the apps, a Redis that never evicts, capped connection pools, evictable scratch volumes, and observability wired in.
/// No schema validator (kubeconform, kubeval) is in the offline package lists, so these check the fields that matter.
/// </summary>
public sealed class KubernetesPolicyTests
{
    public static TheoryData<string> Overlays => ["dev", "prod"];

    [Theory, MemberData(nameof(Overlays))]
    public void Workers_RequestTheCpuTheyUse(string overlay)
    {
        foreach (var (name, pod) in Pods(overlay, "worker"))
        {
            var container = pod.Maps("spec", "containers").First();
            var request = Cores(container.Str("resources", "requests", "cpu"));
            Assert.Equal(request, Cores(container.Str("resources", "limits", "cpu")));
            // OCR keeps one core busy per slot: prod requests it whole; dev (laptop clusters) half, still request = limit.
            // The webhook route makes HTTP calls, no OCR: a quarter core.
            var webhook = pod.Str("metadata", "labels", "docflow.io/route") == "webhook";
            Assert.True(request >= (webhook ? 0.25 : overlay == "prod" ? 1.0 : 0.5), $"{overlay}: {name} requests {request} cores.");
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Autoscaled_Deployments_SetNoReplicas(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var scaled = manifests.OfKind("HorizontalPodAutoscaler").Select(h => h.Str("spec", "scaleTargetRef", "name"))
            .Concat(manifests.OfKind("ScaledObject").Select(s => s.Str("spec", "scaleTargetRef", "name"))).ToList();
        Assert.Equal(5, scaled.Count); // the API's HPA and a ScaledObject per worker route (image, pdf, report, webhook)
        foreach (var name in scaled)
            Assert.True(manifests.Single("Deployment", name!).Node("spec", "replicas") is null,
                $"{overlay}: Deployment {name} sets replicas although an autoscaler owns it (every apply would reset it).");
    }

    [Fact]
    public void Prod_KedaTriggers_UseVerifiedTls()
    {
        foreach (var scaled in Manifests.Of("prod").OfKind("ScaledObject"))
            foreach (var trigger in scaled.Maps("spec", "triggers"))
            {
                Assert.Equal("true", trigger.Str("metadata", "enableTLS"));
                Assert.NotEqual("true", trigger.Str("metadata", "unsafeSsl"));
            }
        var config = Config("prod");
        Assert.StartsWith("rediss://", config.Str("data", "DOCFLOW__Redis"), StringComparison.Ordinal);
        Assert.EndsWith(config.Str("data", "REDIS_ADDRESS")!, config.Str("data", "DOCFLOW__Redis"), StringComparison.Ordinal);
    }

    [Fact]
    public void Prod_Images_ArePinnedByDigest()
    {
        foreach (var (name, pod) in Pods("prod", null))
            foreach (var container in pod.Maps("spec", "containers").Concat(pod.Maps("spec", "initContainers")))
            {
                var image = container.Str("image") ?? "";
                var at = image.IndexOf("@sha256:", StringComparison.Ordinal);
                Assert.True(at > 0 && image.Length - at - "@sha256:".Length == 64 && image[(at + 8)..].All(Uri.IsHexDigit),
                    $"prod: {name}/{container.Str("name")} runs {image}, not an image by digest.");
            }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void EveryPod_HasItsOwnServiceAccount_WithoutAnApiToken(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        foreach (var (name, pod) in Pods(overlay, null))
        {
            var account = pod.Str("spec", "serviceAccountName");
            Assert.True(account is not null && account != "default", $"{overlay}: {name} runs as the default ServiceAccount.");
            Assert.Equal("false", pod.Str("spec", "automountServiceAccountToken"));
            var sa = manifests.Single("ServiceAccount", account);
            Assert.Equal("false", sa.Str("automountServiceAccountToken") ?? "false");
        }
        Assert.NotEqual(Pods(overlay, "api").Single().Pod.Str("spec", "serviceAccountName"),
            Pods(overlay, "worker").First().Pod.Str("spec", "serviceAccountName"));
        if (overlay == "prod")
            Assert.All(manifests.OfKind("ServiceAccount"), sa => Assert.False(string.IsNullOrEmpty(sa.Str("metadata", "annotations", "eks.amazonaws.com/role-arn"))));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Namespace_DeniesIngress_ExceptWhatEachRoleServes(string overlay)
    {
        var policies = Manifests.Of(overlay).OfKind("NetworkPolicy").ToList();
        var deny = Assert.Single(policies, p => p.Map("spec", "podSelector") is { Children.Count: 0 });
        Assert.Equal(["Ingress"], deny.Strings("spec", "policyTypes"));
        Assert.Empty(deny.Maps("spec", "ingress"));
        // Workers: only the metrics port, only from the monitoring namespace.
        var workers = Assert.Single(policies, p => p.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/component") == "worker");
        var rule = Assert.Single(workers.Maps("spec", "ingress"));
        Assert.Equal(["9464"], rule.Maps("ports").Select(p => p.Str("port")));
        Assert.Equal("monitoring", Assert.Single(rule.Maps("from")).Str("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        // The API: its serving ports from the ingress controller, its metrics port from monitoring.
        var api = Assert.Single(policies, p => p.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/component") == "api");
        var container = Pods(overlay, "api").Single().Pod.Maps("spec", "containers").Single();
        var served = container.Maps("ports").Select(p => p.Str("containerPort")).ToList();
        var admitted = api.Maps("spec", "ingress").SelectMany(r => r.Maps("ports")).Select(p => p.Str("port")).ToList();
        Assert.All(served, port => Assert.Contains(port, admitted));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Apps_MigrateTheDatabase_BeforeTheyStart(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        Assert.Empty(manifests.OfKind("Job")); // a Job's template is immutable: it broke `kubectl apply` on upgrade
        foreach (var (name, pod) in Pods(overlay, "api").Concat(Pods(overlay, "worker")))
        {
            var init = Assert.Single(pod.Maps("spec", "initContainers"));
            Assert.Equal(["db", "migrate"], init.Strings("args"));
            Assert.Equal(pod.Maps("spec", "containers").First().Str("image"), init.Str("image"));
            Assert.Contains(init.Maps("env"), e => e.Str("name") == "DOCFLOW__Database__ConnectionString"
                                               && e.Str("valueFrom", "secretKeyRef", "name") == "docflow-database");
        }
    }

    [Fact]
    public void DevRedis_NeverEvicts_AndHasMaxmemoryUnderItsLimit()
    {
        var redis = Manifests.Of("dev").Single("StatefulSet", "redis");
        var container = redis.Maps("spec", "template", "spec", "containers").Single();
        var args = container.Strings("args").ToList();
        Assert.Equal("noeviction", args[args.IndexOf("--maxmemory-policy") + 1]);
        var maxmemory = args[args.IndexOf("--maxmemory") + 1];
        Assert.EndsWith("mb", maxmemory, StringComparison.Ordinal);
        var limit = container.Str("resources", "limits", "memory")!;
        Assert.EndsWith("Mi", limit, StringComparison.Ordinal);
        // Room for the AOF rewrite's fork and client buffers: at most three quarters of the limit.
        Assert.True(int.Parse(maxmemory[..^2], CultureInfo.InvariantCulture) <= int.Parse(limit[..^2], CultureInfo.InvariantCulture) * 3 / 4);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void EveryDocFlowPod_CapsItsDatabasePool(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var total = 0;
        foreach (var (name, pod) in Pods(overlay, "api").Concat(Pods(overlay, "worker")))
        {
            var cap = pod.Maps("spec", "containers").First().Maps("env").SingleOrDefault(e => e.Str("name") == "DOCFLOW__Database__MaxPoolSize");
            Assert.True(cap is not null, $"{overlay}: {name} keeps Npgsql's default pool of 100 connections per pod.");
            var max = MaxReplicas(manifests, name.Split('/')[1]);
            total += int.Parse(cap.Str("value")!, CultureInfo.InvariantCulture) * max;
        }
        if (overlay == "dev")
        {
            var postgres = manifests.Single("StatefulSet", "postgres").Maps("spec", "template", "spec", "containers").Single().Strings("args").ToList();
            var maxConnections = int.Parse(postgres[postgres.IndexOf("-c") + 1].Split('=')[1], CultureInfo.InvariantCulture);
            Assert.True(total < maxConnections, $"dev: the pools at full scale ({total}) exceed max_connections ({maxConnections}).");
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Credentials_HaveOneSecretEach_AndTheRedisPasswordOnePlace(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var refs = Pods(overlay, null).SelectMany(p => p.Pod.Maps("spec", "containers").Concat(p.Pod.Maps("spec", "initContainers")))
            .SelectMany(c => c.Maps("env")).Select(e => e.Map("valueFrom", "secretKeyRef")).OfType<YamlMappingNode>()
            .Select(r => (Name: r.Str("name")!, Key: r.Str("key")!)).Distinct().ToList();
        Assert.DoesNotContain(refs, r => r.Name == "docflow-secrets");
        Assert.Equal(["password"], refs.Where(r => r.Name == "docflow-redis").Select(r => r.Key).Distinct());
        var auth = manifests.Single("TriggerAuthentication", "docflow-redis");
        var password = Assert.Single(auth.Maps("spec", "secretTargetRef"));
        Assert.Equal(("docflow-redis", "password"), (password.Str("name"), password.Str("key")));
        if (overlay == "dev")
            foreach (var secret in manifests.OfKind("Secret").Where(s => s.Str("metadata", "name") != "docflow-s3"))
                Assert.True(secret.Map("stringData")!.Children.Count == 1 || secret.Str("metadata", "name") == "docflow-encryption-keys",
                    $"dev: Secret {secret.Str("metadata", "name")} holds more than one credential.");
    }

    [Theory, MemberData(nameof(Overlays))]
    public void ScratchVolumes_AreSafeToEvict(string overlay)
    {
        foreach (var (name, pod) in Pods(overlay, "api").Concat(Pods(overlay, "worker")))
        {
            var empty = pod.Maps("spec", "volumes").Where(v => v.Node("emptyDir") is not null).Select(v => v.Str("name")).Order();
            var annotated = (pod.Str("metadata", "annotations", "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes") ?? "")
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order();
            Assert.Equal(empty, annotated);
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void DocFlowPods_DeclareTheirMetricsPort(string overlay)
    {
        foreach (var (name, pod) in Pods(overlay, "api").Concat(Pods(overlay, "worker")))
        {
            var container = pod.Maps("spec", "containers").First();
            Assert.Contains(container.Maps("ports"), p => p.Str("name") == "metrics" && p.Str("containerPort") == "9464");
            if (name.Contains("docflow-api", StringComparison.Ordinal))
                Assert.Contains(container.Maps("env"), e => e.Str("name") == "DOCFLOW__Observability__MetricsPort" && e.Str("value") == "9464");
        }
    }

    [Fact]
    public void Prod_ShipsJsonLogs_Otlp_Scraping_AlertsAndTheDashboard()
    {
        var prod = Manifests.Of("prod");
        var config = Config("prod");
        Assert.Equal("json", config.Str("data", "DOCFLOW__Logging__Format"));
        Assert.StartsWith("http", config.Str("data", "OTEL_EXPORTER_OTLP_ENDPOINT"), StringComparison.Ordinal);
        var monitor = prod.Single("PodMonitor", "docflow");
        Assert.Equal(["metrics"], monitor.Maps("spec", "podMetricsEndpoints").Select(e => e.Str("port")));
        // The PrometheusRule carries exactly the rule file of deploy/monitoring (one source of truth for both set-ups).
        var rule = prod.Single("PrometheusRule", "docflow");
        var file = Yaml.Load(Path.Combine(Repo.Root, "deploy", "monitoring", "alerts.yaml"));
        Assert.Equal(Flatten(file.Node("groups")), Flatten(rule.Node("spec", "groups")));
        var alerts = rule.Maps("spec", "groups").SelectMany(g => g.Maps("rules")).Select(r => r.Str("alert")).ToList();
        Assert.Equal(["DocFlowBreakerOpen", "DocFlowDeadLettersGrowing", "DocFlowErrorRate", "DocFlowHttpErrors", "DocFlowOldestJobOld",
            "DocFlowQueueWaitOverObjective", "DocFlowWorkersGone"], alerts.Order());
        var dashboard = prod.Single("ConfigMap", "docflow-grafana-dashboard");
        Assert.Equal("1", dashboard.Str("metadata", "labels", "grafana_dashboard"));
        using var json = JsonDocument.Parse(dashboard.Str("data", "docflow-dashboard.json")!);
        Assert.True(json.RootElement.GetProperty("panels").GetArrayLength() >= 8);
    }

    [Fact]
    public void Dashboards_AndAlerts_UseOnlyTheNewMetricNames()
    {
        var files = new[]
        {
            Path.Combine(Repo.Root, "deploy", "monitoring", "alerts.yaml"),
            Path.Combine(Repo.Root, "deploy", "k8s", "components", "monitoring", "docflow-dashboard.json"),
            Path.Combine(Repo.Root, "deploy", "monitoring", "prometheus-scrape.yaml"),
        };
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("docflow_queue_lag", text, StringComparison.Ordinal);
            Assert.DoesNotContain("docflow_workers{", text, StringComparison.Ordinal);
        }
    }

    private static string Flatten(YamlNode? node) => node switch
    {
        YamlMappingNode map => "{" + string.Join(",", map.Children.OrderBy(c => c.Key.ToString(), StringComparer.Ordinal)
            .Select(c => $"{c.Key}:{Flatten(c.Value)}")) + "}",
        YamlSequenceNode seq => "[" + string.Join(",", seq.Children.Select(Flatten)) + "]",
        YamlScalarNode scalar => scalar.Value ?? "",
        _ => "",
    };

    private static YamlMappingNode Config(string overlay) =>
        Manifests.Of(overlay).OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("docflow-config", StringComparison.Ordinal));

    /// <summary>Pod templates of the workloads, optionally of one component (api, worker).</summary>
    private static IEnumerable<(string Name, YamlMappingNode Pod)> Pods(string overlay, string? component) =>
        Manifests.Of(overlay).Workloads()
            .Where(w => component is null || w.PodTemplate.Str("metadata", "labels", "app.kubernetes.io/component") == component)
            .Select(w => (w.Name, w.PodTemplate));

    private static int MaxReplicas(Manifests manifests, string deployment)
    {
        var hpa = manifests.OfKind("HorizontalPodAutoscaler").SingleOrDefault(h => h.Str("spec", "scaleTargetRef", "name") == deployment);
        if (hpa is not null) return int.Parse(hpa.Str("spec", "maxReplicas")!, CultureInfo.InvariantCulture);
        var scaled = manifests.OfKind("ScaledObject").Single(s => s.Str("spec", "scaleTargetRef", "name") == deployment);
        return int.Parse(scaled.Str("spec", "maxReplicaCount")!, CultureInfo.InvariantCulture);
    }

    private static double Cores(string? quantity) =>
        quantity is null ? 0
        : quantity.EndsWith('m') ? double.Parse(quantity[..^1], CultureInfo.InvariantCulture) / 1000
        : double.Parse(quantity, CultureInfo.InvariantCulture);
}
