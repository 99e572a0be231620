namespace DocFlow.Tools;

/// <summary>A failure the tool explains in one line (no stack trace): a missing server, a bad option value.</summary>
public sealed class ToolException(string message, Exception? inner = null) : Exception(message, inner);
