using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using DocFlow.IntegrationTests.Support;
using YamlDotNet.RepresentationModel;

namespace DocFlow.IntegrationTests.Deploy;

/// <summary>The Kubernetes objects of one kustomize overlay under deploy/k8s, rendered with <c>kubectl kustomize</c>.</summary>
public sealed class Manifests
{
    private static readonly ConcurrentDictionary<string, Lazy<Manifests>> Rendered = new();

    private Manifests(string overlay, IReadOnlyList<YamlMappingNode> objects) => (Overlay, Objects) = (overlay, objects);

    public string Overlay { get; }
    public IReadOnlyList<YamlMappingNode> Objects { get; }

    /// <summary>Renders deploy/k8s/overlays/<paramref name="overlay"/> once per test run.</summary>
    public static Manifests Of(string overlay) => Rendered.GetOrAdd(overlay, o => new(() => Render(o))).Value;

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Objects.Where(o => o.Str("kind") == kind);

    public YamlMappingNode Single(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => o.Str("metadata", "name") == name)
        ?? throw new Xunit.Sdk.XunitException($"{Overlay}: no {kind} named {name}.");

    /// <summary>Deployments, StatefulSets and Jobs: everything that runs containers.</summary>
    public IEnumerable<(string Name, YamlMappingNode Workload, YamlMappingNode PodTemplate)> Workloads() =>
        Objects.Where(o => o.Str("kind") is "Deployment" or "StatefulSet" or "DaemonSet" or "Job")
            .Select(o => ($"{o.Str("kind")}/{o.Str("metadata", "name")}", o, o.Map("spec", "template")
                ?? throw new Xunit.Sdk.XunitException($"{o.Str("kind")}/{o.Str("metadata", "name")} has no pod template.")));

    private static Manifests Render(string overlay)
    {
        var dir = Path.Combine(Repo.Root, "deploy", "k8s", "overlays", overlay);
        var start = new ProcessStartInfo("kubectl") { ArgumentList = { "kustomize", dir }, RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                "kubectl is not installed or not on PATH. The Deploy tests render deploy/k8s with `kubectl kustomize` " +
                "(kubectl 1.14+, works offline); install kubectl to run them. " + e.Message, e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var yaml = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"kubectl kustomize {dir} failed ({process.ExitCode}): {stderr.Result}");
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            return new(overlay, [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()]);
        }
    }
}

/// <summary>Paths into YAML trees, null where a step is missing.</summary>
public static class Yaml
{
    public static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = File.OpenText(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static YamlNode? Node(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node)) return null;
        }
        return node;
    }

    public static YamlMappingNode? Map(this YamlNode? node, params string[] path) => node.Node(path) as YamlMappingNode;

    public static string? Str(this YamlNode? node, params string[] path) => (node.Node(path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlMappingNode> Maps(this YamlNode? node, params string[] path) =>
        (node.Node(path) as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [];

    public static IEnumerable<string> Strings(this YamlNode? node, params string[] path) =>
        (node.Node(path) as YamlSequenceNode)?.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "") ?? [];
}
