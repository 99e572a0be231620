using DocFlow.Cli.Batch;
using DocFlow.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

// Before any other thread mallocs: one Tesseract thread per engine, and a cap on glibc's malloc arenas.
DocFlow.Engine.Ocr.NativeEnvironment.EnsureInitialised();

// The engine host (a worker's child, one per engine slot, docs/security.md "Engine sandbox"): straight to its request loop,
// without building the command line's model of every command (measured: fewer methods compiled in every host's start).
if (args is ["engine-host"]) return await EngineHostCommand.RunAsync(CancellationToken.None);

// Redirected output (CI logs, pipes) has no terminal width: give tables room instead of 80 columns.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetExceptionHandler((ex, _) =>
    {
        var message = ex is CommandFailedException or CommandParseException or CommandRuntimeException ? ex.Message : ex.ToString();
        AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {message}");
        return 2;
    });
    // An unknown option (a typo such as --langs, or a flag of another command) is an error that names it, never ignored.
    config.Settings.StrictParsing = true;
    config.SetApplicationName("docflow");
    config.SetApplicationVersion(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    config.AddCommand<ProcessCommand>("process")
        .WithDescription("Process images and PDFs into Document JSON, on this machine.")
        .WithExample("process", "samples", "--out", "out");
    config.AddCommand<DemoCommand>("demo")
        .WithDescription("Process the bundled sample corpus (samples/) into out/ and print the summary.");
    config.AddCommand<ServeCommand>("serve")
        .WithDescription("Run the HTTP API (with embedded workers unless --workers 0 or a broker is configured).");
    config.AddCommand<WorkerCommand>("worker")
        .WithDescription("Take jobs from the queue and process them (graceful on SIGTERM).");
    config.AddCommand<SubmitCommand>("submit")
        .WithDescription("Upload files to a server as one batch; --wait follows it with a progress bar.");
    config.AddCommand<StatusCommand>("status")
        .WithDescription("Show a batch's or a document's status from the server.");
    // The sandboxed engine's child process (started by workers, never by hand): stdin/stdout frames.
    config.AddCommand<EngineHostCommand>("engine-host").IsHidden();
    config.AddBranch("keys", keys =>
    {
        keys.SetDescription("API keys (in the server's database), and rotation of the encryption keys (docs/security.md).");
        keys.AddCommand<KeysCreateCommand>("create").WithDescription("Create a key with a role; prints it once.")
            .WithExample("keys", "create", "--role", "admin", "--name", "ops");
        keys.AddCommand<KeysListCommand>("list").WithDescription("List keys: prefix, role, name, dates, status.");
        keys.AddCommand<KeysRevokeCommand>("revoke").WithDescription("Revoke a key by its id or prefix.");
        keys.AddCommand<KeysRotateCommand>("rotate").WithDescription("Rewrap every stored object's data key under another encryption key (headers only; resumable).")
            .WithExample("keys", "rotate", "--to", "k2027");
    });
    config.AddBranch("audit", audit =>
    {
        audit.SetDescription("The audit log (in the server's database; docs/security.md).");
        audit.AddCommand<AuditVerifyCommand>("verify").WithDescription("Recompute the audit log's hash chain; exit 1 at the first broken entry.");
    });
    config.AddBranch("db", db =>
    {
        db.SetDescription("Database tasks.");
        db.AddCommand<DbMigrateCommand>("migrate").WithDescription("Apply the store's migrations (--database).");
    });
});
return await app.RunAsync(args);
