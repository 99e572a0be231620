using System.Collections.Concurrent;
using System.Diagnostics;
using DocFlow.Documents;
using DocFlow.Engine.Extraction;
using DocFlow.Engine.Imaging;
using DocFlow.Engine.Ocr;
using DocFlow.Engine.Pdf;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;
using DocFlow.Queueing;

namespace DocFlow.Engine;

/// <summary>
/// The local Document AI engine: sniff and validate, then every page through the text layer or OCR,
/// pages in parallel on a fixed number of slots (one Tesseract engine each), merged back in order.
/// </summary>
/// <remarks>Pages, not files, are the unit of parallel work: all documents share the slots, so one
/// 60-page scan keeps every core busy just as a folder of single pages does.</remarks>
public sealed class LocalDocumentEngine : IDocumentEngine, IPageRangeEngine, IDisposable
{
    private readonly EngineOptions _options;
    private readonly TesseractEnginePool _ocr;
    private readonly SemaphoreSlim _slots;
    private readonly EnrichmentPipeline _enrichment;

    public LocalDocumentEngine(EngineOptions options, EnrichmentPipeline? enrichment = null)
    {
        _options = options;
        _enrichment = enrichment ?? EnrichmentPipeline.CreateDefault(SupplierOverride(options.Suppliers));
        _ocr = new TesseractEnginePool(options.Languages, options.Slots, options.TessdataPath);
        _slots = new SemaphoreSlim(options.Slots, options.Slots);
    }

    public EngineOptions Options => _options;

    /// <summary>The shipped receipt models with the configured supplier registry, or null to keep the shipped one.</summary>
    private static Extraction.Entities.ReceiptModels? SupplierOverride(string? suppliers)
    {
        if (string.IsNullOrWhiteSpace(suppliers) || Extraction.Entities.ReceiptModels.Embedded is not { } shipped) return null;
        if (suppliers.Equals("none", StringComparison.OrdinalIgnoreCase)) return shipped.WithSuppliers(null);
        try
        {
            using var file = File.OpenRead(suppliers);
            return shipped.WithSuppliers(Extraction.Normalization.SupplierRegistry.FromJson(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
        {
            throw new InvalidOperationException($"Engine:Suppliers: cannot read the supplier registry '{suppliers}': {e.Message}", e);
        }
    }

    /// <summary>Called on the page's thread when a page starts (true) and ends (false): the engine host reports it to its
    /// worker, whose watchdog knows which page runs and whether there is progress.</summary>
    public Action<int, bool>? PageProgress { get; set; }

    /// <summary>Starts the OCR engines in the background, so that the first scanned pages do not wait for them.</summary>
    /// <remarks>Failures are left to the first page that needs an engine, where they are reported with the document.</remarks>
    public void WarmUp() => _ocr.WarmUpAsync().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);

    /// <summary>What makes two runs over the same bytes give the same Document: the engine's version and the options
    /// that change its output. Resume (`docflow process`) and deduplication (the server) both key on it.</summary>
    public static string OptionsKey(EngineOptions options) =>
        $"engine={typeof(LocalDocumentEngine).Assembly.GetName().Version};lang={options.Languages};dpi={options.RasterDpi}" +
        (string.IsNullOrWhiteSpace(options.Suppliers) ? "" : $";suppliers={options.Suppliers}");

    public async Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.DocumentTimeout);
        string? mime = null;
        return await GuardAsync(async () =>
        {
            var inspected = InputInspector.Inspect(input.Content, _options);
            mime = inspected.MimeType;
            if (input.Pages is { } selection)
            {
                // Only the selected pages, one read per consecutive run; the layouts keep their original page numbers.
                var runs = PageSelection.Runs(selection.Resolve(inspected.PageCount));
                var read = await Task.WhenAll(runs.Select(r => ReadPagesAsync(input.Content, inspected, r, budget.Token))).ConfigureAwait(false);
                return FinishCore(mime, [.. read.SelectMany(r => r.Layouts).OrderBy(l => l.PageNumber)],
                    [.. read.SelectMany(r => r.RasterizedPages)], started, null, budget.Token);
            }
            var pages = await ReadPagesAsync(input.Content, inspected, null, budget.Token).ConfigureAwait(false);
            return FinishCore(mime, pages.Layouts, pages.RasterizedPages, started, null, budget.Token);
        }, () => mime, cancellationToken).ConfigureAwait(false);
    }

    public DocumentOutline Inspect(DocumentInput input)
    {
        var inspected = InputInspector.Inspect(input.Content, _options);
        return new DocumentOutline(inspected.MimeType, inspected.PageCount);
    }

