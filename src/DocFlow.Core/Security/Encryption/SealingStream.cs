using System.Security.Cryptography;

namespace DocFlow.Security.Encryption;

/// <summary>
/// A write-only stream that seals what is written into <see cref="Envelope"/> segments on the target: one segment's
/// plaintext is buffered at a time. Disposing writes the final segment (possibly empty); an object without its final
/// segment never opens.
/// </summary>
public sealed class SealingStream : Stream
{
    private readonly Stream _target;
    private readonly bool _leaveOpen;
    private readonly AesGcm _aes;
    private readonly byte[] _fixedHeader;
    private readonly byte[] _header;
    private readonly byte[] _plain;
    private readonly byte[] _cipher;
    private int _count;
    private uint _index;
    private bool _headerWritten;
    private bool _finished;

    internal SealingStream(Stream target, KeyRing keys, int segmentSize, bool leaveOpen)
    {
        _target = target;
        _leaveOpen = leaveOpen;
        _fixedHeader = Envelope.NewFixedHeader(segmentSize);
        var dataKey = RandomNumberGenerator.GetBytes(KeyRing.KeySize);
        try
        {
            var keyId = keys.ActiveKeyId ?? throw new InvalidOperationException("No active encryption key.");
            _header = new EnvelopeHeader(_fixedHeader, keyId, keys.Wrap(keyId, dataKey, _fixedHeader)).ToBytes();
            _aes = new AesGcm(dataKey, Envelope.TagSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
        _plain = new byte[segmentSize];
        _cipher = new byte[segmentSize + Envelope.TagSize];
    }

    /// <summary>Plaintext bytes written so far.</summary>
    public long PlaintextLength { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_finished;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => PlaintextLength; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (buffer.Length > 0)
        {
            if (_count == _plain.Length)
            {
                var n = SealSegment(last: false);
                if (!_headerWritten) { _target.Write(_header); _headerWritten = true; }
                _target.Write(_cipher, 0, n);
            }
            var take = Math.Min(buffer.Length, _plain.Length - _count);
            buffer[..take].CopyTo(_plain.AsSpan(_count));
            _count += take;
            PlaintextLength += take;
            buffer = buffer[take..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (buffer.Length > 0)
        {
            if (_count == _plain.Length)
            {
                var n = SealSegment(last: false);
                if (!_headerWritten) { await _target.WriteAsync(_header, cancellationToken).ConfigureAwait(false); _headerWritten = true; }
                await _target.WriteAsync(_cipher.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
            var take = Math.Min(buffer.Length, _plain.Length - _count);
            buffer.Span[..take].CopyTo(_plain.AsSpan(_count));
            _count += take;
            PlaintextLength += take;
            buffer = buffer[take..];
        }
    }

    /// <summary>Writes the final segment and flushes the target; further writes fail.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        if (_finished) return;
        var n = SealSegment(last: true);
        if (!_headerWritten) { await _target.WriteAsync(_header, cancellationToken).ConfigureAwait(false); _headerWritten = true; }
        await _target.WriteAsync(_cipher.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        await _target.FlushAsync(cancellationToken).ConfigureAwait(false);
        _finished = true;
    }

    /// <summary>Gives up without writing the final segment (the copy failed; the caller discards the target), so
    /// disposing does not write to a target that may be what failed.</summary>
    internal void Abandon() => Release();

    private int SealSegment(bool last)
    {
        Span<byte> nonce = stackalloc byte[Envelope.NonceSize];
        Envelope.SegmentNonce(_fixedHeader, _index, last, nonce);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _count), _cipher.AsSpan(0, _count), _cipher.AsSpan(_count, Envelope.TagSize), _fixedHeader);
        var written = _count + Envelope.TagSize;
        _count = 0;
        _index = checked(_index + 1);
        return written;
    }

    public override void Flush() { }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await FinishAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Release();
            if (!_leaveOpen) await _target.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            var n = SealSegment(last: true);
            if (!_headerWritten) { _target.Write(_header); _headerWritten = true; }
            _target.Write(_cipher, 0, n);
            _target.Flush();
            _finished = true;
        }
        if (disposing)
        {
            Release();
            if (!_leaveOpen) _target.Dispose();
        }
        base.Dispose(disposing);
    }

    private void Release()
    {
        _finished = true;
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_plain);
    }
}
