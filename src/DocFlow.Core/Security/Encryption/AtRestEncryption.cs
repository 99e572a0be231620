using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.Security.Encryption;

/// <summary>What rewrapping one object did.</summary>
public enum RewrapOutcome
{
    /// <summary>Its data key was rewrapped under the active key (header rewritten, content untouched).</summary>
    Rewrapped,
    /// <summary>It was already under the active key.</summary>
    AlreadyCurrent,
    /// <summary>It is a plaintext object from before encryption was on (left as it is).</summary>
    Plaintext,
    /// <summary>It was a plaintext object and is now sealed under the active key (asked for with <c>--seal-plaintext</c>).</summary>
    Sealed,
}

/// <summary>Counts of a rotation pass over one kind of object.</summary>
public sealed record RewrapCounts(long Rewrapped, long AlreadyCurrent, long Plaintext, long Sealed = 0)
{
    public static RewrapCounts Zero { get; } = new(0, 0, 0);

    public RewrapCounts Add(RewrapOutcome outcome) => outcome switch
    {
        RewrapOutcome.Rewrapped => this with { Rewrapped = Rewrapped + 1 },
        RewrapOutcome.AlreadyCurrent => this with { AlreadyCurrent = AlreadyCurrent + 1 },
        RewrapOutcome.Sealed => this with { Sealed = Sealed + 1 },
        _ => this with { Plaintext = Plaintext + 1 },
    };
}

/// <summary>
/// Encryption at rest for blobs (streams) and stored records (strings): seals new objects under the active key when
/// one is configured, opens sealed objects under whichever configured key wrapped them, and passes legacy plaintext
/// objects through (said once in the log). Used by the blob stores (file system, S3) and the EF store.
/// </summary>
public sealed partial class AtRestEncryption
{
    /// <summary>The prefix of a sealed record (a JSON string, so it also fits a jsonb column): <c>"dfe1:&lt;base64 envelope&gt;"</c>.</summary>
    public const string RecordPrefix = "\"dfe1:";

    private readonly ILogger _logger;
    private readonly int _segmentSize;
    private int _plaintextLogged;
    private readonly bool _allowPlaintextReads;

