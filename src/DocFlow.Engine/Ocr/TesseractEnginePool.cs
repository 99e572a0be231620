using System.Collections.Concurrent;
using DocFlow.Documents;
using DocFlow.Engine.Extraction.Entities;
using DocFlow.Engine.Imaging;

namespace DocFlow.Engine.Ocr;

/// <summary>
/// A fixed number of initialised Tesseract engines, created on first use and reused for every page
/// (initialising one costs ~100 ms). <see cref="Recognize"/> may be called from many threads; at most
/// <c>size</c> pages are recognised at once, the others wait for an engine.
/// </summary>
public sealed class TesseractEnginePool : IDisposable
{
    /// <summary>Where Debian's tesseract-ocr packages install their traineddata.</summary>
    public const string DefaultTessdataPath = "/usr/share/tesseract-ocr/5/tessdata";

    // A first pass at least this good is taken as upright; anything worse pays for orientation detection. Upside-down
    // pages read at 0.20-0.33 mean confidence (FUNSD forms and a shop receipt turned by 180°, tesseract 5.3), upright
    // pages of the dev sets at 0.35 and more, 0.40 and more on forms: at 0.70, 40 % of the forms paid for an OSD that
    // never found a turn (about 30 ms a page, 7 % of their OCR); at 0.50 it is 3 %.
    private const float UprightConfidence = 0.50f;
    private const int UprightMinWords = 8;
    // Below this OSD confidence the detector is guessing; Tesseract's own CLI uses a similar margin.
    private const float MinOrientationConfidence = 1.5f;

    private readonly ConcurrentBag<TesseractEngine> _idle = [];
    private readonly SemaphoreSlim _slots;
    private readonly Lock _createGate = new();
    private readonly string _tessdataPath;
    private readonly string _languageCode;
    private int _created;
    private volatile bool _disposed;

    public TesseractEnginePool(string languages, int size, string? tessdataPath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(languages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        NativeEnvironment.EnsureInitialised();

        Languages = languages.Trim();
        Size = size;
        _tessdataPath = ResolveTessdataPath(tessdataPath);
        var names = Languages.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            if (!File.Exists(Path.Combine(_tessdataPath, name + ".traineddata")))
                throw new InvalidOperationException(
                    $"Tesseract language '{name}' is not installed: {Path.Combine(_tessdataPath, name + ".traineddata")} does not exist. " +
                    $"Install it with 'apt-get install {AptPackage(name)}', or use one of: {string.Join(", ", InstalledLanguages(_tessdataPath))}.");
        }
        _languageCode = LanguageCode(names);
        _slots = new SemaphoreSlim(size, size);
    }

    /// <summary>The Tesseract languages, '+'-separated (e.g. "eng+deu").</summary>
    public string Languages { get; }

    /// <summary>Most engines (and so pages recognised at once).</summary>
    public int Size { get; }

    /// <summary>
    /// Recognises one page: OCR as it is; when the result looks wrong (few words or low confidence) the page's orientation is
    /// detected (Tesseract OSD on a downscaled copy) and, if it is turned, the upright image is recognised instead.
    /// Coordinates are pixels of the upright image.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, also mid-page.</exception>
    public PageLayout Recognize(PixImage image, int pageNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var engine = Rent(cancellationToken);
        try
        {
            // Scaled to a comfortable text size, rulings found (and painted out); boxes come back in the image's pixels.
            PageLayout page;
            float? glyphHeight;
            using (var prepared = PagePreparation.Prepare(image, cancellationToken))
            {
                page = engine.Recognize(prepared, pageNumber, 0, cancellationToken);
                glyphHeight = prepared.GlyphHeight;
                // A till-shaped page whose automatic segmentation found almost no text (faint thermal print on a page the
                // layout analysis took for an image) is read as one uniform block, which replaces the first reading when it
                // holds more confident characters and passes as upright itself (mean confidence 0.50: upside-down pages read
                // at 0.20-0.33, and the block readings of three sparse dev receipts at 0.28-0.41 are mostly noise that costs
                // the text more than their fields gain). It is not read a third time.
                var block = false;
                if (SparseTillPage(image.Width, image.Height, page))
                {
                    var blocks = engine.ReadAsOneBlock(prepared, pageNumber, cancellationToken);
                    var blockPage = page with { Blocks = blocks, Confidence = TesseractEngine.MeanConfidence(blocks) };
                    if (LooksRight(blockPage) && Score(blockPage) > Score(page)) (page, block) = (blockPage, true);
                }
                // A till receipt, upright: read once more as one block, for the amounts and dates the first reading lost. Never
                // a low-resolution page-shaped scan (see PagePreparation.MayBeTillReceipt): forms full of amounts asked for it.
                // The page's words are the two readings merged: the second's words where it read a stretch of a line more
                // confidently (amounts, dates and times stay the first's: the receipt rules choose those from both readings).
                if (!block && LooksRight(page) && PageRotation.SidewaysQuarterTurns(page) == 0
                    && PagePreparation.MayBeTillReceipt(image.Width, image.Height, prepared.Factor)
                    && ReceiptCues.NeedsSecondReading(page))
                {
                    var secondBlocks = engine.ReadAsOneBlock(prepared, pageNumber, cancellationToken);
                    var merged = ReadingMerge.Merge(page.Blocks, secondBlocks);
                    return page with { Blocks = merged, Confidence = TesseractEngine.MeanConfidence(merged), SecondReading = secondBlocks };
                }
            }

            // Tesseract reads the vertical lines of a page turned by 90° by itself; only the coordinates need turning.
            var sideways = PageRotation.SidewaysQuarterTurns(page);
            if (sideways != 0 && LooksRight(page))
                return PageRotation.Turn(page, sideways);
            if (LooksRight(page))
                return page;

            // Few words or low confidence: upside down, turned the other way, or just a poor scan. Only such pages pay
            // for orientation detection (OSD on a downscaled copy), and for a second recognition if OSD finds a turn.
            var orientation = engine.DetectOrientation(image, glyphHeight, cancellationToken);
            if (orientation is not { QuarterTurns: not 0 } found || found.Confidence < MinOrientationConfidence)
                return page;

            using var upright = image.Rotate(found.QuarterTurns);
            using var preparedUpright = PagePreparation.Prepare(upright, cancellationToken);
            var second = engine.Recognize(preparedUpright, pageNumber, found.QuarterTurns * 90, cancellationToken);
            return Score(second) >= Score(page) ? second : page;
        }
        finally
        {
            Return(engine);
        }
    }

