using DocFlow.Documents;

namespace DocFlow.Engine.Extraction;

/// <summary>
/// Adds understanding to an assembled <see cref="Document"/>: form fields, tables, entities, type, language.
/// Enrichers run in order on one document at a time; each may read what earlier ones added.
/// </summary>
public interface IDocumentEnricher
{
    /// <summary>Adds to <paramref name="document"/> in place. <paramref name="pages"/> are the page layouts the
    /// document was assembled from, in page order (with rulings and page sources), for geometry the Document lacks.</summary>
    void Enrich(Document document, IReadOnlyList<PageLayout> pages, CancellationToken cancellationToken);
}

/// <summary>The enrichers of the local engine, in the order they run.</summary>
public sealed class EnrichmentPipeline(IEnumerable<IDocumentEnricher> enrichers)
{
    private readonly IReadOnlyList<IDocumentEnricher> _enrichers = [.. enrichers];

    /// <summary>The default set of enrichers; <paramref name="receiptModels"/> replaces the shipped receipt line models (training, cross-validation).</summary>
    /// <remarks>Tables, then form fields (outside tables); generic entities; the document type (which counts form
    /// fields) before the invoice and receipt fields, whose confidence depends on it; language last.</remarks>
    public static EnrichmentPipeline CreateDefault(Entities.ReceiptModels? receiptModels = null) => new(
    [
        new Tables.TableEnricher(),
        new Forms.FormEnricher(),
        new Entities.GenericEntityEnricher(),
        new Classification.DocumentTypeEnricher(),
        new Entities.InvoiceEntityEnricher(receiptModels),
        new Language.LanguageEnricher(),
    ]);

    public void Run(Document document, IReadOnlyList<PageLayout> pages, CancellationToken cancellationToken)
    {
        foreach (var enricher in _enrichers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            enricher.Enrich(document, pages, cancellationToken);
        }
    }
}
