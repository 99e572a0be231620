using System.ComponentModel;
using System.Diagnostics;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Deploy;

/// <summary>
/// kubeconform-style schema validation of <c>kubectl kustomize</c>'s output, offline: tools/k8s-validate checks every
/// object against the schemas the npm package kubernetes-models ships (the Kubernetes OpenAPI schemas of its release;
/// KEDA's and the Prometheus operator's CRDs from @kubernetes-models/keda and /prometheus-operator): types, required
/// fields, enums and formats. Not checked: unknown fields (the schemas allow them, as kubeconform does without
/// --strict), and VerticalPodAutoscaler, whose CRD schema no package in the lists carries (docs/operations.md).
/// </summary>
public sealed class KubernetesSchemaTests
{
    private static readonly string Tool = Path.Combine(Repo.Root, "tools", "k8s-validate");

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    [InlineData("region-b")]
    public void RenderedOverlay_MatchesTheKubernetesSchemas(string overlay)
    {
        var yaml = Render(overlay);
        var (code, output) = Validate(yaml);
        Assert.True(code == 0, $"{overlay}: kubectl kustomize output fails schema validation (exit {code}):\n{output}");
        // Every object but the skipped VPAs was found in a schema and checked.
        var valid = output.Split('\n').Count(l => l.StartsWith("valid ", StringComparison.Ordinal));
        var objects = yaml.Split("\n---\n").Length;
        var skipped = output.Split('\n').Count(l => l.StartsWith("skipped ", StringComparison.Ordinal));
        Assert.Equal(objects, valid + skipped);
        Assert.True(valid >= 25, $"{overlay}: only {valid} objects validated:\n{output}");
    }

    /// <summary>The validator can fail: a string where the schema wants an integer, a container without its required
    /// name, a protocol outside the enum, a ScaledObject trigger without its type.</summary>
    [Theory]
    [InlineData("terminationGracePeriodSeconds: 30\n", "terminationGracePeriodSeconds: \"30s\"\n", "must be integer")]
    [InlineData("protocol: TCP\n", "protocol: TCPX\n", "must be equal to one of the allowed values")]
    [InlineData("    type: redis-streams\n", "    typ: redis-streams\n", "must have required property type")]
    public void BrokenObject_IsReported(string from, string to, string message)
    {
        var yaml = Render("prod");
        var at = yaml.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the prod render has no '{from.Trim()}' to break");
        var (code, output) = Validate(string.Concat(yaml.AsSpan(0, at), to, yaml.AsSpan(at + from.Length)));
        Assert.Equal(1, code);
        Assert.Contains("INVALID ", output, StringComparison.Ordinal);
        Assert.Contains(message.Replace("'", "", StringComparison.Ordinal), output.Replace("'", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static string Render(string overlay)
    {
        var (code, output, error) = Run("kubectl", ["kustomize", Path.Combine(Repo.Root, "deploy", "k8s", "overlays", overlay)], null);
        Assert.True(code == 0, $"kubectl kustomize {overlay} failed: {error}");
        return output;
    }

    private static (int Code, string Output) Validate(string yaml)
    {
        if (!Directory.Exists(Path.Combine(Tool, "node_modules", "kubernetes-models")))
            throw new InvalidOperationException($"the schemas are not installed in {Tool}: run ./test.sh (npm ci --prefix tools/k8s-validate).");
        var (code, output, error) = Run("node", [Path.Combine(Tool, "validate.mjs"), "--skip", "VerticalPodAutoscaler"], yaml);
        return (code, output + error);
    }

    private static (int Code, string Output, string Error) Run(string file, IEnumerable<string> args, string? input)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{file} is not installed or not on PATH ({e.Message}); ./test.sh installs what the tests need.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
