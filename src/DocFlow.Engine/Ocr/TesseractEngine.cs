using DocFlow.Documents;
using DocFlow.Engine.Imaging;
using DocFlow.Processing;
using static DocFlow.Engine.Ocr.Interop.TesseractNative;

namespace DocFlow.Engine.Ocr;

/// <summary>One initialised Tesseract engine (plus, on first need, its orientation detector). Not thread-safe: one page at a time.</summary>
internal sealed class TesseractEngine : IDisposable
{
    /// <summary>OSD runs on a copy scaled to about this resolution: enough for its blob classifier, a quarter of the pixels of 300 dpi.</summary>
    private const int OsdTargetDpi = 150;
    /// <summary>Median glyph height (pixels) of the OSD copy: half of 300 dpi text, as <see cref="OsdTargetDpi"/>.</summary>
    private const float OsdGlyphHeight = 12f;
    /// <summary>Never more pixels than a 150 dpi A4 page for OSD, whatever the glyph estimate says.</summary>
    private const double OsdMaxPixels = 2_200_000;

    private readonly TessBaseApiHandle _api;
    private readonly string _tessdataPath;
    private readonly string _languageCode;
    private TessBaseApiHandle? _osd;

    private TesseractEngine(TessBaseApiHandle api, string tessdataPath, string languageCode)
    {
        _api = api;
        _tessdataPath = tessdataPath;
        _languageCode = languageCode;
    }

    public static TesseractEngine Create(string tessdataPath, string languages, string languageCode)
    {
        var api = CreateApi(tessdataPath, languages);
        // Skip re-reading lines inverted (white on black) when their confidence is low: it can double the time of
        // a noisy line and only helps negative text, which scans and rendered PDFs hardly contain.
        TessBaseAPISetVariable(api, "tessedit_do_invert", "0");
        TessBaseAPISetPageSegMode(api, PsmAuto);
        return new TesseractEngine(api, tessdataPath, languageCode);
    }

    /// <summary>Recognises <paramref name="image"/> as it is (no orientation handling, no scaling).</summary>
    public PageLayout Recognize(PixImage image, int pageNumber, int rotationApplied, CancellationToken cancellationToken) =>
        Recognize(image, 1f, image.Width, image.Height, pageNumber, rotationApplied, cancellationToken);

    /// <summary>
    /// Recognises the prepared page's image; word boxes are mapped back to the original image's pixels and the page keeps
    /// the original's size and the rulings found on it.
    /// </summary>
    public PageLayout Recognize(PreparedPage page, int pageNumber, int rotationApplied, CancellationToken cancellationToken) =>
        Recognize(page.Image, page.Factor, page.Original.Width, page.Original.Height, pageNumber, rotationApplied, cancellationToken)
            with { Rulings = page.Rulings };

    /// <summary>
    /// Reads the prepared page again as one uniform block of text (no column or block analysis): the second reading of a
    /// till receipt (<see cref="PageLayout.SecondReading"/>). Boxes are in the original image's pixels, as the first's.
    /// </summary>
    public IReadOnlyList<BlockLayout> ReadAsOneBlock(PreparedPage page, int pageNumber, CancellationToken cancellationToken)
    {
        TessBaseAPISetPageSegMode(_api, PsmSingleBlock);
        try
        {
            return Recognize(page.Image, page.Factor, page.Original.Width, page.Original.Height, pageNumber, 0, cancellationToken).Blocks;
        }
        finally
        {
            TessBaseAPISetPageSegMode(_api, PsmAuto);
        }
    }

    private PageLayout Recognize(PixImage image, float factor, int width, int height, int pageNumber, int rotationApplied,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (image.Width > EngineLimits.MaxOcrSide || image.Height > EngineLimits.MaxOcrSide)
            throw new DocumentException(DocumentErrorCode.TooLarge,
                $"Page {pageNumber} is {image.Width} x {image.Height} pixels to recognise; Tesseract reads at most " +
                $"{EngineLimits.MaxOcrSide:N0} pixels a side. Scan or export the page at a lower resolution and submit it again.");
        try
        {
            TessBaseAPISetImage2(_api, image.Pix);
            SetResolution(_api, image);
            using (var monitor = TessMonitorHandle.Create(cancellationToken))
            {
                var rc = TessBaseAPIRecognize(_api, monitor);
                cancellationToken.ThrowIfCancellationRequested();
                if (rc != 0)
                    // The same image fails the same way: final, not retried.
                    throw new DocumentException(DocumentErrorCode.Internal,
                        $"Tesseract failed to recognise page {pageNumber} ({image.Width} x {image.Height} pixels, code {rc}).")
                    { Deterministic = true };
            }

            using var iterator = TessBaseAPIGetIterator(_api);
            var blocks = iterator.IsInvalid ? [] : ReadBlocks(iterator, factor, width, height);
            return new PageLayout(pageNumber, width, height, "pixels", blocks, PageSource.Ocr)
            {
                RotationApplied = rotationApplied,
                Confidence = MeanConfidence(blocks),
                LanguageCode = _languageCode,
            };
        }
        finally
        {
            TessBaseAPIClear(_api);
        }
    }

