using System.Data.Common;
using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DocFlow.IntegrationTests.Data;

/// <summary>Remembers the last query EF sent, with its parameters, so a test can ask the planner about it.</summary>
internal sealed class CommandCapture : DbCommandInterceptor
{
    public (string Sql, IReadOnlyList<(string Name, object? Value)> Parameters)? Last { get; private set; }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Last = (command.CommandText, command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value)).ToList());
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }
}

internal static class Some
{
    public static NewJob Job(string? id = null, string? sha256 = null, string? optionsKey = null) =>
        new(id ?? NewId("job"), "scan.pdf", "blobs/" + (sha256 ?? "x"), JobRoute.Pdf, JobPriority.Normal)
        {
            Sha256 = sha256,
            OptionsKey = optionsKey,
            MimeType = "application/pdf",
        };

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static Document Document(string text = "Invoice 42\nTotal 10.00 EUR") => new() { Text = text, MimeType = "application/pdf" };

    public static ProcessingStats Stats() =>
        new("application/pdf", 3, [2, 3], [3], new Dictionary<int, int>(), TimeSpan.FromMilliseconds(1234)) { DocumentType = "invoice" };
}

/// <summary>Keeps what was logged (tests look at errors a background loop swallowed).</summary>
internal sealed class ListLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        lock (Lines) Lines.Add($"{logLevel}: {formatter(state, exception)} {exception}");
    }
}
