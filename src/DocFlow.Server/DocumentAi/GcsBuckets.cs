using Microsoft.Extensions.Options;

namespace DocFlow.Server.DocumentAi;

/// <summary><c>gs://bucket/object</c> URIs mapped onto folders by configuration (<see cref="DocumentAiOptions.Buckets"/>):
/// a bucket that is not configured, one of another tenant, or an object name that would leave its folder is refused.
/// Nothing is ever fetched from an address a caller chose.</summary>
public sealed class GcsBuckets(IOptions<DocumentAiOptions> options)
{
    /// <summary>The file of <paramref name="uri"/> for <paramref name="tenant"/> (which need not exist).</summary>
    public string PathOf(string uri, string tenant)
    {
        var (bucket, name) = Split(uri);
        var root = RootOf(bucket, tenant);
        var path = Path.GetFullPath(Path.Combine(root, name));
        if (!path.StartsWith(root, StringComparison.Ordinal))
            throw GoogleStatusException.InvalidArgument($"Invalid GCS object name in '{uri}'.");
        return path;
    }

    /// <summary>The files under the prefix <paramref name="uriPrefix"/> (<c>gs://bucket/folder/</c>), in name order, as
    /// (URI, path) pairs.</summary>
    public IReadOnlyList<(string Uri, string Path)> List(string uriPrefix, string tenant, int max)
    {
        var (bucket, prefix) = Split(uriPrefix, allowEmptyName: true);
        var root = RootOf(bucket, tenant);
        if (!Directory.Exists(root)) return [];
        var files = new List<(string, string)>();
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (files.Count == max)
                throw GoogleStatusException.InvalidArgument($"The input prefix {uriPrefix} holds more than {max} files, the most one batch takes.");
            files.Add(($"gs://{bucket}/{name}", file));
        }
        return files;
    }

    private string RootOf(string bucket, string tenant)
    {
        if (!options.Value.Buckets.TryGetValue(bucket, out var config) || string.IsNullOrWhiteSpace(config.Path))
            throw GoogleStatusException.PermissionDenied(
                $"Bucket '{bucket}' is not configured on this server (DocumentAi:Buckets:{bucket}:Path); DocFlow reads and writes only configured buckets.");
        if (!string.Equals(config.Tenant, tenant, StringComparison.Ordinal))
            throw GoogleStatusException.PermissionDenied($"The caller does not have permission to use bucket '{bucket}'.");
        var root = Path.GetFullPath(config.Path);
        return root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
    }

    /// <summary>Splits <c>gs://bucket/name</c>.</summary>
    public static (string Bucket, string Name) Split(string uri, bool allowEmptyName = false)
    {
        if (!uri.StartsWith("gs://", StringComparison.Ordinal))
            throw GoogleStatusException.InvalidArgument($"Invalid GCS URI '{uri}': it must start with gs://.");
        var rest = uri[5..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var name = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length == 0 || (!allowEmptyName && name.Length == 0) || name.Contains('\\', StringComparison.Ordinal)
            || name.Split('/').Any(s => s is ".." or "."))
            throw GoogleStatusException.InvalidArgument($"Invalid GCS URI '{uri}'.");
        return (bucket, name);
    }
}
