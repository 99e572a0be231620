using System.Security.Cryptography;
using System.Text;
using DocFlow.Blobs;
using DocFlow.Security.Encryption;
using DocFlow.Tests.Contracts;

namespace DocFlow.UnitTests.Blobs;

/// <summary>The blob store contract with encryption at rest on, the files on disk, and rotation by rewrapping.</summary>
public sealed class EncryptedFileSystemBlobStoreTests : BlobStoreContract, IDisposable
{
    private static readonly byte[] K1 = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] K2 = RandomNumberGenerator.GetBytes(32);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "docflow-blobs-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemBlobStore _store;

    public EncryptedFileSystemBlobStoreTests() => _store = Open(new KeyRing(new Dictionary<string, byte[]> { ["k1"] = K1 }, "k1"));

    private FileSystemBlobStore Open(KeyRing keys) => new(_root, new AtRestEncryption(keys));

    protected override IBlobStore Store => _store;

    private static async Task<byte[]> ReadAsync(IBlobStore store, string key)
    {
        await using var read = await store.OpenReadAsync(key, CancellationToken.None);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task TheFileOnDisk_IsNotThePlaintext()
    {
        var plain = Encoding.UTF8.GetBytes("%PDF-1.7 MARKER-7f3a invoice for ACME " + new string('x', 200_000));

        var info = await _store.PutAsync(new MemoryStream(plain), CancellationToken.None);

        var raw = await File.ReadAllBytesAsync(Path.Combine(_root, info.Key[..2], info.Key[2..4], info.Key));
        Assert.Equal(-1, raw.AsSpan().IndexOf("MARKER-7f3a"u8));
        Assert.True(Envelope.HasMagic(raw));
        Assert.Equal(plain.Length, info.Length);
        Assert.Equal(plain, await ReadAsync(_store, info.Key));
    }

    [Fact]
    public async Task ABlobWrittenBeforeEncryption_IsStillRead()
    {
        var plain = new FileSystemBlobStore(_root);
        var info = await plain.PutAsync(new MemoryStream("%PDF legacy"u8.ToArray()), CancellationToken.None);

        Assert.Equal("%PDF legacy"u8.ToArray(), await ReadAsync(_store, info.Key));
    }

    [Fact]
    public async Task WithoutTheKey_ReadingFailsNamingTheBlobAndTheKey()
    {
        var info = await _store.PutAsync(new MemoryStream([1, 2, 3]), CancellationToken.None);

        var e = await Assert.ThrowsAsync<SealedDataException>(() => ReadAsync(new FileSystemBlobStore(_root), info.Key));

        Assert.Contains("blob " + info.Key, e.Message);
        Assert.Contains("'k1'", e.Message);
    }

    [Fact]
    public async Task Rotation_RewrapsEveryBlob_ThenTheOldKeyCanGo_AndASecondRunDoesNothing()
    {
        var a = await _store.PutAsync(new MemoryStream(RandomNumberGenerator.GetBytes(300_000)), CancellationToken.None);
        var b = await _store.PutAsync(new MemoryStream([4, 5, 6]), CancellationToken.None);
        var legacy = await new FileSystemBlobStore(_root).PutAsync(new MemoryStream([7, 8]), CancellationToken.None);
        var before = await ReadAsync(_store, a.Key);
        var rotating = Open(new KeyRing(new Dictionary<string, byte[]> { ["k1"] = K1, ["k2"] = K2 }, "k2"));

        var counts = RewrapCounts.Zero;
        await foreach (var key in rotating.ListKeysAsync(CancellationToken.None))
            counts = counts.Add(await rotating.RewrapAsync(key, sealPlaintext: false, CancellationToken.None));

        Assert.Equal(new RewrapCounts(2, 0, 1), counts);
        var k2Only = Open(new KeyRing(new Dictionary<string, byte[]> { ["k2"] = K2 }, "k2"));
        Assert.Equal(before, await ReadAsync(k2Only, a.Key));
        Assert.Equal([4, 5, 6], await ReadAsync(k2Only, b.Key));
        Assert.Equal([7, 8], await ReadAsync(k2Only, legacy.Key));
        counts = RewrapCounts.Zero;
        await foreach (var key in rotating.ListKeysAsync(CancellationToken.None))
            counts = counts.Add(await rotating.RewrapAsync(key, sealPlaintext: false, CancellationToken.None));
        Assert.Equal(new RewrapCounts(0, 2, 1), counts);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "tmp")));

        // --seal-plaintext: the legacy blob is sealed in place, under the same key.
        Assert.Equal(RewrapOutcome.Sealed, await rotating.RewrapAsync(legacy.Key, sealPlaintext: true, CancellationToken.None));
        Assert.True(Envelope.HasMagic(await File.ReadAllBytesAsync(Path.Combine(_root, legacy.Key[..2], legacy.Key[2..4], legacy.Key))));
        Assert.Equal([7, 8], await ReadAsync(k2Only, legacy.Key));
        Assert.Equal(RewrapOutcome.AlreadyCurrent, await rotating.RewrapAsync(legacy.Key, sealPlaintext: true, CancellationToken.None));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }
}
