using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DocFlow.IntegrationTests.Support;

/// <summary>
/// A throw-away test CA and a server certificate it signed (SANs localhost and 127.0.0.1), as PEM files in a folder
/// every server process can read (PostgreSQL's key owned by postgres, mode 0600, as it insists). Clients trust the
/// CA alone: <see cref="CreateHandler"/>, Npgsql's Root Certificate, StackExchange.Redis's TrustIssuer.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TestCertificates : IDisposable
{
    public string Directory { get; }
    public string CaPath => Path.Combine(Directory, "ca.pem");
    public string CertPath => Path.Combine(Directory, "server.pem");
    public string KeyPath => Path.Combine(Directory, "server.key");
    /// <summary>A copy of the key for PostgreSQL (owned by postgres when the tests run as root).</summary>
    public string PostgresKeyPath => Path.Combine(Directory, "postgres.key");
    public X509Certificate2 Ca { get; }

    /// <summary>base64(SHA-256(SubjectPublicKeyInfo)) of the server certificate: what Chromium's
    /// <c>--ignore-certificate-errors-spki-list</c> takes to trust exactly this certificate and no other.</summary>
    public string ServerSpkiSha256 { get; }

    public TestCertificates()
    {
        Directory = Path.Combine(Path.GetTempPath(), "docflow-tests", "tls-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        File.SetUnixFileMode(Directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.GetDirectoryName(Directory)!, File.GetUnixFileMode(Path.GetDirectoryName(Directory)!) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=DocFlow Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        using var server = request.Create(Ca, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(16));

        ServerSpkiSha256 = Convert.ToBase64String(SHA256.HashData(server.PublicKey.ExportSubjectPublicKeyInfo()));
        File.WriteAllText(CaPath, Ca.ExportCertificatePem());
        File.WriteAllText(CertPath, server.ExportCertificatePem());
        var key = serverKey.ExportPkcs8PrivateKeyPem();
        File.WriteAllText(KeyPath, key);
        File.WriteAllText(PostgresKeyPath, key);
        File.SetUnixFileMode(PostgresKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Environment.UserName == "root")
            System.Diagnostics.Process.Start("chown", ["postgres:postgres", PostgresKeyPath])!.WaitForExit();
    }

    /// <summary>An HTTP handler that accepts the server's certificate only if it chains to this test CA and names the host.</summary>
    public HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { Ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    };

    public void Dispose()
    {
        Ca.Dispose();
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}
