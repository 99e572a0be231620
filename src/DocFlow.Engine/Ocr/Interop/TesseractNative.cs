using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using static DocFlow.Engine.Imaging.Interop.LeptonicaNative;

namespace DocFlow.Engine.Ocr.Interop;

/// <summary>P/Invoke declarations for Tesseract's C API (libtesseract.so.5). The only place that sees its pointers.</summary>
/// <remarks>Call <see cref="NativeEnvironment.EnsureInitialised"/> before anything here: loading the library loads
/// libgomp, which reads OMP_THREAD_LIMIT once, at load time.</remarks>
internal static partial class TesseractNative
{
    private const string Library = "libtesseract.so.5";

    internal const int OemDefault = 3;
    internal const int PsmOsdOnly = 0;
    internal const int PsmAuto = 3;
    internal const int PsmSingleBlock = 6;

    internal enum Level
    {
        Block = 0,
        Paragraph = 1,
        TextLine = 2,
        Word = 3,
        Symbol = 4,
    }

    [LibraryImport(Library)]
    internal static partial TessBaseApiHandle TessBaseAPICreate();

    [LibraryImport(Library)]
    private static partial void TessBaseAPIDelete(nint api);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int TessBaseAPIInit2(TessBaseApiHandle api, string? datapath, string language, int oem);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.I4)]
    internal static partial bool TessBaseAPISetVariable(TessBaseApiHandle api, string name, string value);

    [LibraryImport(Library)]
    internal static partial void TessBaseAPISetPageSegMode(TessBaseApiHandle api, int mode);

    [LibraryImport(Library)]
    internal static partial void TessBaseAPISetImage2(TessBaseApiHandle api, PixHandle pix);

    [LibraryImport(Library)]
    internal static partial void TessBaseAPISetSourceResolution(TessBaseApiHandle api, int ppi);

    [LibraryImport(Library)]
    internal static partial int TessBaseAPIRecognize(TessBaseApiHandle api, TessMonitorHandle monitor);

    [LibraryImport(Library)]
    internal static partial TessResultIteratorHandle TessBaseAPIGetIterator(TessBaseApiHandle api);

    [LibraryImport(Library)]
    internal static partial void TessBaseAPIClear(TessBaseApiHandle api);

    [LibraryImport(Library)]
    [return: MarshalAs(UnmanagedType.I4)]
    internal static partial bool TessBaseAPIDetectOrientationScript(
        TessBaseApiHandle api, out int orientDeg, out float orientConf, out nint scriptName, out float scriptConf);

    [LibraryImport(Library)]
    private static partial void TessResultIteratorDelete(nint iterator);

    [LibraryImport(Library)]
    [return: MarshalAs(UnmanagedType.I4)]
    private static partial bool TessResultIteratorNext(TessResultIteratorHandle iterator, Level level);

    [LibraryImport(Library)]
    private static partial nint TessResultIteratorGetUTF8Text(TessResultIteratorHandle iterator, Level level);

    [LibraryImport(Library)]
    private static partial float TessResultIteratorConfidence(TessResultIteratorHandle iterator, Level level);

    [LibraryImport(Library)]
    private static partial nint TessResultIteratorWordRecognitionLanguage(TessResultIteratorHandle iterator);

    [LibraryImport(Library)]
    private static partial nint TessResultIteratorGetPageIterator(TessResultIteratorHandle iterator);

    [LibraryImport(Library)]
    [return: MarshalAs(UnmanagedType.I4)]
    private static partial bool TessPageIteratorIsAtBeginningOf(nint pageIterator, Level level);

    [LibraryImport(Library)]
    [return: MarshalAs(UnmanagedType.I4)]
    private static partial bool TessPageIteratorBoundingBox(nint pageIterator, Level level,
        out int left, out int top, out int right, out int bottom);

    [LibraryImport(Library)]
    private static partial void TessDeleteText(nint text);

    [LibraryImport(Library)]
    private static partial nint TessMonitorCreate();

    [LibraryImport(Library)]
    private static partial void TessMonitorDelete(nint monitor);

    [LibraryImport(Library)]
    private static partial void TessMonitorSetCancelFunc(TessMonitorHandle monitor, nint cancelFunc);

    [LibraryImport(Library)]
    private static partial void TessMonitorSetCancelThis(TessMonitorHandle monitor, nint cancelThis);

    [LibraryImport(Library)]
    internal static partial void TessMonitorSetDeadlineMSecs(TessMonitorHandle monitor, int deadline);

    [LibraryImport(Library)]
    private static partial nint TessVersion();

    internal static string Version() => Marshal.PtrToStringUTF8(TessVersion()) ?? "";

    /// <summary>The script name of an orientation result points into Tesseract's own tables (not to be freed).</summary>
    internal static string? ScriptName(nint scriptName) => Marshal.PtrToStringUTF8(scriptName);

    /// <summary>Owns a TessBaseAPI; deleting it also ends it.</summary>
    internal sealed class TessBaseApiHandle : SafeHandle
    {
        public TessBaseApiHandle() : base(IntPtr.Zero, ownsHandle: true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            TessBaseAPIDelete(handle);
            return true;
        }
    }

    /// <summary>
    /// Owns a result iterator. It is also the page iterator (single inheritance in C++), so the layout queries
    /// are offered here and the page-iterator pointer never leaves this type.
    /// </summary>
    internal sealed class TessResultIteratorHandle : SafeHandle
    {
        public TessResultIteratorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            TessResultIteratorDelete(handle);
            return true;
        }

        public bool Next(Level level) => TessResultIteratorNext(this, level);

        public bool IsAtBeginningOf(Level level) => TessPageIteratorIsAtBeginningOf(PageIterator(), level);

        public bool BoundingBox(Level level, out int left, out int top, out int right, out int bottom) =>
            TessPageIteratorBoundingBox(PageIterator(), level, out left, out top, out right, out bottom);

        /// <summary>Tesseract's confidence at <paramref name="level"/>, 0..100.</summary>
        public float Confidence(Level level) => TessResultIteratorConfidence(this, level);

        public string? Text(Level level)
        {
            var text = TessResultIteratorGetUTF8Text(this, level);
            if (text == 0)
                return null;
            try
            {
                return Marshal.PtrToStringUTF8(text);
            }
            finally
            {
                TessDeleteText(text);
            }
        }

        /// <summary>The traineddata name (e.g. "eng") the current word was read with; owned by Tesseract.</summary>
        public string? WordLanguage() => Marshal.PtrToStringUTF8(TessResultIteratorWordRecognitionLanguage(this));

        private nint PageIterator()
        {
            // The handle stays alive for the duration of the call through the caller's reference to this object.
            var page = TessResultIteratorGetPageIterator(this);
            GC.KeepAlive(this);
            return page;
        }
    }

    /// <summary>Owns an ETEXT_DESC (progress monitor) used to cancel a recognition in progress.</summary>
    internal sealed class TessMonitorHandle : SafeHandle
    {
        private GCHandle _token;

        private TessMonitorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        /// <summary>A monitor whose cancel callback asks <paramref name="cancellationToken"/>, checked by Tesseract between words.</summary>
        public static unsafe TessMonitorHandle Create(CancellationToken cancellationToken)
        {
            var monitor = new TessMonitorHandle();
            monitor.SetHandle(TessMonitorCreate());
            if (monitor.IsInvalid)
                throw new InvalidOperationException("Tesseract could not create a progress monitor.");
            if (cancellationToken.CanBeCanceled)
            {
                monitor._token = GCHandle.Alloc(new TokenBox(cancellationToken));
                TessMonitorSetCancelThis(monitor, GCHandle.ToIntPtr(monitor._token));
                TessMonitorSetCancelFunc(monitor, (nint)(delegate* unmanaged[Cdecl]<nint, int, byte>)&IsCancelled);
            }
            return monitor;
        }

        protected override bool ReleaseHandle()
        {
            TessMonitorDelete(handle);
            if (_token.IsAllocated)
                _token.Free();
            return true;
        }

        [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
        private static byte IsCancelled(nint cancelThis, int words)
        {
            if (cancelThis == 0)
                return 0;
            return GCHandle.FromIntPtr(cancelThis).Target is TokenBox { Token.IsCancellationRequested: true } ? (byte)1 : (byte)0;
        }

        private sealed record TokenBox(CancellationToken Token);
    }
}
