using DocFlow.Fuzz;

// DocFlow.Fuzz TARGET                  afl-fuzz mode (run.sh): the fork server (AflServer), which runs the inputs in a
//                                      child process, so a stack overflow or a hang kills only the child (a crash to afl).
// DocFlow.Fuzz child TARGET            that child (inputs framed on stdin, one status byte each on stdout).
// DocFlow.Fuzz replay TARGET PATH...   runs each file (or each file of each folder) once, plain .NET, no afl;
//                                      exit code 1 when one of them is a finding.
// DocFlow.Fuzz list                    the target names.
if (args is ["list"])
{
    foreach (var name in FuzzTargets.Names) Console.WriteLine(name);
    return 0;
}

if (args is ["replay", var replayTarget, .. var paths] && paths.Length > 0)
{
    var target = FuzzTargets.Get(replayTarget);
    AflServer.AttachCoverage(); // the instrumented build (run.sh) writes coverage somewhere even without afl
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
    var findings = 0;
    foreach (var file in files)
    {
        try
        {
            Runner.Run(target, File.ReadAllBytes(file), Runner.DefaultTimeout);
            Console.WriteLine($"ok       {file}");
        }
        catch (Exception e)
        {
            findings++;
            Console.WriteLine($"FINDING  {file}: {e.GetType().FullName}: {e.Message}");
            Console.Error.WriteLine(e);
        }
    }
    Console.WriteLine($"{replayTarget}: {files.Count} inputs, {findings} findings");
    return findings == 0 ? 0 : 1;
}

if (args is ["child", var childTarget])
    return AflServer.RunChild(childTarget);

if (args is [var aflTarget])
{
    _ = FuzzTargets.Get(aflTarget); // an unknown name fails here, before afl waits on the fork server
    return AflServer.Serve(aflTarget);
}

Console.Error.WriteLine($"usage: DocFlow.Fuzz TARGET | replay TARGET PATH... | list (targets: {string.Join(", ", FuzzTargets.Names)})");
return 2;