    /// <summary>
    /// Clockwise quarter turns that make <paramref name="image"/> upright, by Tesseract's OSD on a downscaled grey copy,
    /// or null when OSD finds too little text to decide. <paramref name="glyphHeight"/> (median glyph height in the image's
    /// pixels, when known) sizes the copy; otherwise the resolution does.
    /// </summary>
    public (int QuarterTurns, float Confidence)? DetectOrientation(PixImage image, float? glyphHeight, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _osd ??= CreateOsd();
        var dpi = image.YResolution is >= 70 and <= 2400 ? image.YResolution : 300;
        // The file's resolution is often wrong (96 dpi claimed for 600 dpi scans of receipts on A4, where OSD on the full
        // 35 megapixels took seconds): the text's own size says better how far the copy can shrink.
        var factor = glyphHeight is > 0f
            ? Math.Min(1f, OsdGlyphHeight / glyphHeight.Value)
            : Math.Min(1f, (float)OsdTargetDpi / dpi);
        factor = Math.Min(factor, (float)Math.Sqrt(OsdMaxPixels / Math.Max(1.0, (double)image.Width * image.Height)));
        using var small = image.ScaledGrey(factor);
        try
        {
            TessBaseAPISetImage2(_osd, small.Pix);
            TessBaseAPISetSourceResolution(_osd, Math.Max(70, (int)Math.Round(dpi * factor)));
            if (!TessBaseAPIDetectOrientationScript(_osd, out var degrees, out var confidence, out _, out _))
                return null;
            // Tesseract reports how far the page is turned clockwise; the inverse turn makes it upright.
            return ((4 - (degrees / 90) % 4) % 4, confidence);
        }
        finally
        {
            TessBaseAPIClear(_osd);
        }
    }

    public void Dispose()
    {
        _api.Dispose();
        _osd?.Dispose();
    }

    private TessBaseApiHandle CreateOsd()
    {
        var osd = CreateApi(_tessdataPath, "osd");
        TessBaseAPISetPageSegMode(osd, PsmOsdOnly);
        return osd;
    }

    private static TessBaseApiHandle CreateApi(string tessdataPath, string languages)
    {
        Imaging.Interop.LeptonicaNative.Quiet();
        var api = TessBaseAPICreate();
        if (api.IsInvalid)
            throw new InvalidOperationException("Tesseract could not create an engine (TessBaseAPICreate returned null).");
        // Tesseract's warnings ("Estimating resolution as ...") would otherwise go to the process's stderr for every page.
        TessBaseAPISetVariable(api, "debug_file", "/dev/null");
        if (TessBaseAPIInit2(api, tessdataPath, languages, OemDefault) != 0)
        {
            api.Dispose();
            throw new InvalidOperationException(
                $"Tesseract could not load the language data '{languages}' from '{tessdataPath}'.");
        }
        return api;
    }

    private static void SetResolution(TessBaseApiHandle api, PixImage image)
    {
        // Tesseract uses the resolution for its size thresholds; without one it estimates it from the text
        // (with a warning). Give it the file's when it is plausible.
        var dpi = image.YResolution;
        if (dpi is >= 70 and <= 2400)
            TessBaseAPISetSourceResolution(api, dpi);
    }

    /// <summary>A reading's confidence: the mean of its words' (0 when it has none).</summary>
    internal static float MeanConfidence(IEnumerable<BlockLayout> blocks)
    {
        var words = blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines).SelectMany(l => l.Words).ToList();
        return words.Count == 0 ? 0f : words.Average(w => w.Confidence);
    }

    private static List<BlockLayout> ReadBlocks(TessResultIteratorHandle it, float factor, int width, int height)
    {
        var blocks = new List<BlockLayout>();
        var paragraphs = new List<ParagraphLayout>();
        var lines = new List<LineLayout>();
        var words = new List<WordLayout>();

        void EndLine()
        {
            if (words.Count > 0)
                lines.Add(new LineLayout(words, Box.Union(words.Select(w => w.Box)), words.Average(w => w.Confidence)));
            words = [];
        }
        void EndParagraph()
        {
            EndLine();
            if (lines.Count > 0)
                paragraphs.Add(new ParagraphLayout(lines, Box.Union(lines.Select(l => l.Box)), lines.SelectMany(l => l.Words).Average(w => w.Confidence)));
            lines = [];
        }
        void EndBlock()
        {
            EndParagraph();
            if (paragraphs.Count > 0)
                blocks.Add(new BlockLayout(paragraphs, Box.Union(paragraphs.Select(p => p.Box)),
                    paragraphs.SelectMany(p => p.Lines).SelectMany(l => l.Words).Average(w => w.Confidence)));
            paragraphs = [];
        }

        do
        {
            if (it.IsAtBeginningOf(Level.Block))
                EndBlock();
            else if (it.IsAtBeginningOf(Level.Paragraph))
                EndParagraph();
            else if (it.IsAtBeginningOf(Level.TextLine))
                EndLine();

            var text = it.Text(Level.Word);
            if (string.IsNullOrWhiteSpace(text) || !it.BoundingBox(Level.Word, out var l, out var t, out var r, out var b))
                continue;
            // Tesseract's pixels are the scaled image's; the page is the original's.
            var box = new Box(Math.Clamp(l / factor, 0, width), Math.Clamp(t / factor, 0, height),
                Math.Clamp(r / factor, 0, width), Math.Clamp(b / factor, 0, height));
            var confidence = Math.Clamp(it.Confidence(Level.Word) / 100f, 0f, 1f);
            words.Add(new WordLayout(text.Trim(), box, confidence));
        }
        while (it.Next(Level.Word));

        EndBlock();
        return blocks;
    }
}
