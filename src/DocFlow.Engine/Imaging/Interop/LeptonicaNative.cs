using System.Runtime.InteropServices;

namespace DocFlow.Engine.Imaging.Interop;

/// <summary>P/Invoke declarations for leptonica (liblept.so.5, Debian 12: 1.82). The only place that sees PIX pointers.</summary>
internal static partial class LeptonicaNative
{
    private const string Library = "liblept.so.5";

    [LibraryImport(Library)]
    internal static unsafe partial PixHandle pixReadMem(byte* data, nuint size);

    [LibraryImport(Library)]
    internal static unsafe partial PixHandle pixReadMemTiff(byte* data, nuint size, int n);

    [LibraryImport(Library)]
    private static partial void pixDestroy(ref nint pix);

    [LibraryImport(Library)]
    internal static partial int pixGetWidth(PixHandle pix);

    [LibraryImport(Library)]
    internal static partial int pixGetHeight(PixHandle pix);

    [LibraryImport(Library)]
    internal static partial int pixGetDepth(PixHandle pix);

    [LibraryImport(Library)]
    internal static partial int pixGetXRes(PixHandle pix);

    [LibraryImport(Library)]
    internal static partial int pixGetYRes(PixHandle pix);

    [LibraryImport(Library)]
    internal static partial int pixSetResolution(PixHandle pix, int xres, int yres);

    /// <summary>Rotates by <paramref name="quads"/> quarter turns clockwise; always returns a new reference (a clone for 0).</summary>
    [LibraryImport(Library)]
    internal static partial PixHandle pixRotateOrth(PixHandle pix, int quads);

    /// <summary>Converts any depth to 8 bpp grey (colormaps removed); 8 bpp input gives a clone or copy.</summary>
    [LibraryImport(Library)]
    internal static partial PixHandle pixConvertTo8(PixHandle pix, int cmapflag);

    /// <summary>Area-mapped (antialiased) scaling; best for reduction of grey/colour images.</summary>
    [LibraryImport(Library)]
    internal static partial PixHandle pixScaleAreaMap(PixHandle pix, float scalex, float scaley);

    /// <summary>Chooses the scaling method by depth and factor: binary images are subsampled; grey and colour ones
    /// enlarged by linear interpolation, sharpened (unsharp mask) below 1.4×.</summary>
    [LibraryImport(Library)]
    internal static partial PixHandle pixScale(PixHandle pix, float scalex, float scaley);

    /// <summary>Otsu threshold per tile (<paramref name="sx"/> × <paramref name="sy"/>), smoothed; the binary result goes to <paramref name="binary"/>.</summary>
    [LibraryImport(Library)]
    internal static partial int pixOtsuAdaptiveThreshold(PixHandle pix, int sx, int sy, int smoothx, int smoothy, float scorefract,
        nint thresholds, out PixHandle binary);

    /// <summary>Bounding boxes of the connected components of a 1 bpp image (<paramref name="connectivity"/> 4 or 8).</summary>
    [LibraryImport(Library)]
    internal static partial BoxaHandle pixConnCompBB(PixHandle pix, int connectivity);

    [LibraryImport(Library)]
    internal static partial int boxaGetCount(BoxaHandle boxa);

    [LibraryImport(Library)]
    internal static partial int boxaGetBoxGeometry(BoxaHandle boxa, int index, out int x, out int y, out int w, out int h);

    [LibraryImport(Library)]
    private static partial void boxaDestroy(ref nint boxa);

    /// <summary>Morphological opening of a 1 bpp image by a <paramref name="hsize"/> × <paramref name="vsize"/> brick (new image when <paramref name="pixd"/> is 0).</summary>
    [LibraryImport(Library)]
    internal static partial PixHandle pixOpenBrick(nint pixd, PixHandle pixs, int hsize, int vsize);

