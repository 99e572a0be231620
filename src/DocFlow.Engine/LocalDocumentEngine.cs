using System.Collections.Concurrent;
using System.Diagnostics;
using DocFlow.Documents;
using DocFlow.Engine.Extraction;
using DocFlow.Engine.Imaging;
using DocFlow.Engine.Ocr;
using DocFlow.Engine.Pdf;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;

namespace DocFlow.Engine;

/// <summary>
/// The local Document AI engine: sniff and validate, then every page through the text layer or OCR,
/// pages in parallel on a fixed number of slots (one Tesseract engine each), merged back in order.
/// </summary>
/// <remarks>Pages, not files, are the unit of parallel work: all documents share the slots, so one
/// 60-page scan keeps every core busy just as a folder of single pages does.</remarks>
public sealed class LocalDocumentEngine : IDocumentEngine, IDisposable
{
    private readonly EngineOptions _options;
    private readonly TesseractEnginePool _ocr;
    private readonly SemaphoreSlim _slots;
    private readonly EnrichmentPipeline _enrichment;

    public LocalDocumentEngine(EngineOptions options, EnrichmentPipeline? enrichment = null)
    {
        _options = options;
        _enrichment = enrichment ?? EnrichmentPipeline.CreateDefault();
        _ocr = new TesseractEnginePool(options.Languages, options.Slots, options.TessdataPath);
        _slots = new SemaphoreSlim(options.Slots, options.Slots);
    }

    public EngineOptions Options => _options;

    public async Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.DocumentTimeout);
        string? mime = null;
        try
        {
            var inspected = InputInspector.Inspect(input.Content, _options);
            mime = inspected.MimeType;
            var work = new PageWork();
            var layouts = inspected.Kind == InputKind.Pdf
                ? await ProcessPdfAsync(input.Content, work, budget.Token).ConfigureAwait(false)
                : await ProcessImageAsync(input.Content, inspected.PageCount, work, budget.Token).ConfigureAwait(false);
            var document = DocumentAssembler.Assemble(mime, layouts);
            var enrichStarted = Stopwatch.GetTimestamp();
            _enrichment.Run(document, layouts, budget.Token);
            var enrichmentTime = Stopwatch.GetElapsedTime(enrichStarted);
            var stats = new ProcessingStats(
                mime,
                layouts.Length,
                [.. layouts.Where(l => l.Source == PageSource.Ocr).Select(l => l.PageNumber)],
                [.. work.Rasterized.Order()],
                layouts.Where(l => l.RotationApplied != 0).ToDictionary(l => l.PageNumber, l => l.RotationApplied),
                Stopwatch.GetElapsedTime(started))
            {
                DocumentType = document.Entities?.FirstOrDefault(e => e.Type == "document_type")?.MentionText,
                EnrichmentTime = enrichmentTime,
            };
            return new DocumentResult(document, stats);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DocumentException(DocumentErrorCode.Timeout,
                $"Processing took longer than the budget of {_options.DocumentTimeout.TotalSeconds:F0} s and was stopped; " +
                "raise Engine:DocumentTimeout or split the document.") { MimeType = mime };
        }
        catch (DocumentException ex) when (ex.MimeType is null && mime is not null)
        {
            throw new DocumentException(ex.Code, ex.Message, ex) { MimeType = mime };
        }
        catch (Exception ex) when (ex is not DocumentException and not OperationCanceledException)
        {
            throw new DocumentException(DocumentErrorCode.Internal, $"Unexpected failure: {ex.Message}", ex) { MimeType = mime };
        }
    }

    private Task<PageLayout[]> ProcessImageAsync(ReadOnlyMemory<byte> content, int frames, PageWork work, CancellationToken ct)
    {
        var pages = Enumerable.Range(0, frames).Select(frame => RunOnSlotAsync(() =>
        {
            using var image = PixImage.Decode(content.Span, frame);
            return _ocr.Recognize(image, frame + 1, ct);
        }, ct));
        return Task.WhenAll(pages);
    }

    private async Task<PageLayout[]> ProcessPdfAsync(ReadOnlyMemory<byte> content, PageWork work, CancellationToken ct)
    {
        using var pdf = PdfSource.Open(content);
        var pages = Enumerable.Range(1, pdf.PageCount).Select(n => RunOnSlotAsync(() =>
        {
            var page = pdf.ReadPage(n);
            if (page.TextLayer is { } text) return text;
            var bytes = page.ScanImage;
            if (bytes is null)
            {
                bytes = pdf.RasterizeAsync(n, _options.RasterDpi, ct).GetAwaiter().GetResult();
                work.Rasterized.Add(n);
            }
            using var image = PixImage.Decode(bytes, 0);
            // The scan's resolution follows from the page size: Tesseract sizes its analysis by it.
            var dpi = page.WidthPoints > 0 ? (int)Math.Round(image.Width / (page.WidthPoints / 72f)) : _options.RasterDpi;
            image.SetResolution(dpi, dpi);
            return _ocr.Recognize(image, n, ct);
        }, ct));
        return await Task.WhenAll(pages).ConfigureAwait(false);
    }

    /// <summary>Runs CPU-bound page work on its own thread once a slot is free (slots are taken in FIFO order).</summary>
    private async Task<T> RunOnSlotAsync<T>(Func<T> work, CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ct.ThrowIfCancellationRequested();
            return await Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose()
    {
        _ocr.Dispose();
        _slots.Dispose();
    }

    private sealed class PageWork
    {
        public ConcurrentBag<int> Rasterized { get; } = [];
    }
}
