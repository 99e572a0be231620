using DocFlow.IntegrationTests.Deploy;

namespace DocFlow.IntegrationTests.Region;

/// <summary>deploy/k8s/overlays/region-b, rendered with <c>kubectl kustomize</c>: the prod release as a warm standby
/// (docs/multi-region.md).</summary>
public sealed class RegionBOverlayTests
{
    private static readonly Manifests B = Manifests.Of("region-b");

    [Fact]
    public void WorkersWaitAtZero_UntilTheRebuiltQueueHasWork()
    {
        var scaled = B.OfKind("ScaledObject").ToList();
        Assert.Equal(Manifests.Of("prod").OfKind("ScaledObject").Count(), scaled.Count);
        Assert.All(scaled, s => Assert.Equal("0", s.Str("spec", "minReplicaCount")));
    }

    [Fact]
    public void NoMigration_TheReplicaGetsTheSchemaByReplication()
    {
        // Prod migrates in an init container of every pod; on the read-only replica it would fail and hold every pod back.
        static bool Migrates((string Name, YamlDotNet.RepresentationModel.YamlMappingNode Workload, YamlDotNet.RepresentationModel.YamlMappingNode PodTemplate) w) =>
            w.PodTemplate.Maps("spec", "initContainers").Any(c => c.Str("name") == "migrate");
        Assert.Contains(Manifests.Of("prod").Workloads(), Migrates);
        Assert.DoesNotContain(B.Workloads(), Migrates);
        Assert.DoesNotContain(B.OfKind("Job"), j => j.Str("metadata", "name") == "docflow-migrate");
    }

    [Fact]
    public void EveryObjectAndPod_CarriesTheRegionLabel()
    {
        Assert.All(B.Objects, o => Assert.Equal("b", o.Str("metadata", "labels", "docflow.io/region")));
        Assert.All(B.Workloads(), w => Assert.Equal("b", w.PodTemplate.Str("metadata", "labels", "docflow.io/region")));
    }

    [Fact]
    public void StorageIsTheReplicationBucket_AndTheGlobalHostIsAllowed()
    {
        var config = B.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("docflow-config", StringComparison.Ordinal));
        Assert.Equal("s3://docflow-prod-b/blobs", config.Str("data", "DOCFLOW__Storage"));
        Assert.NotEqual(config.Str("data", "DOCFLOW__Storage"),
            Manifests.Of("prod").OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("docflow-config", StringComparison.Ordinal)).Str("data", "DOCFLOW__Storage"));
        Assert.Contains("docflow.example.com", config.Str("data", "DOCFLOW__AllowedHosts")!.Split(';'));
    }
}