    /// <summary>Languages with a traineddata file in <paramref name="tessdataPath"/> (default: Debian's folder), without "osd".</summary>
    public static IReadOnlyList<string> InstalledLanguages(string? tessdataPath)
    {
        var path = ResolveTessdataPath(tessdataPath);
        if (!Directory.Exists(path))
            return [];
        return Directory.EnumerateFiles(path, "*.traineddata")
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(n => n != "osd")
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        while (_idle.TryTake(out var engine))
            engine.Dispose();
        // Engines still rented are disposed when they come back (see Return).
    }

    internal static bool LooksRight(PageLayout page)
    {
        var words = page.Blocks.Sum(b => b.Paragraphs.Sum(p => p.Lines.Sum(l => l.Words.Count)));
        return words >= UprightMinWords && page.Confidence >= UprightConfidence;
    }

    /// <summary>Fewer confident characters than this on a till-shaped page: the first reading lost the page (see <see cref="SparseTillPage"/>).</summary>
    internal const double SparseScore = 150;

    /// <summary>
    /// Whether a page is shaped like a till receipt (at least <see cref="PagePreparation.ReceiptAspect"/> times as tall as wide)
    /// and its first reading holds fewer than <see cref="SparseScore"/> confident characters. Of the 80 SROIE dev receipts,
    /// four read that little (0, 60, 101 and 133: two faint ones the automatic segmentation left nearly blank, two printed
    /// purple on pink); every other first reading holds 200 or more.
    /// </summary>
    internal static bool SparseTillPage(int width, int height, PageLayout page) =>
        height >= PagePreparation.ReceiptAspect * width && Score(page) < SparseScore;

