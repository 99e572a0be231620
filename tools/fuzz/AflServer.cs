using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DocFlow.Fuzz;

/// <summary>
/// The afl-fuzz fork server for one target, with the target run in a separate, long-lived .NET child process
/// (<c>DocFlow.Fuzz child TARGET</c>): a stack overflow or an out-of-memory that kills the child, or an input that
/// runs past the harness time limit (the child is killed), is reported to afl as a crash and the child is started
/// again, so one fatal input does not end the run. The child writes coverage straight into afl's shared memory
/// (SharpFuzz's instrumentation, SharpFuzz.Common.Trace).
/// </summary>
/// <remarks>
/// SharpFuzz 2.3.0's own <c>Fuzzer.Run</c> and <c>Fuzzer.OutOfProcess.Run</c> are not used: they fail when an afl tool
/// starts the target without the fork-server pipes (afl-showmap does, for one input: "Bad file descriptor" on fd 199),
/// and <c>Fuzzer.Run</c> runs inputs in its own process (the first stack overflow ends the run). SharpFuzz still does
/// the instrumentation (the sharpfuzz tool) and provides the trace buffer the instrumented code writes to.
/// Protocol (afl's classic fork server): write 4 bytes to fd 199; then per input: read 4 bytes from fd 198, write a
/// "child pid" and then a wait status (0: fine; a signal number: a crash) to fd 199. The input is afl's stdin file.
/// </remarks>
internal static unsafe class AflServer
{
    private const int ForkServerControlFd = 198;
    private const int ForkServerStatusFd = 199;
    private const int MapSize = 1 << 16;
    private const int SigAbrt = 6;
    private const int MaxInputBytes = 1 << 20;

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int cmd);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr shmat(int shmid, IntPtr shmaddr, int shmflg);

    /// <summary>Points SharpFuzz's trace buffer at afl's shared memory (or a private buffer when not under afl).</summary>
    public static void AttachCoverage()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("__AFL_SHM_ID"), out var shmid))
        {
            var address = shmat(shmid, IntPtr.Zero, 0);
            if (address == new IntPtr(-1)) throw new InvalidOperationException($"shmat({shmid}) failed: errno {Marshal.GetLastPInvokeError()}");
            SharpFuzz.Common.Trace.SharedMem = (byte*)address;
        }
        else
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(MapSize);
        }
    }

    /// <summary>The fork server (the process afl-fuzz starts).</summary>
    public static int Serve(string target)
    {
        if (fcntl(ForkServerStatusFd, FGetFl) < 0)
            return RunOnce(target); // no fork server: afl-showmap and afl-tmin run the target once per input
        using var control = new BinaryReader(Pipe(ForkServerControlFd, FileAccess.Read));
        using var status = new BinaryWriter(Pipe(ForkServerStatusFd, FileAccess.Write));
        using var stdin = Console.OpenStandardInput();
        using var child = new ChildProcess(target);
        var pid = Environment.ProcessId;
        // Hello, with the map size (FS_OPT_ENABLED | FS_OPT_MAPSIZE | size): without it afl++ 4.x assumes a larger map
        // and restarts the server, and the restarted process is not given the fork-server pipes.
        status.Write(unchecked((int)(0x80000001u | 0x40000000u | ((uint)(MapSize - 1) << 1))));
        status.Flush();
        var buffer = new byte[MaxInputBytes];
        while (true)
        {
            try
            {
                control.ReadInt32();
            }
            catch (EndOfStreamException)
            {
                return 0; // afl-fuzz is done
            }
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stdin.Read(buffer, length, buffer.Length - length)) > 0) length += read;
            status.Write(pid);
            status.Flush();
            status.Write(child.Run(buffer.AsSpan(0, length)) ? 0 : SigAbrt);
            status.Flush();
        }
    }

    private static FileStream Pipe(int fd, FileAccess access) =>
        new(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);

    private const int FGetFl = 3;

    /// <summary>One input from stdin, in this process, coverage to afl's shared memory; a finding aborts (SIGABRT).</summary>
    private static int RunOnce(string target)
    {
        AttachCoverage();
        using var stdin = Console.OpenStandardInput();
        using var copy = new MemoryStream();
        stdin.CopyTo(copy);
        try
        {
            Runner.Run(FuzzTargets.Get(target), copy.ToArray(), Runner.DefaultTimeout);
        }
        catch (Exception e)
        {
            Environment.FailFast($"DocFlow.Fuzz finding: {e}");
        }
        return 0;
    }

    /// <summary>The child: reads [length][bytes] from stdin, runs the target, answers one byte (0 ok, 1 finding).</summary>
    public static int RunChild(string target)
    {
        AttachCoverage();
        var action = FuzzTargets.Get(target);
        using var input = new BinaryReader(Console.OpenStandardInput());
        using var output = Console.OpenStandardOutput();
        while (true)
        {
            int length;
            try
            {
                length = input.ReadInt32();
            }
            catch (EndOfStreamException)
            {
                return 0;
            }
            var bytes = input.ReadBytes(length);
            byte result = 0;
            try
            {
                Runner.Run(action, bytes, Runner.DefaultTimeout);
            }
            catch (TimeoutException e)
            {
                // The runaway thread cannot be stopped: end the process (the server records a hang and restarts it).
                Console.Error.WriteLine($"DocFlow.Fuzz: {e.Message}");
                Environment.Exit(3);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"DocFlow.Fuzz finding: {e}");
                result = 1;
            }
            output.WriteByte(result);
            output.Flush();
        }
    }

    /// <summary>The long-lived child process, restarted after it dies.</summary>
    private sealed class ChildProcess(string target) : IDisposable
    {
        private Process? _process;
        private readonly string? _findings = Environment.GetEnvironmentVariable("DOCFLOW_FUZZ_FINDINGS");

        /// <returns>False for a finding: an exception, the child's death, or a hang.</returns>
        public bool Run(ReadOnlySpan<byte> input)
        {
            var process = _process is { HasExited: false } p ? p : Start();
            try
            {
                var stdin = process.StandardInput.BaseStream;
                stdin.Write(BitConverter.GetBytes(input.Length));
                stdin.Write(input);
                stdin.Flush();
                var answer = new byte[1];
                var reply = process.StandardOutput.BaseStream.ReadAsync(answer).AsTask();
                // The child stops itself at the harness limit; this is the backstop for a child that cannot.
                if (!reply.Wait(Runner.DefaultTimeout * 2))
                {
                    Keep("hangs", input);
                    Kill();
                    return false;
                }
                if (reply.Result == 1) return answer[0] == 0; // 1: an exception escaped the target (a finding)
            }
            catch (Exception e) when (e is IOException or AggregateException)
            {
            }
            // No answer: the child died (stack overflow, out of memory; exit code 3: it stopped itself at the time limit).
            var hung = process.WaitForExit(5000) && process.ExitCode == 3;
            Kill();
            Keep(hung ? "hangs" : "deaths", input);
            return false;
        }

        private Process Start()
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(typeof(AflServer).Assembly.Location);
            start.ArgumentList.Add("child");
            start.ArgumentList.Add(target);
            _process = Process.Start(start) ?? throw new InvalidOperationException("The fuzzing child did not start.");
            return _process;
        }

        /// <summary>Copies an input that killed or hung the child to DOCFLOW_FUZZ_FINDINGS/{hangs,deaths} (afl files it as a crash).</summary>
        private void Keep(string kind, ReadOnlySpan<byte> input)
        {
            if (_findings is null) return;
            var folder = Path.Combine(_findings, kind);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(input))[..16]), input.ToArray());
        }

        private void Kill()
        {
            if (_process is null) return;
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
            _process.Dispose();
            _process = null;
        }

        public void Dispose() => Kill();
    }
}
