using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Sandbox;
using Xunit;

namespace DocFlow.UnitTests.Sandbox;

public sealed class HostProtocolTests
{
    [Fact]
    public async Task Frames_RoundTrip_AndTheEndOfTheStreamIsNull()
    {
        using var pipe = new MemoryStream();
        await HostProtocol.WriteFrameAsync(pipe, HostProtocol.PageStarted, 42, BitConverter.GetBytes(7), CancellationToken.None);
        await HostProtocol.WriteFrameAsync(pipe, HostProtocol.Ready, 0, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        pipe.Position = 0;

        var first = await HostProtocol.ReadFrameAsync(pipe, CancellationToken.None);
        var second = await HostProtocol.ReadFrameAsync(pipe, CancellationToken.None);
        var end = await HostProtocol.ReadFrameAsync(pipe, CancellationToken.None);

        Assert.Equal(HostProtocol.PageStarted, first!.Value.Kind);
        Assert.Equal(42, first.Value.Id);
        Assert.Equal(7, BitConverter.ToInt32(first.Value.Payload));
        Assert.Equal(HostProtocol.Ready, second!.Value.Kind);
        Assert.Empty(second.Value.Payload);
        Assert.Null(end);
    }

    [Fact]
    public async Task TruncatedFrame_IsTheEndOfTheStream_AndAnAbsurdLengthIsRefused()
    {
        using var truncated = new MemoryStream([10, 0, 0, 0, (byte)'R', 1, 0, 0, 0, 1, 2]);
        Assert.Null(await HostProtocol.ReadFrameAsync(truncated, CancellationToken.None));

        using var absurd = new MemoryStream([0xFF, 0xFF, 0xFF, 0x7F, (byte)'R', 1, 0, 0, 0]);
        await Assert.ThrowsAsync<InvalidDataException>(() => HostProtocol.ReadFrameAsync(absurd, CancellationToken.None));
    }

    [Fact]
    public void ResultAndError_RoundTrip()
    {
        var document = new Document { Text = "Hello\n", MimeType = "application/pdf" };
        var stats = new ProcessingStats("application/pdf", 2, [2], [2], new Dictionary<int, int> { [2] = 90 }, TimeSpan.FromMilliseconds(1234))
        {
            DocumentType = "invoice",
            EnrichmentTime = TimeSpan.FromMilliseconds(56),
        };

        var read = HostProtocol.Reader(HostProtocol.Payload(w => w.WriteResult(new DocumentResult(document, stats)))).ReadResult();

        Assert.Equal(DocumentJson.Serialize(document), DocumentJson.Serialize(read.Document));
        Assert.Equal(stats.MimeType, read.Stats.MimeType);
        Assert.Equal(stats.Pages, read.Stats.Pages);
        Assert.Equal(stats.OcrPages, read.Stats.OcrPages);
        Assert.Equal(stats.RasterizedPages, read.Stats.RasterizedPages);
        Assert.Equal(stats.RotatedPages, read.Stats.RotatedPages);
        Assert.Equal(stats.Elapsed, read.Stats.Elapsed);
        Assert.Equal("invoice", read.Stats.DocumentType);
        Assert.Equal(stats.EnrichmentTime, read.Stats.EnrichmentTime);

        var error = HostProtocol.Reader(HostProtocol.Payload(w => w.WriteError(
            new DocumentException(DocumentErrorCode.Internal, "Tesseract failed") { Deterministic = true, MimeType = "image/png" }))).ReadError();
        Assert.Equal(DocumentErrorCode.Internal, error.Code);
        Assert.True(error.Deterministic);
        Assert.False(error.IsTransient);
        Assert.Equal("image/png", error.MimeType);
        Assert.Equal("Tesseract failed", error.Message);
    }

    [Fact]
    public void ResultDocument_IsOnTheWireAsABinaryWriterString_AndReadsFromAnyStream()
    {
        var document = new Document { Text = "Grüße aus Köln: 12,50 €\n", MimeType = "image/png" };
        var stats = new ProcessingStats("image/png", 1, [1], [], new Dictionary<int, int>(), TimeSpan.FromMilliseconds(5));
        var payload = HostProtocol.Payload(w => w.WriteResult(new DocumentResult(document, stats)));

        // The same bytes as BinaryWriter.Write(string) of the JSON (the wire before the Document was written as UTF-8 at once).
        using (var strings = HostProtocol.Reader(payload))
            Assert.Equal(DocumentJson.Serialize(document), strings.ReadString());
        // Read in place from the payload, and through a stream whose buffer is not visible.
        var inPlace = HostProtocol.Reader(payload).ReadResult();
        using var buffered = new BinaryReader(new BufferedStream(new MemoryStream(payload)), System.Text.Encoding.UTF8);
        var copied = buffered.ReadResult();

        Assert.Equal(DocumentJson.Serialize(document), DocumentJson.Serialize(inPlace.Document));
        Assert.Equal(DocumentJson.Serialize(document), DocumentJson.Serialize(copied.Document));
        Assert.Equal([1], copied.Stats.OcrPages);
    }

    [Fact]
    public void ResultCutShort_IsRefused()
    {
        var payload = HostProtocol.Payload(w => w.WriteResult(new DocumentResult(new Document { Text = "x" },
            new ProcessingStats("image/png", 1, [], [], new Dictionary<int, int>(), TimeSpan.Zero))));

        Assert.ThrowsAny<Exception>(() => HostProtocol.Reader(payload[..6]).ReadResult());
    }

    [Fact]
    public void EngineOptions_ReachTheHost_WithItsOwnSlots()
    {
        var options = new EngineOptions
        {
            Slots = 8,
            Languages = "eng+deu",
            DocumentTimeout = TimeSpan.FromSeconds(90),
            RasterDpi = 200,
            MaxPages = 12,
            Suppliers = "none",
            TessdataPath = "/opt/tessdata",
            Limits = { MaxPdfNesting = 12, MaxStreamBytes = 1234 },
        };

        var read = HostProtocol.ReadEngineOptions(HostProtocol.EngineOptionsPayload(options, slots: 1));

        Assert.Equal(1, read.Slots);
        Assert.Equal(8, options.Slots); // the worker's own options are left alone
        Assert.Equal("eng+deu", read.Languages);
        Assert.Equal(TimeSpan.FromSeconds(90), read.DocumentTimeout);
        Assert.Equal(200, read.RasterDpi);
        Assert.Equal(12, read.MaxPages);
        Assert.Equal("none", read.Suppliers);
        Assert.Equal("/opt/tessdata", read.TessdataPath);
        Assert.Equal(12, read.Limits.MaxPdfNesting);
        Assert.Equal(1234, read.Limits.MaxStreamBytes);
        Assert.Equal(options.MaxPixelsPerPage, read.MaxPixelsPerPage);
    }

    [Fact]
    public async Task InProcessLedger_CountsPerContentHash()
    {
        var ledger = new InProcessEngineCrashLedger();
        Assert.Equal(1, await ledger.RecordCrashAsync("aa", CancellationToken.None));
        Assert.Equal(2, await ledger.RecordCrashAsync("aa", CancellationToken.None));
        Assert.Equal(2, await ledger.GetCrashesAsync("aa", CancellationToken.None));
        Assert.Equal(0, await ledger.GetCrashesAsync("bb", CancellationToken.None));
    }

    [Fact]
    public void EngineCrashed_IsFinal_AndHasItsWireName()
    {
        Assert.Equal("engine_crashed", DocumentErrorCode.EngineCrashed.ToWireName());
        Assert.False(DocumentErrorCode.EngineCrashed.IsTransient());
    }
}
