using System.Collections;
using System.ComponentModel.DataAnnotations;
using DocFlow.Sandbox;
using Microsoft.Extensions.Configuration;

namespace DocFlow.Cli.Batch;

/// <summary>The sandbox of <c>docflow process --sandbox on</c>, from the same keys the server reads (<c>Engine:Sandbox:*</c>)
/// as environment variables: <c>DOCFLOW__Engine__Sandbox__MaxMemoryBytes=2147483648</c>,
/// <c>DOCFLOW__Engine__Sandbox__NoProgressTimeout=00:02:00</c> (names case-insensitive; docs/security.md, "Engine sandbox").</summary>
public static class SandboxOptionsFromEnvironment
{
    private const string Prefix = "DOCFLOW__";

    /// <summary>The options with the variables' values over the defaults of a short run: hosts without tiered
    /// re-compilation (<see cref="SandboxOptions.HostTieredCompilation"/> false unless a variable says otherwise).</summary>
    /// <exception cref="FormatException">A value cannot be read or is out of range; the message names the key.</exception>
    public static SandboxOptions Read(IDictionary variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in variables)
            if (e.Key is string name && name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
                settings[name[Prefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = e.Value as string;
        var options = new SandboxOptions { HostTieredCompilation = false };
        try
        {
            new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(SandboxOptions.SectionName).Bind(options);
            Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ValidationException)
        {
            throw new FormatException($"DOCFLOW__Engine__Sandbox__…: {ex.Message}", ex);
        }
        return options;
    }
}
