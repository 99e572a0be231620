using System.Security.Cryptography;
using System.Text;
using DocFlow.Security.Encryption;

namespace DocFlow.UnitTests.Security;

/// <summary>The envelope (AES-256-GCM segments, wrapped data key): round trips, and every kind of damage failing with
/// an error that names the object and the key id, never with plaintext.</summary>
public sealed class EnvelopeEncryptionTests
{
    private const int Segment = 1024; // small segments: many of them in a few KiB
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly byte[] K1 = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] K2 = RandomNumberGenerator.GetBytes(32);

    private static AtRestEncryption With(string? active, params (string Id, byte[] Key)[] keys) =>
        new(new KeyRing(keys.ToDictionary(k => k.Id, k => k.Key), active), segmentSize: Segment);

    private static readonly AtRestEncryption Sealer = With("k1", ("k1", K1));

    private static async Task<byte[]> SealAsync(AtRestEncryption encryption, byte[] plain)
    {
        using var target = new MemoryStream();
        await encryption.SealAndHashAsync(new MemoryStream(plain), target, None);
        return target.ToArray();
    }

    private static async Task<byte[]> OpenAsync(AtRestEncryption encryption, byte[] stored, string name = "blob abc")
    {
        await using var opened = await encryption.OpenAsync(new MemoryStream(stored), name, None);
        using var copy = new MemoryStream();
        await opened.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static int HeaderLength(string keyId) => Envelope.FixedHeaderSize + 1 + keyId.Length + Envelope.WrappedKeySize;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Segment - 1)]
    [InlineData(Segment)]
    [InlineData(Segment + 1)]
    [InlineData(3 * Segment)]
    [InlineData(7 * Segment + 17)]
    public async Task Seal_ThenOpen_GivesTheSameBytes_AndTheHashOfThePlaintext(int length)
    {
        var plain = RandomNumberGenerator.GetBytes(length);
        using var target = new MemoryStream();

        var (key, written) = await Sealer.SealAndHashAsync(new MemoryStream(plain), target, None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(plain)), key);
        Assert.Equal(length, written);
        Assert.True(Envelope.HasMagic(target.ToArray()));
        var segments = Math.Max(1, (length + Segment - 1) / Segment) + (length > 0 && length % Segment == 0 ? 0 : 0);
        Assert.True(target.Length >= HeaderLength("k1") + length + segments * Envelope.TagSize);
        Assert.Equal(plain, await OpenAsync(Sealer, target.ToArray()));
    }

    [Fact]
    public async Task SealedBytes_DoNotContainThePlaintext()
    {
        var plain = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("MARKER-7f3a-INVOICE ", 400)));

        var sealedBytes = await SealAsync(Sealer, plain);

        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf("MARKER-7f3a"u8));
    }

    [Fact]
    public async Task SyncReads_OpenTheSameBytes()
    {
        var plain = RandomNumberGenerator.GetBytes(5 * Segment + 3);
        var sealedBytes = await SealAsync(Sealer, plain);

        using var opened = await Sealer.OpenAsync(new MemoryStream(sealedBytes), "blob abc", None);
        using var copy = new MemoryStream();
        opened.CopyTo(copy);

        Assert.Equal(plain, copy.ToArray());
    }

    [Fact]
    public async Task FlippedByteInASegment_FailsNamingTheObjectAndSegment()
    {
        var sealedBytes = await SealAsync(Sealer, RandomNumberGenerator.GetBytes(3 * Segment));
        sealedBytes[HeaderLength("k1") + Segment + Envelope.TagSize + 5] ^= 0x01; // inside segment 1

        var e = await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(Sealer, sealedBytes, "blob 3fa4"));

        Assert.Contains("blob 3fa4", e.Message);
        Assert.Contains("segment 1", e.Message);
    }

    [Fact]
    public async Task FlippedByteInTheFixedHeader_Fails()
    {
        var sealedBytes = await SealAsync(Sealer, RandomNumberGenerator.GetBytes(100));
        sealedBytes[15] ^= 0x01; // nonce prefix: the wrapped key and every segment are bound to it

        var e = await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(Sealer, sealedBytes, "blob 3fa4"));

        Assert.Contains("blob 3fa4", e.Message);
        Assert.Contains("'k1'", e.Message);
    }

    [Theory]
    [InlineData(Segment + Envelope.TagSize)] // cut at a segment boundary: no final segment
    [InlineData(Segment + Envelope.TagSize + 100)] // cut inside a segment
    [InlineData(0)] // header only
    [InlineData(-30)] // inside the header
    public async Task Truncated_FailsNamingTheObject(int keptAfterHeader)
    {
        var sealedBytes = await SealAsync(Sealer, RandomNumberGenerator.GetBytes(3 * Segment + 10));
        var cut = sealedBytes[..(HeaderLength("k1") + keptAfterHeader)];

        var e = await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(Sealer, cut, "blob 3fa4"));

        Assert.Contains("blob 3fa4", e.Message);
    }

    [Fact]
    public async Task ReorderedSegments_Fail()
    {
        var sealedBytes = await SealAsync(Sealer, RandomNumberGenerator.GetBytes(3 * Segment + 10));
        var header = HeaderLength("k1");
        var chunk = Segment + Envelope.TagSize;
        var swapped = sealedBytes.ToArray();
        sealedBytes.AsSpan(header + chunk, chunk).CopyTo(swapped.AsSpan(header));
        sealedBytes.AsSpan(header, chunk).CopyTo(swapped.AsSpan(header + chunk));

        var e = await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(Sealer, swapped, "blob 3fa4"));

        Assert.Contains("segment 0", e.Message);
    }

    [Fact]
    public async Task AppendedSegmentAfterTheFinalOne_Fails()
    {
        var sealedBytes = await SealAsync(Sealer, RandomNumberGenerator.GetBytes(2 * Segment + 10));
        var header = HeaderLength("k1");
        var chunk = Segment + Envelope.TagSize;
        var longer = sealedBytes.Concat(sealedBytes.AsSpan(header, chunk).ToArray()).ToArray();

        await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(Sealer, longer));
    }

    [Fact]
    public async Task KeyIdNotConfigured_FailsNamingTheKeyAndTheObject()
    {
        var sealedBytes = await SealAsync(Sealer, [1, 2, 3]);
        var other = With("k2", ("k2", K2));

        var e = await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(other, sealedBytes, "blob 3fa4"));

        Assert.Contains("blob 3fa4", e.Message);
        Assert.Contains("'k1'", e.Message);
        Assert.Contains("not configured", e.Message);
    }

    [Fact]
    public async Task NoKeyConfigured_FailsInsteadOfReturningCiphertext()
    {
        var sealedBytes = await SealAsync(Sealer, [1, 2, 3]);

        var e = await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(AtRestEncryption.Off, sealedBytes, "blob 3fa4"));

        Assert.Contains("no encryption key is configured", e.Message);
        Assert.Contains("Encryption:Keys:k1", e.Message);
    }

    [Fact]
    public async Task WrongKeyMaterialUnderTheSameId_FailsNamingTheKey()
    {
        var sealedBytes = await SealAsync(Sealer, [1, 2, 3]);
        var impostor = With("k1", ("k1", K2));

        var e = await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(impostor, sealedBytes, "blob 3fa4"));

        Assert.Contains("does not unwrap with encryption key 'k1'", e.Message);
    }

    [Fact]
    public async Task RelabelledKeyId_FailsToUnwrap()
    {
        // Same length ids, both configured: the wrap is bound to the id it was made under.
        var both = With("k1", ("k1", K1), ("k2", K1));
        var sealedBytes = await SealAsync(both, [1, 2, 3]);
        sealedBytes[Envelope.FixedHeaderSize + 2] = (byte)'2';

        var e = await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(both, sealedBytes));

        Assert.Contains("'k2'", e.Message);
    }

    [Fact]
    public async Task Plaintext_IsReadAsItIs()
    {
        var plain = "%PDF-1.7 legacy"u8.ToArray();

        Assert.Equal(plain, await OpenAsync(Sealer, plain));
        Assert.Equal(Array.Empty<byte>(), await OpenAsync(Sealer, []));
        Assert.Equal(new byte[] { 1, 2 }, await OpenAsync(Sealer, [1, 2]));
    }

    [Fact]
    public async Task Plaintext_FromAStreamThatCannotSeek_IsReadWhole()
    {
        var plain = Encoding.ASCII.GetBytes("%PDF-1.7 " + new string('y', 100_000));

        await using var opened = await Sealer.OpenAsync(new ForwardOnly(plain), "blob abc", None);
        using var copy = new MemoryStream();
        await opened.CopyToAsync(copy);

        Assert.Equal(plain, copy.ToArray());
    }

    /// <summary>A network response body: forward only, no length.</summary>
    private sealed class ForwardOnly(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task Plaintext_IsRefused_WhenPlaintextReadsAreOff()
    {
        var strict = new AtRestEncryption(new KeyRing(new Dictionary<string, byte[]> { ["k1"] = K1 }, null), allowPlaintextReads: false);

        var e = await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(strict, "%PDF-1.7 planted"u8.ToArray(), "blob 3fa4"));
        Assert.Contains("blob 3fa4 is not sealed", e.Message);
        Assert.Throws<SealedDataException>(() => strict.OpenRecord("{\"text\":\"planted\"}", "the result of job j1"));
        Assert.Throws<SealedDataException>(() => strict.OpenRecord("{\"text\":\"planted\"}"u8.ToArray(), "the result of job j1"));
        Assert.Equal(new byte[] { 1, 2, 3 }, await OpenAsync(strict, await SealAsync(strict, [1, 2, 3])));
    }

    [Fact]
    public async Task Off_WritesPlaintext()
    {
        var plain = Encoding.UTF8.GetBytes("hello");

        Assert.Equal(plain, await SealAsync(AtRestEncryption.Off, plain));
    }

    [Fact]
    public async Task Rewrap_ChangesOnlyTheHeader_AndOpensWithTheNewKeyAlone()
    {
        var plain = RandomNumberGenerator.GetBytes(4 * Segment + 9);
        var sealedBytes = await SealAsync(Sealer, plain);
        var rotating = With("k2", ("k1", K1), ("k2", K2));
        using var target = new MemoryStream();

        var outcome = await rotating.RewrapAsync(new MemoryStream(sealedBytes), target, "blob abc", None);

        Assert.Equal(RewrapOutcome.Rewrapped, outcome);
        var rewrapped = target.ToArray();
        Assert.Equal(sealedBytes.AsSpan(HeaderLength("k1")).ToArray(), rewrapped.AsSpan(HeaderLength("k2")).ToArray()); // content not re-encrypted
        Assert.Equal(plain, await OpenAsync(With("k2", ("k2", K2)), rewrapped));
        await Assert.ThrowsAsync<SealedDataException>(() => OpenAsync(Sealer, rewrapped));

        using var again = new MemoryStream();
        Assert.Equal(RewrapOutcome.AlreadyCurrent, await rotating.RewrapAsync(new MemoryStream(rewrapped), again, "blob abc", None));
        Assert.Equal(0, again.Length);
        Assert.Equal(RewrapOutcome.Plaintext, await rotating.RewrapAsync(new MemoryStream("%PDF"u8.ToArray()), again, "blob abc", None));
    }

    [Fact]
    public void Records_SealAsAJsonString_OpenAndRewrap()
    {
        const string json = """{"text":"MARKER-7f3a total 12.00"}""";

        var stored = Sealer.SealRecord(json);

        Assert.StartsWith("\"dfe1:", stored);
        Assert.EndsWith("\"", stored);
        Assert.DoesNotContain("MARKER", stored);
        Assert.Equal(json, Sealer.OpenRecord(stored, "the result of job j1"));
        Assert.Equal(json, Sealer.OpenRecord(json, "the result of job j1")); // legacy plaintext row
        // The same record read as its UTF-8 bytes (the SQLite result read): sealed opened, plaintext as it is.
        Assert.Equal(json, System.Text.Encoding.UTF8.GetString(Sealer.OpenRecord(System.Text.Encoding.UTF8.GetBytes(stored), "the result of job j1")));
        var plain = System.Text.Encoding.UTF8.GetBytes(json);
        Assert.Same(plain, Sealer.OpenRecord(plain, "the result of job j1"));
        Assert.True(AtRestEncryption.IsSealedRecord(System.Text.Encoding.UTF8.GetBytes(stored).AsSpan()));
        Assert.False(AtRestEncryption.IsSealedRecord(plain.AsSpan()));
        Assert.Equal(json, AtRestEncryption.Off.SealRecord(json));

        var rotating = With("k2", ("k1", K1), ("k2", K2));
        var (outcome, value) = rotating.RewrapRecord(stored, "the result of job j1");
        Assert.Equal(RewrapOutcome.Rewrapped, outcome);
        Assert.Equal(json, With("k2", ("k2", K2)).OpenRecord(value!, "the result of job j1"));
        Assert.Equal(RewrapOutcome.AlreadyCurrent, rotating.RewrapRecord(value!, "x").Outcome);
        Assert.Equal(RewrapOutcome.Plaintext, rotating.RewrapRecord(json, "x").Outcome);
    }

    [Fact]
    public void TamperedRecord_FailsNamingTheRecord()
    {
        var stored = Sealer.SealRecord("{\"a\":1}");
        var chars = stored.ToCharArray();
        chars[^10] = chars[^10] == 'A' ? 'B' : 'A';

        var e = Assert.Throws<SealedDataException>(() => Sealer.OpenRecord(new string(chars), "the result of job j1"));
        Assert.Contains("the result of job j1", e.Message);
        var missing = Assert.Throws<SealedDataException>(() => AtRestEncryption.Off.OpenRecord(stored, "the result of job j1"));
        Assert.Contains("the result of job j1", missing.Message);
        var missingBytes = Assert.Throws<SealedDataException>(() => AtRestEncryption.Off.OpenRecord(System.Text.Encoding.UTF8.GetBytes(stored), "the result of job j1"));
        Assert.Contains("the result of job j1", missingBytes.Message);
    }
}
