using DocFlow.Documents;
using DocFlow.Engine.Imaging;
using static DocFlow.Engine.Ocr.Interop.TesseractNative;

namespace DocFlow.Engine.Ocr;

/// <summary>One initialised Tesseract engine (plus, on first need, its orientation detector). Not thread-safe: one page at a time.</summary>
internal sealed class TesseractEngine : IDisposable
{
    /// <summary>OSD runs on a copy scaled to about this resolution: enough for its blob classifier, a quarter of the pixels of 300 dpi.</summary>
    private const int OsdTargetDpi = 150;

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

    /// <summary>Recognises <paramref name="image"/> as it is (no orientation handling).</summary>
    public PageLayout Recognize(PixImage image, int pageNumber, int rotationApplied, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var width = image.Width;
        var height = image.Height;
        try
        {
            TessBaseAPISetImage2(_api, image.Pix);
            SetResolution(_api, image);
            using (var monitor = TessMonitorHandle.Create(cancellationToken))
            {
                var rc = TessBaseAPIRecognize(_api, monitor);
                cancellationToken.ThrowIfCancellationRequested();
                if (rc != 0)
                    throw new InvalidOperationException($"Tesseract failed to recognise page {pageNumber} (code {rc}).");
            }

            using var iterator = TessBaseAPIGetIterator(_api);
            var blocks = iterator.IsInvalid ? [] : ReadBlocks(iterator, width, height);
            var words = blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines).SelectMany(l => l.Words).ToList();
            return new PageLayout(pageNumber, width, height, "pixels", blocks, PageSource.Ocr)
            {
                RotationApplied = rotationApplied,
                Confidence = words.Count == 0 ? 0f : words.Average(w => w.Confidence),
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
    /// or null when OSD finds too little text to decide.
    /// </summary>
    public (int QuarterTurns, float Confidence)? DetectOrientation(PixImage image, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _osd ??= CreateOsd();
        var dpi = image.YResolution is >= 70 and <= 2400 ? image.YResolution : 300;
        var factor = Math.Min(1f, (float)OsdTargetDpi / dpi);
        using var small = image.ScaledGrey(factor);
        try
        {
            TessBaseAPISetImage2(_osd, small.Pix);
            TessBaseAPISetSourceResolution(_osd, (int)Math.Round(dpi * factor));
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

    private static List<BlockLayout> ReadBlocks(TessResultIteratorHandle it, int width, int height)
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
            var box = new Box(Math.Clamp(l, 0, width), Math.Clamp(t, 0, height), Math.Clamp(r, 0, width), Math.Clamp(b, 0, height));
            var confidence = Math.Clamp(it.Confidence(Level.Word) / 100f, 0f, 1f);
            words.Add(new WordLayout(text.Trim(), box, confidence));
        }
        while (it.Next(Level.Word));

        EndBlock();
        return blocks;
    }
}
