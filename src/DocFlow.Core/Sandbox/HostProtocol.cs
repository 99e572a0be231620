using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DocFlow.Documents;
using DocFlow.Processing;

namespace DocFlow.Sandbox;

/// <summary>
/// The wire between a worker and its engine host (<c>docflow engine-host</c>) over the host's stdin and stdout: frames of a
/// 4-byte little-endian length (of what follows it), then a kind byte, then a 4-byte little-endian request id, then the
/// payload (BinaryWriter encoding: 7-bit length-prefixed UTF-8 strings, little-endian integers). A host may have several
/// requests at once (<see cref="SandboxOptions.HostDocuments"/>); it answers each, under its id, with any number of progress
/// frames, then one result or one error. <see cref="Configure"/> and <see cref="Ready"/> carry id 0.
/// </summary>
public static class HostProtocol
{
    /// <summary>Largest frame accepted (a request carries the document: Engine:MaxFileBytes is 50 MB by default).</summary>
    public const int MaxFrameBytes = 1024 * 1024 * 1024;

    // Worker → host.
    public const byte Configure = (byte)'C';
    public const byte ProcessDocument = (byte)'D';
    public const byte InspectDocument = (byte)'I';
    public const byte ReadPages = (byte)'P';
    public const byte FinishDocument = (byte)'F';

    // Host → worker.
    public const byte Ready = (byte)'H';
    public const byte PageStarted = (byte)'s';
    public const byte PageFinished = (byte)'f';
    public const byte Result = (byte)'R';
    public const byte Error = (byte)'E';

    private const int HeaderBytes = 9;

