using System.Security.Cryptography;

namespace DocFlow.Security.Encryption;

/// <summary>
/// A read-only stream over a sealed object's segments (after its header): each segment's plaintext is released only
/// after its tag verified, and the end is reached only through a segment marked final, so a changed, reordered or
/// truncated object fails with <see cref="SealedDataException"/> and never yields unauthenticated bytes.
/// </summary>
internal sealed class OpeningStream : Stream
{
    private readonly Stream _source;
    private readonly AesGcm _aes;
    private readonly byte[] _fixedHeader;
    private readonly string _objectName;
    private readonly byte[] _chunk;
    private readonly byte[] _plain;
    private readonly int _segmentSize;
    private int _chunkCount;
    private int _plainOffset;
    private int _plainCount;
    private uint _index;
    private bool _done;

    public OpeningStream(Stream source, EnvelopeHeader header, byte[] dataKey, string objectName)
    {
        _source = source;
        _fixedHeader = header.FixedHeader;
        _objectName = objectName;
        _segmentSize = header.SegmentSize;
        _aes = new AesGcm(dataKey, Envelope.TagSize);
        // One segment and its tag, plus one byte to learn whether another segment follows.
        _chunk = new byte[_segmentSize + Envelope.TagSize + 1];
        _plain = new byte[_segmentSize];
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0) return 0;
        while (_plainOffset == _plainCount && !_done)
        {
            int n;
            while (_chunkCount < _chunk.Length && (n = _source.Read(_chunk, _chunkCount, _chunk.Length - _chunkCount)) > 0) _chunkCount += n;
            OpenSegment();
        }
        return Take(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return 0;
        while (_plainOffset == _plainCount && !_done)
        {
            int n;
            while (_chunkCount < _chunk.Length && (n = await _source.ReadAsync(_chunk.AsMemory(_chunkCount), cancellationToken).ConfigureAwait(false)) > 0)
                _chunkCount += n;
            OpenSegment();
        }
        return Take(buffer.Span);
    }

    private int Take(Span<byte> buffer)
    {
        var take = Math.Min(buffer.Length, _plainCount - _plainOffset);
        _plain.AsSpan(_plainOffset, take).CopyTo(buffer);
        _plainOffset += take;
        return take;
    }

    /// <summary>Opens the segment in <see cref="_chunk"/>: a full chunk (one byte past the tag) is not the last one.</summary>
    private void OpenSegment()
    {
        var last = _chunkCount < _chunk.Length;
        var sealedLength = last ? _chunkCount : _chunk.Length - 1;
        if (sealedLength < Envelope.TagSize)
            throw new SealedDataException($"{_objectName} is truncated: segment {_index} is incomplete or missing (no final segment).");
        var plainLength = sealedLength - Envelope.TagSize;
        Span<byte> nonce = stackalloc byte[Envelope.NonceSize];
        Envelope.SegmentNonce(_fixedHeader, _index, last, nonce);
        try
        {
            _aes.Decrypt(nonce, _chunk.AsSpan(0, plainLength), _chunk.AsSpan(plainLength, Envelope.TagSize), _plain.AsSpan(0, plainLength), _fixedHeader);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SealedDataException(last
                ? $"{_objectName}: segment {_index} (the last one read) fails authentication: the object was changed or truncated."
                : $"{_objectName}: segment {_index} fails authentication: the object was changed, or its segments reordered.", e);
        }
        _plainOffset = 0;
        _plainCount = plainLength;
        _index = checked(_index + 1);
        if (last)
        {
            _done = true;
            _chunkCount = 0;
        }
        else
        {
            _chunk[0] = _chunk[^1];
            _chunkCount = 1;
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
            _source.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_plain);
        await _source.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Bytes already read from the start of a stream, then the rest of it (a legacy plaintext object after its sniffed start).</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream rest) : Stream
{
    private int _offset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_offset < prefixLength)
        {
            var take = Math.Min(buffer.Length, prefixLength - _offset);
            prefix.AsSpan(_offset, take).CopyTo(buffer);
            _offset += take;
            return take;
        }
        return rest.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_offset < prefixLength) return ValueTask.FromResult(Read(buffer.Span));
        return rest.ReadAsync(buffer, cancellationToken);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) rest.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await rest.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
