namespace DocFlow.Storage;

/// <summary>What a long-running batch operation (Document AI's <c>:batchProcess</c>) asked for beyond its batch: the
/// processor type, where its outputs go, the request it came from (re-sent requests get the same operation) and its cancel.</summary>
/// <remarks>The operation is its batch (same id); its progress is the batch's. One row per batch, erased with it.</remarks>
public interface IBatchOperationStore
{
    /// <summary>Records a new operation (once per batch).</summary>
    Task SaveAsync(BatchOperationRecord operation, CancellationToken cancellationToken);

    /// <summary>The operation of <paramref name="batchId"/>, or null when the batch was not made by an operation.</summary>
    Task<BatchOperationRecord?> GetAsync(string batchId, CancellationToken cancellationToken);

    /// <summary>The newest operation made from <paramref name="requestKey"/> at or after <paramref name="since"/>, or null.</summary>
    Task<BatchOperationRecord?> FindRecentAsync(string requestKey, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Records a cancel (<paramref name="cancelled"/>) or that the outputs were written (<paramref name="outputsWritten"/>).</summary>
    Task MarkAsync(string batchId, bool cancelled, bool outputsWritten, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>One batch operation.</summary>
/// <param name="BatchId">The batch (and operation) id.</param>
/// <param name="Tenant">The tenant of the caller (whose buckets the outputs go to).</param>
/// <param name="ProcessorType">The processor type (what the outputs hold).</param>
/// <param name="OutputPrefix">Where outputs go (<c>gs://bucket/prefix</c>); null keeps them in DocFlow only.</param>
/// <param name="FieldMask">The fields of the written outputs; null for all.</param>
/// <param name="RequestKey">A digest of the caller and the request body (dedup of re-sent requests).</param>
/// <param name="CreatedAt">When the operation was made.</param>
public sealed record BatchOperationRecord(string BatchId, string Tenant, string ProcessorType, string? OutputPrefix, string? FieldMask,
    string RequestKey, DateTimeOffset CreatedAt)
{
    /// <summary>When a cancel was asked for; null when none was.</summary>
    public DateTimeOffset? CancelledAt { get; init; }

    /// <summary>When the outputs were written; null until then.</summary>
    public DateTimeOffset? OutputsWrittenAt { get; init; }
}