    /// <summary>Writes one frame: length, kind, request id, payload.</summary>
    public static async Task WriteFrameAsync(Stream stream, byte kind, int id, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length + HeaderBytes - 4);
        header[4] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(5), id);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        if (!payload.IsEmpty) await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one frame; null at the end of the stream (the other side is gone).</summary>
    public static async Task<(byte Kind, int Id, byte[] Payload)?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderBytes];
        var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < header.Length) return null;
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < HeaderBytes - 4 || length > MaxFrameBytes) throw new InvalidDataException($"Engine host frame of {length} bytes is out of range.");
        var payload = new byte[length - (HeaderBytes - 4)];
        read = await stream.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read < payload.Length ? null : (header[4], BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(5)), payload);
    }

    /// <summary>A payload written with a <see cref="BinaryWriter"/>.</summary>
    public static byte[] Payload(Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true)) write(writer);
        return buffer.ToArray();
    }

    public static BinaryReader Reader(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        // publiclyVisible: large parts (the Document JSON) are read from the payload in place.
        return new(new MemoryStream(payload, 0, payload.Length, writable: false, publiclyVisible: true), Encoding.UTF8);
    }

    public static void WriteBytes(this BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    public static byte[] ReadBytes(this BinaryReader reader) => reader.ReadBytes(reader.ReadInt32());

    public static void WriteNullable(this BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null) writer.Write(value);
    }

    public static string? ReadNullable(this BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    public static void WriteInts(this BinaryWriter writer, IReadOnlyCollection<int> values)
    {
        writer.Write(values.Count);
        foreach (var v in values) writer.Write(v);
    }

    public static int[] ReadInts(this BinaryReader reader)
    {
        var n = reader.ReadInt32();
        var values = new int[n];
        for (var i = 0; i < n; i++) values[i] = reader.ReadInt32();
        return values;
    }

    /// <summary>The engine options a host runs with (the payload of <see cref="Configure"/>): the worker's, with the host's
    /// own number of slots. Source-generated JSON: no reflection (and its compiled accessors) in every host's start.</summary>
    public static byte[] EngineOptionsPayload(EngineOptions options, int slots)
    {
        ArgumentNullException.ThrowIfNull(options);
        var node = JsonSerializer.SerializeToNode(options, HostJsonContext.Default.EngineOptions)!.AsObject();
        node[nameof(EngineOptions.Slots)] = slots;
        return JsonSerializer.SerializeToUtf8Bytes(node, HostJsonContext.Default.JsonObject);
    }

    /// <summary>The engine options of a <see cref="Configure"/> frame.</summary>
    public static EngineOptions ReadEngineOptions(ReadOnlySpan<byte> payload) =>
        JsonSerializer.Deserialize(payload, HostJsonContext.Default.EngineOptions) ?? new EngineOptions();

    /// <summary>A Document and its stats (the answer to <see cref="ProcessDocument"/> and <see cref="FinishDocument"/>).</summary>
    public static void WriteResult(this BinaryWriter writer, DocumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        // The Document JSON as BinaryWriter writes a string (7-bit length, UTF-8), but serialised to UTF-8 at once: no
        // UTF-16 string of it (often on the large object heap) on either side.
        var json = JsonSerializer.SerializeToUtf8Bytes(result.Document, DocumentJsonContext.Default.Document);
        writer.Write7BitEncodedInt(json.Length);
        writer.Write(json);
        var s = result.Stats;
        writer.Write(s.MimeType);
        writer.Write(s.Pages);
        writer.WriteInts(s.OcrPages);
        writer.WriteInts(s.RasterizedPages);
        writer.Write(s.RotatedPages.Count);
        foreach (var (page, rotation) in s.RotatedPages)
        {
            writer.Write(page);
            writer.Write(rotation);
        }
        writer.Write(s.Elapsed.Ticks);
        writer.WriteNullable(s.DocumentType);
        writer.Write(s.EnrichmentTime.Ticks);
    }

    public static DocumentResult ReadResult(this BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var document = ReadDocument(reader);
        var mime = reader.ReadString();
        var pages = reader.ReadInt32();
        var ocr = reader.ReadInts();
        var rasterized = reader.ReadInts();
        var rotated = new Dictionary<int, int>();
        for (var n = reader.ReadInt32(); n > 0; n--) rotated[reader.ReadInt32()] = reader.ReadInt32();
        var elapsed = TimeSpan.FromTicks(reader.ReadInt64());
        return new DocumentResult(document, new ProcessingStats(mime, pages, ocr, rasterized, rotated, elapsed)
        {
            DocumentType = reader.ReadNullable(),
            EnrichmentTime = TimeSpan.FromTicks(reader.ReadInt64()),
        });
    }

    /// <summary>The Document JSON written by <see cref="WriteResult"/>, parsed from the payload's own bytes where it can.</summary>
    private static Document ReadDocument(BinaryReader reader)
    {
        var length = reader.Read7BitEncodedInt();
        Document? document;
        if (reader.BaseStream is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            var start = (int)memory.Position;
            if (length < 0 || length > buffer.Count - start) throw new EndOfStreamException("The engine host's result is cut short.");
            document = JsonSerializer.Deserialize(buffer.AsSpan(start, length), DocumentJsonContext.Default.Document);
            memory.Position = start + length;
        }
        else
        {
            document = JsonSerializer.Deserialize(reader.ReadBytes(length), DocumentJsonContext.Default.Document);
        }
        return document ?? throw new JsonException("The engine host's result holds no document.");
    }

    public static void WriteError(this BinaryWriter writer, DocumentException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        writer.Write((int)error.Code);
        writer.Write(error.Deterministic);
        writer.WriteNullable(error.MimeType);
        writer.Write(error.Message);
    }

    public static DocumentException ReadError(this BinaryReader reader)
    {
        var code = (DocumentErrorCode)reader.ReadInt32();
        var deterministic = reader.ReadBoolean();
        var mime = reader.ReadNullable();
        return new DocumentException(code, reader.ReadString()) { Deterministic = deterministic, MimeType = mime };
    }
}

/// <summary>The engine options on the wire to a host, without reflection.</summary>
[JsonSerializable(typeof(EngineOptions))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class HostJsonContext : JsonSerializerContext;