    /// <summary>Morphological closing of a 1 bpp image by a brick (new image when <paramref name="pixd"/> is 0).</summary>
    [LibraryImport(Library)]
    internal static partial PixHandle pixCloseBrick(nint pixd, PixHandle pixs, int hsize, int vsize);

    /// <summary>Morphological dilation of a 1 bpp image by a brick (new image when <paramref name="pixd"/> is 0).</summary>
    [LibraryImport(Library)]
    internal static partial PixHandle pixDilateBrick(nint pixd, PixHandle pixs, int hsize, int vsize);

    /// <summary>Sets every pixel of <paramref name="pixd"/> under the 1 bpp mask to <paramref name="value"/> (in place; same size).</summary>
    [LibraryImport(Library)]
    internal static partial int pixSetMasked(PixHandle pixd, PixHandle mask, uint value);

    /// <summary>Union of two 1 bpp images (new image when <paramref name="pixd"/> is 0).</summary>
    [LibraryImport(Library)]
    internal static partial PixHandle pixOr(nint pixd, PixHandle pixs1, PixHandle pixs2);

    /// <summary>A copy (new image when <paramref name="pixd"/> is 0).</summary>
    [LibraryImport(Library)]
    internal static partial PixHandle pixCopy(nint pixd, PixHandle pixs);

    /// <summary>Encodes the PIX in <paramref name="format"/> (<see cref="FormatPng"/>) into a buffer leptonica allocates; free it with <see cref="lept_free"/>.</summary>
    [LibraryImport(Library)]
    internal static unsafe partial int pixWriteMem(byte** data, nuint* size, PixHandle pix, int format);

    [LibraryImport(Library)]
    internal static unsafe partial void lept_free(void* pointer);

    /// <summary>The value of one pixel (0 on success).</summary>
    [LibraryImport(Library)]
    internal static partial int pixGetPixel(PixHandle pix, int x, int y, out uint value);

    /// <summary>leptonica's IFF_PNG.</summary>
    internal const int FormatPng = 3;

    /// <summary>Sets the lowest severity leptonica prints to stderr (L_SEVERITY_*); returns the previous one.</summary>
    [LibraryImport(Library)]
    internal static partial int setMsgSeverity(int newSeverity);

    internal const int SeverityExternal = 0;
    internal const int SeverityWarning = 4;
    internal const int SeverityError = 5;
    internal const int SeverityNone = 6;

    private static int _quiet;

    /// <summary>
    /// Stops leptonica printing its messages ("Error in boxClipToRectangle: box outside rectangle", mostly from
    /// Tesseract's own calls on odd page regions) to the process's stderr, where they broke <c>docflow process -q</c>'s
    /// silence and a server's structured logs; every leptonica call DocFlow makes checks its result instead. Leptonica's
    /// own switch still wins: with <c>LEPT_MSG_SEVERITY</c> set (e.g. 3 for everything from info up) its messages print
    /// as it says. Once per process, before the first image is decoded or engine created.
    /// </summary>
    internal static void Quiet()
    {
        if (Volatile.Read(ref _quiet) != 0 || Interlocked.Exchange(ref _quiet, 1) != 0) return;
        setMsgSeverity(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("LEPT_MSG_SEVERITY")) ? SeverityNone : SeverityExternal);
    }

    /// <summary>Owns a leptonica BOXA (array of boxes); released with boxaDestroy(BOXA**).</summary>
    internal sealed class BoxaHandle : SafeHandle
    {
        public BoxaHandle() : base(IntPtr.Zero, ownsHandle: true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            var boxa = handle;
            boxaDestroy(ref boxa);
            return true;
        }
    }

    /// <summary>Owns one reference to a leptonica PIX; released with pixDestroy(PIX**).</summary>
    internal sealed class PixHandle : SafeHandle
    {
        public PixHandle() : base(IntPtr.Zero, ownsHandle: true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            var pix = handle;
            pixDestroy(ref pix);
            return true;
        }
    }
}