    private static double Score(PageLayout page)
    {
        var words = page.Blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines).SelectMany(l => l.Words);
        // Confident characters: rewards both reading more text and reading it well.
        return words.Sum(w => w.Confidence * w.Text.Length);
    }

    private TesseractEngine Rent(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _slots.Wait(cancellationToken);
        try
        {
            if (_idle.TryTake(out var engine))
                return engine;
            lock (_createGate)
            {
                // Serialised: Tesseract's initialisation touches process-wide state. A warm-up may have added one meanwhile.
                if (_idle.TryTake(out engine))
                    return engine;
                engine = TesseractEngine.Create(_tessdataPath, Languages, _languageCode);
                _created++;
                return engine;
            }
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private void Return(TesseractEngine engine)
    {
        if (_disposed)
            engine.Dispose();
        else
            _idle.Add(engine);
        _slots.Release();
    }

    /// <summary>Initialises the pool's engines in the background (about 100 ms each, one after another), so the first
    /// pages do not wait for them: called while a batch's inputs are still being read.</summary>
    public Task WarmUpAsync() => Task.Run(() =>
    {
        while (!_disposed)
        {
            lock (_createGate)
            {
                if (_disposed || _created >= Size) return;
                _idle.Add(TesseractEngine.Create(_tessdataPath, Languages, _languageCode));
                _created++;
            }
        }
    });

    internal int EnginesCreated => Volatile.Read(ref _created);

    private static string ResolveTessdataPath(string? tessdataPath)
    {
        if (!string.IsNullOrWhiteSpace(tessdataPath))
            return tessdataPath;
        var prefix = Environment.GetEnvironmentVariable("TESSDATA_PREFIX");
        return string.IsNullOrWhiteSpace(prefix) ? DefaultTessdataPath : prefix;
    }

    /// <summary>
    /// The Debian package that installs a Tesseract model: a language's is <c>tesseract-ocr-&lt;name&gt;</c>
    /// (chi_sim → tesseract-ocr-chi-sim); a script model's (capitalised: Latin, Cyrillic, ...) is
    /// <c>tesseract-ocr-script-&lt;ISO 15924 code&gt;</c> (Latin → tesseract-ocr-script-latn).
    /// </summary>
    internal static string AptPackage(string model) => ScriptCode(model) is { } script
        ? "tesseract-ocr-script-" + script
        : "tesseract-ocr-" + model.ToLowerInvariant().Replace('_', '-');

    /// <summary>
    /// The ISO 15924 code (lower case) of a Tesseract script model, or null for a language model. Script models are named
    /// after their script with a capital letter (Debian's tesseract-ocr-script-* packages); languages are lower case.
    /// </summary>
    internal static string? ScriptCode(string model)
    {
        if (model.Length == 0 || !char.IsUpper(model[0]))
            return null;
        var vertical = model.EndsWith("_vert", StringComparison.Ordinal);
        var name = vertical ? model[..^5] : model;
        var code = name switch
        {
            "Latin" => "latn", "Cyrillic" => "cyrl", "Greek" => "grek", "Arabic" => "arab", "Hebrew" => "hebr",
            "Syriac" => "syrc", "Thaana" => "thaa", "Devanagari" => "deva", "Bengali" => "beng", "Gurmukhi" => "guru",
            "Gujarati" => "gujr", "Oriya" => "orya", "Tamil" => "taml", "Telugu" => "telu", "Kannada" => "knda",
            "Malayalam" => "mlym", "Sinhala" => "sinh", "Thai" => "thai", "Lao" => "laoo", "Khmer" => "khmr",
            "Myanmar" => "mymr", "Tibetan" => "tibt", "Armenian" => "armn", "Georgian" => "geor", "Ethiopic" => "ethi",
            "Cherokee" => "cher", "Canadian_Aboriginal" => "cans", "Hangul" => "hang", "Japanese" => "jpan",
            "HanS" => "hans", "HanT" => "hant", "Vietnamese" => "viet", "Fraktur" => "frak",
            _ => name.ToLowerInvariant().Replace('_', '-'),
        };
        return vertical ? code + "-vert" : code;
    }

    /// <summary>
    /// The pages' language code for the models read with: their ISO 639-1 codes, '+'-joined (eng+deu → en+de). A script
    /// model names no language (Latin reads English, Malay, German, ...), so it adds none (eng+Latin → en); models that are
    /// all scripts keep their names.
    /// </summary>
    internal static string LanguageCode(IReadOnlyList<string> models)
    {
        var languages = models.Where(m => ScriptCode(m) is null).ToList();
        return string.Join('+', (languages.Count > 0 ? languages : models).Select(ToIsoCode).Distinct());
    }

    /// <summary>ISO 639-1 code of a Tesseract language name where there is one (eng → en), else the name itself.</summary>
    internal static string ToIsoCode(string tesseractLanguage) => tesseractLanguage switch
    {
        "eng" => "en", "deu" => "de", "fra" => "fr", "spa" => "es", "ita" => "it", "por" => "pt", "nld" => "nl",
        "pol" => "pl", "ces" => "cs", "slk" => "sk", "slv" => "sl", "hrv" => "hr", "hun" => "hu", "ron" => "ro",
        "bul" => "bg", "rus" => "ru", "ukr" => "uk", "ell" => "el", "tur" => "tr", "swe" => "sv", "dan" => "da",
        "nor" => "no", "fin" => "fi", "est" => "et", "lav" => "lv", "lit" => "lt", "isl" => "is", "gle" => "ga",
        "cat" => "ca", "eus" => "eu", "glg" => "gl", "srp" => "sr", "mkd" => "mk", "bel" => "be", "ara" => "ar",
        "heb" => "he", "fas" => "fa", "urd" => "ur", "hin" => "hi", "ben" => "bn", "tam" => "ta", "tel" => "te",
        "tha" => "th", "vie" => "vi", "ind" => "id", "msa" => "ms", "jpn" => "ja", "kor" => "ko",
        "chi_sim" => "zh", "chi_tra" => "zh", "afr" => "af", "swa" => "sw", "lat" => "la",
        _ => tesseractLanguage,
    };
}
