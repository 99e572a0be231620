using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DocFlow.Security.Encryption;

/// <summary>
/// The configured key-encryption keys (KEKs) by id, and the active one that wraps new data keys. A data key is
/// wrapped with AES-256-GCM under a KEK; the wrap's associated data is the envelope's fixed header plus the KEK id,
/// so a wrapped key moved to another object or relabelled with another id fails to unwrap.
/// </summary>
public sealed class KeyRing
{
    /// <summary>Bytes of a KEK and of a data key (AES-256).</summary>
    public const int KeySize = 32;

    private readonly Dictionary<string, byte[]> _keys;

    public KeyRing(IReadOnlyDictionary<string, byte[]> keys, string? activeKeyId)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, key) in keys)
        {
            ValidateId(id);
            if (key.Length != KeySize) throw new EncryptionConfigurationException($"Encryption key '{id}' has {key.Length} bytes; a key is {KeySize} random bytes (openssl rand -base64 32).");
            _keys[id] = key.ToArray();
        }
        if (activeKeyId is null && _keys.Count == 1) activeKeyId = _keys.Keys.First();
        if (activeKeyId is not null && !_keys.ContainsKey(activeKeyId))
            throw new EncryptionConfigurationException(_keys.Count == 0
                ? $"Encryption:ActiveKeyId is '{activeKeyId}' but no key is configured (Encryption:Keys:{activeKeyId} or Encryption:KeyFiles)."
                : $"Encryption:ActiveKeyId is '{activeKeyId}', which is not among the configured keys ({string.Join(", ", _keys.Keys.Order(StringComparer.Ordinal))}).");
        if (activeKeyId is null && _keys.Count > 1)
            throw new EncryptionConfigurationException($"Several encryption keys are configured ({string.Join(", ", _keys.Keys.Order(StringComparer.Ordinal))}): set Encryption:ActiveKeyId to the one that seals new objects.");
        ActiveKeyId = activeKeyId;
    }

    /// <summary>No keys: nothing is sealed, and opening a sealed object fails.</summary>
    public static KeyRing Empty { get; } = new(new Dictionary<string, byte[]>(), null);

    /// <summary>The key id that wraps new data keys; null when encryption is off.</summary>
    public string? ActiveKeyId { get; }

    /// <summary>Every configured key id (the active one and those kept for reading).</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    public bool Contains(string keyId) => _keys.ContainsKey(keyId);

    /// <summary>Loads the keys the options name: inline base64 values and key files or folders.</summary>
    public static KeyRing Load(EncryptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, value) in options.Keys)
        {
            if (string.IsNullOrWhiteSpace(value)) continue;
            Add(keys, id, Decode(value, $"Encryption:Keys:{id}"), $"Encryption:Keys:{id}");
        }
        foreach (var path in (options.KeyFiles ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(file);
                    if (name.StartsWith('.')) continue;
                    Add(keys, name, ReadKeyFile(file), file);
                }
            }
            else if (File.Exists(path))
            {
                Add(keys, Path.GetFileName(path), ReadKeyFile(path), path);
            }
            else
            {
                throw new EncryptionConfigurationException($"Encryption:KeyFiles names '{path}', which is neither a file nor a folder.");
            }
        }
        var ring = new KeyRing(keys, string.IsNullOrWhiteSpace(options.ActiveKeyId) ? null : options.ActiveKeyId.Trim());
        if (options.Required && ring.ActiveKeyId is null)
            throw new EncryptionConfigurationException("Encryption:Required is set but no encryption key is configured (Encryption:Keys:<id> = base64 of 32 bytes, or Encryption:KeyFiles).");
        return ring;
    }

    private static void Add(Dictionary<string, byte[]> keys, string id, byte[] key, string source)
    {
        ValidateId(id);
        if (keys.TryGetValue(id, out var existing))
        {
            if (!CryptographicOperations.FixedTimeEquals(existing, key))
                throw new EncryptionConfigurationException($"Encryption key '{id}' is configured twice with different values (again in {source}).");
            return;
        }
        keys[id] = key;
    }

    private static byte[] ReadKeyFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == KeySize) return bytes;
        return Decode(Encoding.ASCII.GetString(bytes), path);
    }

    private static byte[] Decode(string base64, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new EncryptionConfigurationException($"{source} is not base64 (a key is 32 random bytes: openssl rand -base64 32).");
        }
        if (key.Length != KeySize)
            throw new EncryptionConfigurationException($"{source} holds {key.Length} bytes; a key is {KeySize} random bytes (openssl rand -base64 32).");
        return key;
    }

    /// <summary>Key ids: 1 to 64 of A-Z a-z 0-9 . _ - (they are written into every envelope and used as file names).</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '.' or '_' or '-');

    private static void ValidateId(string id)
    {
        if (!IsValidId(id)) throw new EncryptionConfigurationException($"'{id}' is not a key id (1 to 64 of A-Z a-z 0-9 . _ -).");
    }

    /// <summary>Wraps <paramref name="dataKey"/> under <paramref name="keyId"/>; returns nonce ‖ ciphertext ‖ tag.</summary>
    internal byte[] Wrap(string keyId, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> fixedHeader)
    {
        var kek = _keys[keyId];
        var wrapped = new byte[Envelope.WrappedKeySize];
        var nonce = wrapped.AsSpan(0, Envelope.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(kek, Envelope.TagSize);
        aes.Encrypt(nonce, dataKey, wrapped.AsSpan(Envelope.NonceSize, KeySize), wrapped.AsSpan(Envelope.NonceSize + KeySize), WrapAad(fixedHeader, keyId));
        return wrapped;
    }

    /// <summary>Unwraps the data key of <paramref name="objectName"/>; a clear error when the key is missing or wrong.</summary>
    internal byte[] Unwrap(string keyId, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> fixedHeader, string objectName)
    {
        if (!_keys.TryGetValue(keyId, out var kek))
            throw new SealedDataException(_keys.Count == 0
                ? $"{objectName} is sealed under encryption key '{keyId}', but no encryption key is configured (Encryption:Keys:{keyId} or Encryption:KeyFiles)."
                : $"{objectName} is sealed under encryption key '{keyId}', which is not configured (configured: {string.Join(", ", _keys.Keys.Order(StringComparer.Ordinal))}). Keep old keys configured until `docflow keys rotate` has rewrapped everything.");
        var dataKey = new byte[KeySize];
        try
        {
            using var aes = new AesGcm(kek, Envelope.TagSize);
            aes.Decrypt(wrapped[..Envelope.NonceSize], wrapped.Slice(Envelope.NonceSize, KeySize), wrapped[(Envelope.NonceSize + KeySize)..], dataKey, WrapAad(fixedHeader, keyId));
            return dataKey;
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SealedDataException($"{objectName}: its data key does not unwrap with encryption key '{keyId}' (the configured key '{keyId}' is not the one it was sealed with, or the header was changed).", e);
        }
    }

    private static byte[] WrapAad(ReadOnlySpan<byte> fixedHeader, string keyId)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        var aad = new byte[fixedHeader.Length + 2 + id.Length];
        fixedHeader.CopyTo(aad);
        BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(fixedHeader.Length), (ushort)id.Length);
        id.CopyTo(aad.AsSpan(fixedHeader.Length + 2));
        return aad;
    }
}
