using System.CommandLine;
using LocalQa.Cli.Commands;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Models;
using LocalQa.Llama;

namespace LocalQa.Cli;

/// <summary>Builds the <c>localqa</c> command tree and turns outcomes into exit codes.</summary>
public static class CliApp
{
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Show stack traces and native logs on errors.", Recursive = true };

    public static RootCommand Build(CliContext cli) => Build(cli, () => new ModelDownloader());

    /// <summary>The command tree with the models verb's downloader injected (tests watch its transfers).</summary>
    internal static RootCommand Build(CliContext cli, Func<ModelDownloader> downloader)
    {
        var root = new RootCommand("LocalQa: offline question answering and summarization over your articles.");
        root.Options.Add(Verbose);
        root.Subcommands.Add(DoctorCommand.Create(cli));
        root.Subcommands.Add(BenchCommand.Create(cli));
        root.Subcommands.Add(IngestCommand.Create(cli));
        root.Subcommands.Add(AskCommand.Create(cli));
        root.Subcommands.Add(ChatCommand.Create(cli));
        root.Subcommands.Add(SummarizeCommand.Create(cli));
        root.Subcommands.Add(EvalCommand.Create(cli));
        root.Subcommands.Add(ModelsCommand.Create(cli, SettingsResolver.ForCurrentProcess, downloader));
        root.Subcommands.Add(ConfigCommand.Create(cli));
        root.Subcommands.Add(ServeCommand.Create(cli));
        root.Subcommands.Add(McpCommand.Create(cli));
        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, error, () => new ModelDownloader(), cancellationToken);

    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<ModelDownloader> downloader, CancellationToken cancellationToken)
    {
        var cli = new CliContext(output, error) { Interactive = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out) };
        var root = Build(cli, downloader);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await error.WriteLineAsync($"localqa: {e.Message}").ConfigureAwait(false);
            await error.WriteLineAsync("Run 'localqa --help' for usage.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        var verbose = parse.GetValue(Verbose);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var interrupts = Interrupts.Install(interrupt, error);
        try
        {
            // Ctrl+C is ours (Interrupts), so that inside the chat it stops an answer, not the program.
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, interrupt.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (CliErrors.IsReported(ex))
        {
            return CliErrors.Report(error, ex, verbose);
        }
        catch (OperationCanceledException ex)
        {
            await error.WriteLineAsync("localqa: interrupted.").ConfigureAwait(false);
            return CliErrors.ExitCode(ex);
        }
#pragma warning disable CA1031 // The last line of defence: a bug becomes exit code 1 with a report, not a crash dump.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"localqa: internal error: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            await error.WriteLineAsync(verbose ? ex.ToString() : "  (run again with --verbose for the stack trace, and please report it)").ConfigureAwait(false);
            return CliErrors.ExitCode(ex);
        }
    }
}
