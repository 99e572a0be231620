using DocFlow.IO;

namespace DocFlow.UnitTests.IO;

public sealed class TempFilesTests
{
    [Fact]
    public void NewName_CarriesThisProcessAsOwner_WhichIsRunning()
    {
        var name = TempFiles.NewName("blob", ".pdf");

        Assert.StartsWith(TempFiles.Prefix, name);
        Assert.True(TempFiles.TryParseOwner(name, out var pid, out var start));
        Assert.Equal(Environment.ProcessId, pid);
        Assert.True(TempFiles.IsRunning(pid, start));
        Assert.False(TempFiles.IsRunning(pid, 1)); // the same pid, another start: a reused pid
    }

    [Theory]
    [InlineData("docflow-0123456789abcdef0123456789abcdef.pdf", true)]
    [InlineData("docflow-s3-0123456789abcdef0123456789abcdef", true)]
    [InlineData("docflow-page-Ab12Cd", true)]
    [InlineData("ASPNETCORE_5f1d2c3b-aaaa-bbbb-cccc-0123456789ab.tmp", true)]
    [InlineData("docflow-tests", false)]
    [InlineData("docflow-s3rver", false)]
    [InlineData("something-else.pdf", false)]
    public void IsUntaggedLeftover_KnowsOnlyDocFlowsOldNamesAndFormBuffers(string name, bool expected) =>
        Assert.Equal(expected, TempFiles.IsUntaggedLeftover(name));

    [Fact]
    public void Sweep_RemovesDeadOwnersAndOldUntagged_KeepsTheRest()
    {
        var dir = Directory.CreateTempSubdirectory("sweep-unit-").FullName;
        try
        {
            var now = DateTimeOffset.UtcNow;
            var dead = Touch(dir, $"docflow-{Environment.ProcessId}-1-blob-x");
            var live = Touch(dir, TempFiles.NewName("blob"));
            var old = Touch(dir, "docflow-page-abcdef", now.AddHours(-1));
            var fresh = Touch(dir, "docflow-page-ghijkl", now);
            var foreign = Touch(dir, "docflow-tests", now.AddHours(-1));

            Assert.Equal(2, TempFiles.Sweep(dir, TimeSpan.FromMinutes(15), now));

            Assert.False(File.Exists(dead));
            Assert.False(File.Exists(old));
            Assert.True(File.Exists(live));
            Assert.True(File.Exists(fresh));
            Assert.True(File.Exists(foreign));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Sweep_OfAFolderSharedAcrossHosts_JudgesByAgeOnly()
    {
        var dir = Directory.CreateTempSubdirectory("sweep-shared-").FullName;
        try
        {
            var now = DateTimeOffset.UtcNow;
            var freshOfAnotherContainer = Touch(dir, $"docflow-{Environment.ProcessId}-1-blob-x", now);
            var old = Touch(dir, $"docflow-{Environment.ProcessId}-1-blob-y", now.AddHours(-1));
            var oldUntagged = Touch(dir, "0123", now.AddHours(-1));

            Assert.Equal(2, TempFiles.Sweep(dir, TimeSpan.FromMinutes(15), now, everyFile: true, sharedAcrossHosts: true));

            Assert.True(File.Exists(freshOfAnotherContainer));
            Assert.False(File.Exists(old));
            Assert.False(File.Exists(oldUntagged));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static string Touch(string dir, string name, DateTimeOffset? written = null)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, [0]);
        if (written is { } w) File.SetLastWriteTimeUtc(path, w.UtcDateTime);
        return path;
    }
}
