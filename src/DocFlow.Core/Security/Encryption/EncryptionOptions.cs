namespace DocFlow.Security.Encryption;

/// <summary>
/// Encryption at rest: the key-encryption keys (KEKs) and which of them seals new objects. Section <c>Encryption</c>
/// (appsettings.json, <c>DOCFLOW__Encryption__…</c>). With no key configured nothing new is sealed; objects already
/// sealed still fail with a clear error instead of being served as ciphertext.
/// </summary>
/// <remarks>Every host (serve, worker, process, keys rotate) reads the same keys, so whatever one role sealed the
/// others can open. Old key ids stay configured for reading until <c>docflow keys rotate</c> has rewrapped every
/// object under the active one.</remarks>
public sealed class EncryptionOptions
{
    public const string SectionName = "Encryption";

    /// <summary>Keys by id: <c>Encryption:Keys:&lt;id&gt;</c> = base64 of 32 random bytes (<c>openssl rand -base64 32</c>).
    /// <value>Default: none.</value></summary>
    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>Key files or folders, separated by <c>;</c>. A file holds one key (base64, or 32 raw bytes) and its
    /// name is the key id; a folder (a mounted Kubernetes Secret) holds one such file per key; hidden entries
    /// (<c>..data</c>) are skipped. <value>Default: none.</value></summary>
    public string? KeyFiles { get; set; }

    /// <summary>The key that seals new objects. <value>Default: the only key when exactly one is configured; with
    /// several it must be set.</value></summary>
    public string? ActiveKeyId { get; set; }

    /// <summary>Refuse to start without a key (production: nothing is ever written in plaintext by mistake).
    /// <value>Default false.</value></summary>
    public bool Required { get; set; }

    /// <summary>Read objects that are not sealed (stored before encryption was on). Turn off once
    /// <c>docflow keys rotate --seal-plaintext</c> has sealed them all: then an unsealed object put in the store or the
    /// database by someone else is refused instead of served. <value>Default true.</value></summary>
    public bool AllowPlaintextReads { get; set; } = true;
}
