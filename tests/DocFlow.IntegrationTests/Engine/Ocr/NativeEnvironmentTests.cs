using DocFlow.Engine.Ocr;

namespace DocFlow.IntegrationTests.Engine.Ocr;

public sealed class NativeEnvironmentTests
{
    [Fact]
    public void EnsureInitialised_LimitsOpenMpThreads_AndCapsMallocArenas_UnlessTheOperatorDid()
    {
        NativeEnvironment.EnsureInitialised();

        Assert.False(string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OMP_THREAD_LIMIT")));
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX")))
            Assert.InRange(NativeEnvironment.MallocArenaLimit, 2, 8); // glibc's mallopt(M_ARENA_MAX) accepted the cap
        else
            Assert.Equal(0, NativeEnvironment.MallocArenaLimit); // the operator's value stands
    }
}