    public AtRestEncryption(KeyRing keys, ILogger<AtRestEncryption>? logger = null, int segmentSize = Envelope.DefaultSegmentSize, bool allowPlaintextReads = true)
    {
        _allowPlaintextReads = allowPlaintextReads;
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentSize, Envelope.MaxSegmentSize);
        Keys = keys;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _segmentSize = segmentSize;
    }

    /// <summary>No keys: new objects are written in plaintext; sealed ones fail to open with a clear error.</summary>
    public static AtRestEncryption Off { get; } = new(KeyRing.Empty);

    public KeyRing Keys { get; }

    /// <summary>Whether new objects are sealed (a key is active).</summary>
    public bool SealsNewObjects => Keys.ActiveKeyId is not null;

    // ---- streams (blobs) ----

    /// <summary>
    /// Copies <paramref name="content"/> into <paramref name="target"/>, sealed when a key is active, while hashing the
    /// plaintext: returns the content key (SHA-256 hex) and the plaintext length, so content addressing and dedup work
    /// the same with encryption on or off.
    /// </summary>
    public async Task<(string Key, long Length)> SealAndHashAsync(Stream content, Stream target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(target);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sealing = SealsNewObjects ? new SealingStream(target, Keys, _segmentSize, leaveOpen: true) : null;
        try
        {
            var output = (Stream?)sealing ?? target;
            var buffer = new byte[1 << 16];
            long length = 0;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                length += read;
            }
            if (sealing is not null) await sealing.FinishAsync(cancellationToken).ConfigureAwait(false);
            return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
        }
        catch
        {
            sealing?.Abandon();
            throw;
        }
        finally
        {
            if (sealing is not null) await sealing.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A stream that seals into <paramref name="target"/> under the active key (dispose it to write the final segment).</summary>
    public SealingStream Seal(Stream target, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!SealsNewObjects) throw new InvalidOperationException("No encryption key is active (Encryption:Keys / Encryption:ActiveKeyId).");
        return new SealingStream(target, Keys, _segmentSize, leaveOpen);
    }

    /// <summary>
    /// Opens a stored object for reading: a sealed one decrypted segment by segment (its key id must be configured),
    /// a plaintext one as it is. Takes ownership of <paramref name="stored"/>.
    /// </summary>
    /// <remarks>The object name (e.g. "blob 3fa4…") is what errors and the log call it.</remarks>
    public async Task<Stream> OpenAsync(Stream stored, string objectName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        try
        {
            var magic = new byte[Envelope.MagicSize];
            var read = await stored.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (!Envelope.HasMagic(magic.AsSpan(0, read)))
            {
                NotePlaintext(objectName);
                // A file stays a seekable stream with a length (range requests, Content-Length); others replay the sniffed bytes.
                if (stored.CanSeek)
                {
                    stored.Position = 0;
                    return stored;
                }
                return new PrefixedStream(magic, read, stored);
            }
            var header = await EnvelopeHeader.ReadAfterMagicAsync(magic, stored, objectName, cancellationToken).ConfigureAwait(false);
            var dataKey = Keys.Unwrap(header.KeyId, header.WrappedKey, header.FixedHeader, objectName);
            try
            {
                return new OpeningStream(stored, header, dataKey, objectName);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }
        catch
        {
            await stored.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Rewraps a sealed object under the active key, leaving plaintext ones as they are (see the overload).</summary>
    public async Task<RewrapOutcome> RewrapAsync(Stream stored, Stream target, string objectName, CancellationToken cancellationToken) =>
        await RewrapAsync(stored, target, objectName, sealPlaintext: false, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Rewraps a stored object's data key under the active key: reads its header from <paramref name="stored"/> and,
    /// only when it is sealed under another key, writes the new header and the unchanged segments to
    /// <paramref name="target"/>; a plaintext object is sealed into <paramref name="target"/> when
    /// <paramref name="sealPlaintext"/>. The caller replaces the object with <paramref name="target"/> only on
    /// <see cref="RewrapOutcome.Rewrapped"/> or <see cref="RewrapOutcome.Sealed"/>.
    /// </summary>
    public async Task<RewrapOutcome> RewrapAsync(Stream stored, Stream target, string objectName, bool sealPlaintext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(target);
        var active = Keys.ActiveKeyId ?? throw new InvalidOperationException("Rotation needs an active encryption key.");
        var magic = new byte[Envelope.MagicSize];
        var read = await stored.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (!Envelope.HasMagic(magic.AsSpan(0, read)))
        {
            if (!sealPlaintext) return RewrapOutcome.Plaintext;
            await using (var sealing = new SealingStream(target, Keys, _segmentSize, leaveOpen: true))
            {
                await sealing.WriteAsync(magic.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                await stored.CopyToAsync(sealing, cancellationToken).ConfigureAwait(false);
                await sealing.FinishAsync(cancellationToken).ConfigureAwait(false);
            }
            return RewrapOutcome.Sealed;
        }
        var header = await EnvelopeHeader.ReadAfterMagicAsync(magic, stored, objectName, cancellationToken).ConfigureAwait(false);
        if (header.KeyId == active) return RewrapOutcome.AlreadyCurrent;
        var rewrapped = Rewrap(header, active, objectName);
        await target.WriteAsync(rewrapped.ToBytes(), cancellationToken).ConfigureAwait(false);
        await stored.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
        await target.FlushAsync(cancellationToken).ConfigureAwait(false);
        return RewrapOutcome.Rewrapped;
    }

    private EnvelopeHeader Rewrap(EnvelopeHeader header, string toKeyId, string objectName)
    {
        var dataKey = Keys.Unwrap(header.KeyId, header.WrappedKey, header.FixedHeader, objectName);
        try
        {
            return new EnvelopeHeader(header.FixedHeader, toKeyId, Keys.Wrap(toKeyId, dataKey, header.FixedHeader));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    // ---- records (database text) ----

    /// <summary>Whether a stored record value is sealed (<see cref="RecordPrefix"/>).</summary>
    public static bool IsSealedRecord(string? value) => value is not null && value.StartsWith(RecordPrefix, StringComparison.Ordinal);

    /// <summary>Seals a record (e.g. Document JSON) under the active key as <c>"dfe1:…"</c>; returns it unchanged when encryption is off.</summary>
    public string SealRecord(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        if (!SealsNewObjects) return plaintext;
        using var buffer = new MemoryStream();
        using (var sealing = new SealingStream(buffer, Keys, _segmentSize, leaveOpen: true))
        {
            sealing.Write(Encoding.UTF8.GetBytes(plaintext));
        }
        return RecordPrefix + Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length) + "\"";
    }

    /// <summary>Opens a stored record: a sealed one under its key, a plaintext one as it is.</summary>
    public string OpenRecord(string stored, string objectName)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!IsSealedRecord(stored))
        {
            NotePlaintext(objectName);
            return stored;
        }
        var envelope = DecodeRecord(stored, objectName);
        using var opened = OpenAsync(new MemoryStream(envelope, writable: false), objectName, CancellationToken.None).GetAwaiter().GetResult();
        using var plain = new MemoryStream();
        opened.CopyTo(plain);
        return Encoding.UTF8.GetString(plain.GetBuffer(), 0, (int)plain.Length);
    }

    /// <summary>Whether a stored record, as its UTF-8 bytes, is sealed (<see cref="RecordPrefix"/>).</summary>
    public static bool IsSealedRecord(ReadOnlySpan<byte> utf8) => utf8.StartsWith("\"dfe1:"u8);

    /// <summary><see cref="OpenRecord(string, string)"/> for a record read as its UTF-8 bytes: a plaintext one comes back as
    /// it is, without a string (a large result read as a string is a large-object-heap allocation twice over, UTF-16;
    /// docs/benchmarks.md, "Authentication and audit cost", session 10); a sealed one is opened as before.</summary>
    public byte[] OpenRecord(byte[] stored, string objectName)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!IsSealedRecord(stored))
        {
            NotePlaintext(objectName);
            return stored;
        }
        return Encoding.UTF8.GetBytes(OpenRecord(Encoding.UTF8.GetString(stored), objectName));
    }

    /// <summary>Rewraps a stored record under the active key (seals a plaintext one when <paramref name="sealPlaintext"/>);
    /// the new value when <see cref="RewrapOutcome.Rewrapped"/> or <see cref="RewrapOutcome.Sealed"/>, else null.</summary>
    public (RewrapOutcome Outcome, string? Value) RewrapRecord(string stored, string objectName, bool sealPlaintext = false)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!IsSealedRecord(stored))
            return sealPlaintext ? (RewrapOutcome.Sealed, SealRecord(stored)) : (RewrapOutcome.Plaintext, null);
        using var source = new MemoryStream(DecodeRecord(stored, objectName), writable: false);
        using var target = new MemoryStream();
        var outcome = RewrapAsync(source, target, objectName, CancellationToken.None).GetAwaiter().GetResult();
        return outcome == RewrapOutcome.Rewrapped
            ? (outcome, RecordPrefix + Convert.ToBase64String(target.GetBuffer(), 0, (int)target.Length) + "\"")
            : (outcome, null);
    }

    private static byte[] DecodeRecord(string stored, string objectName)
    {
        // jsonb may hand the value back with whitespace normalised; the base64 alphabet needs no escaping.
        var body = stored.AsSpan(RecordPrefix.Length).TrimEnd();
        if (body.Length == 0 || body[^1] != '"') throw new SealedDataException($"{objectName} is truncated: its sealed record has no closing quote.");
        try
        {
            return Convert.FromBase64String(body[..^1].ToString());
        }
        catch (FormatException e)
        {
            throw new SealedDataException($"{objectName}: its sealed record is damaged (not base64).", e);
        }
    }

    private void NotePlaintext(string objectName)
    {
        if (!_allowPlaintextReads)
            throw new SealedDataException($"{objectName} is not sealed, and Encryption:AllowPlaintextReads is false: every object must be sealed (docflow keys rotate --seal-plaintext seals old ones).");
        if (Interlocked.Exchange(ref _plaintextLogged, 1) == 0)
            Log.PlaintextRead(_logger, objectName, SealsNewObjects);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
            Message = "Read {ObjectName} in plaintext (stored before encryption at rest was on; said once per process). Sealing new objects: {Sealing}. `docflow keys rotate --to <id> --seal-plaintext` seals such old objects")]
        public static partial void PlaintextRead(ILogger logger, string objectName, bool sealing);
    }
}
