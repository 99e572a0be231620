using System.Diagnostics;

namespace DocFlow.IntegrationTests.Support;

/// <summary>The two executables beside the tests, run to completion as a user runs them: the product's `docflow`
/// (docflow.dll) and the tooling's `docflow-tools` (docflow-tools.dll, what `./docflow samples|bench|autoscale-sim` runs).</summary>
public static class Executables
{
    public const string Product = "docflow.dll";
    public const string Tools = "docflow-tools.dll";

    /// <summary>Runs <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> with OMP_THREAD_LIMIT=1; its exit
    /// code and its standard output followed by its standard error.</summary>
    public static Task<(int Exit, string Output)> RunAsync(string dll, TimeSpan timeout, params string[] args) =>
        RunAsync(dll, timeout, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="RunAsync(string, TimeSpan, string[])"/>, with extra environment variables (DOCFLOW__…).</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string dll, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_THREAD_LIMIT"] = "1";
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {dll}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await p.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // Not left running (with whatever it started) into the tests after this one.
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            throw new TimeoutException($"dotnet {dll} {string.Join(' ', args)} did not end within {timeout}:\n{await stdout}{await stderr}");
        }
        return (p.ExitCode, await stdout + await stderr);
    }
}
