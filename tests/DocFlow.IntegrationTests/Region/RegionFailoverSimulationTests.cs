using System.Diagnostics;
using System.Text;
using DocFlow.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Region;

/// <summary>
/// A short run of tools/region-failover/simulate.sh (docs/multi-region.md): a PostgreSQL primary and synchronous
/// streaming replica, two Redis, two blob folders, region A's API and a worker, region B's warm API; region A fails
/// mid-batch, the replica is promoted, B rebuilds its empty queue from the database and every accepted document ends
/// succeeded with one result. The script checks that and exits non-zero on any violation.
/// </summary>
public sealed class RegionFailoverSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task FailoverMidBatch_PromotedReplicaAndRebuiltQueue_FinishEveryAcceptedDocument()
    {
        // The product as this test run built it: docflow.dll beside the tests, behind a wrapper that execs dotnet (the
        // script SIGKILLs the PID it started, which must be the product's).
        var bin = Repo.NewTempDirectory("region-bin");
        var wrapper = Path.Combine(bin, "docflow");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "docflow.dll")}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(Repo.Root, "tools", "region-failover", "simulate.sh"));
        psi.Environment["DOCFLOW_BIN"] = wrapper;
        psi.Environment["DOCS"] = "9";
        psi.Environment["WORKERS"] = "1";
        psi.Environment["FAIL_AT"] = "3";
        psi.Environment["AFTER"] = "2";
        var text = new StringBuilder();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("bash did not start");
        process.OutputDataReceived += (_, e) => { lock (text) text.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (text) text.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            output.WriteLine(text.ToString());
        }
        process.WaitForExit(); // flushes the redirected output
        var log = text.ToString();
        Assert.True(process.ExitCode == 0, $"simulate.sh exited {process.ExitCode}:\n{log}");
        Assert.Contains("read-only standby", log, StringComparison.Ordinal);
        Assert.Matches(@"succeeded, exactly one result each\s+11 of 11 \(11 results\)", log);
        Assert.Matches(@"violations\s+0", log);
    }
}
