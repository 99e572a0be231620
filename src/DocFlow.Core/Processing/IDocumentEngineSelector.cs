using DocFlow.Queueing;

namespace DocFlow.Processing;

/// <summary>Chooses the engine for a document by its route (configuration <c>Engines:Routes</c>).</summary>
/// <remarks>Without a selector every document goes to the one registered <see cref="IDocumentEngine"/> (the local
/// engine). Page-range tickets of a split document always stay on the engine that split it.</remarks>
public interface IDocumentEngineSelector
{
    /// <summary>The engine for documents on <paramref name="route"/>.</summary>
    IDocumentEngine Select(JobRoute route);
}
