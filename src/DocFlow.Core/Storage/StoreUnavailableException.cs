namespace DocFlow.Storage;

/// <summary>The job store cannot be reached (database down, refusing connections, timing out).</summary>
/// <remarks>Hosts answer 503 with Retry-After for it; it is never a reason to fail a document.</remarks>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
