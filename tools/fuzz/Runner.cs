using System.Runtime.ExceptionServices;

namespace DocFlow.Fuzz;

/// <summary>Runs one input through a target on its own thread (the engine parses on pool threads, whose stacks are
/// smaller than the main thread's) with a time limit.</summary>
public static class Runner
{
    /// <summary>The per-input time limit: DOCFLOW_FUZZ_TIMEOUT_MS, default 5 s (the engine's inputs of a few KB take
    /// milliseconds; an input that runs this long is a hang).</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMilliseconds(
        int.TryParse(Environment.GetEnvironmentVariable("DOCFLOW_FUZZ_TIMEOUT_MS"), out var ms) && ms > 0 ? ms : 5000);

    /// <exception cref="TimeoutException">The input ran past <paramref name="timeout"/> (the thread is left running).</exception>
    public static void Run(Action<byte[]> target, byte[] input, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(target);
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                target(input);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        { IsBackground = true, Name = "fuzz-target" };
        thread.Start();
        if (!thread.Join(timeout))
            throw new TimeoutException($"The input ({input.Length} bytes) ran longer than {timeout.TotalMilliseconds:0} ms: a hang.");
        failure?.Throw();
    }
}
