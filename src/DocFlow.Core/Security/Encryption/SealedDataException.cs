using System.Security.Cryptography;

namespace DocFlow.Security.Encryption;

/// <summary>A sealed object could not be opened: its key is not configured, the key is wrong, or the bytes were
/// changed, truncated or reordered. The message names the object and the key id; no plaintext is ever returned.</summary>
public sealed class SealedDataException : CryptographicException
{
    public SealedDataException(string message) : base(message) { }

    public SealedDataException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The encryption configuration is unusable (bad key material, unknown active key, missing key file).</summary>
public sealed class EncryptionConfigurationException(string message) : Exception(message);