    public async Task<PageRangeResult> ProcessPagesAsync(DocumentInput input, PageRange pages, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.DocumentTimeout);
        string? mime = null;
        return await GuardAsync(async () =>
        {
            var inspected = InputInspector.Inspect(input.Content, _options);
            mime = inspected.MimeType;
            if (pages.Last > inspected.PageCount)
                throw new DocumentException(DocumentErrorCode.Corrupt,
                    $"Pages {pages} were asked for, but the document has {inspected.PageCount}.");
            return await ReadPagesAsync(input.Content, inspected, pages, budget.Token).ConfigureAwait(false);
        }, () => mime, cancellationToken).ConfigureAwait(false);
    }

    public DocumentResult Finish(string mimeType, IReadOnlyList<PageLayout> layouts, IReadOnlyCollection<int> rasterizedPages,
        TimeSpan elapsed, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.DocumentTimeout);
        return GuardAsync(() => Task.FromResult(FinishCore(mimeType, [.. layouts.OrderBy(l => l.PageNumber)], rasterizedPages, 0, elapsed, budget.Token)),
            () => mimeType, cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>Assembly and enrichment: the one code path that turns page layouts into a Document, whole or split.</summary>
    private DocumentResult FinishCore(string mime, IReadOnlyList<PageLayout> layouts, IReadOnlyCollection<int> rasterized,
        long started, TimeSpan? elapsed, CancellationToken ct)
    {
        var document = DocumentAssembler.Assemble(mime, layouts);
        var enrichStarted = Stopwatch.GetTimestamp();
        _enrichment.Run(document, layouts, ct);
        var enrichmentTime = Stopwatch.GetElapsedTime(enrichStarted);
        var stats = new ProcessingStats(
            mime,
            layouts.Count,
            [.. layouts.Where(l => l.Source == PageSource.Ocr).Select(l => l.PageNumber)],
            [.. rasterized.Order()],
            layouts.Where(l => l.RotationApplied != 0).ToDictionary(l => l.PageNumber, l => l.RotationApplied),
            elapsed ?? Stopwatch.GetElapsedTime(started))
        {
            DocumentType = document.Entities?.FirstOrDefault(e => e.Type == "document_type")?.MentionText,
            EnrichmentTime = enrichmentTime,
        };
        return new DocumentResult(document, stats);
    }

    private async Task<PageRangeResult> ReadPagesAsync(ReadOnlyMemory<byte> content, InspectedInput inspected, PageRange? range, CancellationToken ct)
    {
        var work = new PageWork();
        var layouts = inspected.Kind == InputKind.Pdf
            ? await ProcessPdfAsync(content, range, work, ct).ConfigureAwait(false)
            : await ProcessImageAsync(content, range ?? new PageRange(1, inspected.PageCount), work, ct).ConfigureAwait(false);
        return new PageRangeResult(inspected.MimeType, layouts, [.. work.Rasterized.Order()]);
    }

    /// <summary>Maps failures to document errors: the budget to a timeout, anything unexpected to an internal error.</summary>
    private async Task<T> GuardAsync<T>(Func<Task<T>> work, Func<string?> mime, CancellationToken cancellationToken)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DocumentException(DocumentErrorCode.Timeout,
                $"Processing took longer than the budget of {_options.DocumentTimeout.TotalSeconds:F0} s and was stopped; " +
                "raise Engine:DocumentTimeout or split the document.") { MimeType = mime() };
        }
        catch (DocumentException ex) when (ex.MimeType is null && mime() is not null)
        {
            throw new DocumentException(ex.Code, ex.Message, ex) { MimeType = mime(), Deterministic = ex.Deterministic };
        }
        catch (Exception ex) when (ex is not DocumentException and not OperationCanceledException)
        {
            throw new DocumentException(DocumentErrorCode.Internal, $"Unexpected failure: {ex.Message}", ex) { MimeType = mime() };
        }
    }

    private Task<PageLayout[]> ProcessImageAsync(ReadOnlyMemory<byte> content, PageRange range, PageWork work, CancellationToken ct)
    {
        var pages = Enumerable.Range(range.First - 1, range.Count).Select(frame => RunOnSlotAsync(frame + 1, () =>
        {
            using var image = PixImage.Decode(content.Span, frame);
            return _ocr.Recognize(image, frame + 1, ct);
        }, ct));
        return Task.WhenAll(pages);
    }

    private async Task<PageLayout[]> ProcessPdfAsync(ReadOnlyMemory<byte> content, PageRange? range, PageWork work, CancellationToken ct)
    {
        using var pdf = PdfSource.Open(content);
        pdf.MaxExtractedImagePixels = _options.Limits.MaxRenderPixels;
        var first = range?.First ?? 1;
        var last = Math.Min(range?.Last ?? pdf.PageCount, pdf.PageCount);
        var pages = Enumerable.Range(first, Math.Max(last - first + 1, 0)).Select(n => RunOnSlotAsync(n, () =>
        {
            var page = pdf.ReadPage(n);
            if (page.TextLayer is { } text) return text;
            var bytes = page.ScanImage;
            if (bytes is null)
            {
                var renderDpi = RenderLimits.Dpi(n, page.WidthPoints, page.HeightPoints, _options);
                bytes = pdf.RasterizeAsync(n, renderDpi, _options.Limits.RenderTimeout, ct).GetAwaiter().GetResult();
                work.Rasterized.Add(n);
            }
            else if (page.ScanImageMimeType == "image/jpeg")
            {
                RenderLimits.CheckEmbeddedJpeg(n, bytes, _options.Limits);
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
    private async Task<T> RunOnSlotAsync<T>(int page, Func<T> work, CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ct.ThrowIfCancellationRequested();
            return await Task.Factory.StartNew(() =>
            {
                var progress = PageProgress;
                progress?.Invoke(page, true);
                try
                {
                    return work();
                }
                finally
                {
                    progress?.Invoke(page, false);
                }
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
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
