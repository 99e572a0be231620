using DocFlow.Processing;
using DocFlow.Queueing;

namespace DocFlow.Engines.Cloud;

/// <summary>Engine per route from <c>Engines:Routes</c>: a cloud engine by name, else the local engine.</summary>
public sealed class CloudEngineSelector(IReadOnlyDictionary<string, CloudDocumentEngine> engines, IReadOnlyDictionary<string, string> routes,
    IDocumentEngine local) : IDocumentEngineSelector, IDisposable
{
    /// <summary>The cloud engines by name.</summary>
    public IReadOnlyDictionary<string, CloudDocumentEngine> Engines => engines;

    public IDocumentEngine Select(JobRoute route) =>
        routes.TryGetValue(route.ToWireName(), out var name) && engines.TryGetValue(name, out var engine) ? engine : local;

    public void Dispose()
    {
        foreach (var engine in engines.Values) engine.Dispose();
    }
}
