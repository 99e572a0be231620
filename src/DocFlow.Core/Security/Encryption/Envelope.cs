using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DocFlow.Security.Encryption;

/// <summary>
/// The sealed-object format (version 1): a header, then the content in AES-256-GCM segments, as Tink's streaming AEAD.
/// <code>
/// offset size  field
///  0      8    magic 89 44 46 45 0D 0A 1A 0A ("\x89DFE\r\n\x1a\n": never the start of a PDF, an image or text)
///  8      1    version (1)
///  9      4    plaintext bytes per segment, big-endian (65536)
/// 13      7    nonce prefix (random per object)
/// 20      1    key id length n (1..64), then n bytes of key id (ASCII)
/// 21+n   60    wrapped data key: nonce (12) ‖ AES-GCM(KEK, data key) (32) ‖ tag (16)
/// then segments: ciphertext (segment size; the last one 0..segment size) ‖ tag (16)
/// </code>
/// Segment i is sealed under the object's data key with nonce = prefix ‖ i (4 bytes, big-endian) ‖ last (1 byte:
/// 1 for the final segment), and bytes 0..19 (the fixed header) as associated data: a reordered, dropped or
/// appended segment, or a cut at a segment boundary, fails authentication. Rotation rewrites only the key id and
/// the wrapped key, which are not part of the segments' associated data.
/// </summary>
public static class Envelope
{
    public const byte Version = 1;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int NoncePrefixSize = 7;
    public const int FixedHeaderSize = 20;
    public const int WrappedKeySize = NonceSize + KeyRing.KeySize + TagSize;

    /// <summary>Plaintext bytes per segment: large blobs stream through one segment's buffer.</summary>
    public const int DefaultSegmentSize = 64 * 1024;

    /// <summary>The largest segment size a reader accepts (bounds the buffer a forged header can ask for).</summary>
    public const int MaxSegmentSize = 4 * 1024 * 1024;

    private static ReadOnlySpan<byte> MagicBytes => [0x89, 0x44, 0x46, 0x45, 0x0D, 0x0A, 0x1A, 0x0A];

    public static int MagicSize => MagicBytes.Length;

    /// <summary>Whether <paramref name="start"/> (at least the first 8 bytes of an object) is the envelope's magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> start) => start.Length >= MagicBytes.Length && start[..MagicBytes.Length].SequenceEqual(MagicBytes);

    internal static byte[] NewFixedHeader(int segmentSize)
    {
        var header = new byte[FixedHeaderSize];
        MagicBytes.CopyTo(header);
        header[8] = Version;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(9), segmentSize);
        RandomNumberGenerator.Fill(header.AsSpan(13, NoncePrefixSize));
        return header;
    }

    internal static void SegmentNonce(ReadOnlySpan<byte> fixedHeader, uint index, bool last, Span<byte> nonce)
    {
        fixedHeader.Slice(13, NoncePrefixSize).CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NoncePrefixSize..], index);
        nonce[NonceSize - 1] = last ? (byte)1 : (byte)0;
    }
}

/// <summary>A parsed envelope header: who wrapped the data key, and the bytes that bind the segments.</summary>
public sealed class EnvelopeHeader
{
    internal EnvelopeHeader(byte[] fixedHeader, string keyId, byte[] wrappedKey)
    {
        FixedHeader = fixedHeader;
        KeyId = keyId;
        WrappedKey = wrappedKey;
    }

    internal byte[] FixedHeader { get; }

    /// <summary>The id of the key-encryption key that wraps this object's data key.</summary>
    public string KeyId { get; }

    internal byte[] WrappedKey { get; }

    internal int SegmentSize => BinaryPrimitives.ReadInt32BigEndian(FixedHeader.AsSpan(9));

    /// <summary>Header length in bytes.</summary>
    public int Length => Envelope.FixedHeaderSize + 1 + KeyId.Length + Envelope.WrappedKeySize;

    internal byte[] ToBytes()
    {
        var bytes = new byte[Length];
        FixedHeader.CopyTo(bytes, 0);
        bytes[Envelope.FixedHeaderSize] = (byte)KeyId.Length;
        Encoding.ASCII.GetBytes(KeyId, bytes.AsSpan(Envelope.FixedHeaderSize + 1));
        WrappedKey.CopyTo(bytes, Envelope.FixedHeaderSize + 1 + KeyId.Length);
        return bytes;
    }

    /// <summary>Reads the rest of a header whose 8 magic bytes were already read from <paramref name="source"/>.</summary>
    internal static async Task<EnvelopeHeader> ReadAfterMagicAsync(ReadOnlyMemory<byte> magic, Stream source, string objectName, CancellationToken cancellationToken)
    {
        var fixedHeader = new byte[Envelope.FixedHeaderSize];
        magic.CopyTo(fixedHeader);
        await ReadExactlyAsync(source, fixedHeader.AsMemory(Envelope.MagicSize, Envelope.FixedHeaderSize - Envelope.MagicSize), objectName, cancellationToken).ConfigureAwait(false);
        if (fixedHeader[8] != Envelope.Version)
            throw new SealedDataException($"{objectName} is sealed in envelope version {fixedHeader[8]}, which this DocFlow does not know (it reads version {Envelope.Version}).");
        var segmentSize = BinaryPrimitives.ReadInt32BigEndian(fixedHeader.AsSpan(9));
        if (segmentSize is < 1 or > Envelope.MaxSegmentSize)
            throw new SealedDataException($"{objectName}: the envelope header is damaged (segment size {segmentSize}).");
        var idLength = new byte[1];
        await ReadExactlyAsync(source, idLength, objectName, cancellationToken).ConfigureAwait(false);
        if (idLength[0] is 0 or > 64) throw new SealedDataException($"{objectName}: the envelope header is damaged (key id length {idLength[0]}).");
        var id = new byte[idLength[0]];
        await ReadExactlyAsync(source, id, objectName, cancellationToken).ConfigureAwait(false);
        var keyId = Encoding.ASCII.GetString(id);
        if (!KeyRing.IsValidId(keyId)) throw new SealedDataException($"{objectName}: the envelope header is damaged (key id is not readable).");
        var wrapped = new byte[Envelope.WrappedKeySize];
        await ReadExactlyAsync(source, wrapped, objectName, cancellationToken).ConfigureAwait(false);
        return new EnvelopeHeader(fixedHeader, keyId, wrapped);
    }

    private static async Task ReadExactlyAsync(Stream source, Memory<byte> buffer, string objectName, CancellationToken cancellationToken)
    {
        try
        {
            await source.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new SealedDataException($"{objectName} is truncated: it ends inside its envelope header.", e);
        }
    }
}
