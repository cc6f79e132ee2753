using System.CommandLine;
using System.Runtime.InteropServices;
using LocalQa.Hosting;
using LocalQa.Server.Mcp;

namespace LocalQa.Cli.Commands;

/// <summary>
/// <c>localqa mcp</c>: an MCP server over stdin and stdout for hosts that start it as a command
/// (Claude Desktop, VS Code). stdout carries the protocol and nothing else: every note, including
/// the first-use seeding, goes to stderr. It ends when the client closes stdin, or on SIGTERM.
/// </summary>
internal static class McpCommand
{
    public static Command Create(CliContext cli)
    {
        var common = new CommonOptions();
        var cmd = new Command("mcp", "Serve the library to an MCP client (Claude Desktop, VS Code) over stdin/stdout.");
        common.AddTo(cmd);
        cmd.SetAction(async (parse, ct) => await RunAsync(cli, common.Resolve(parse), ct).ConfigureAwait(false));
        return cmd;
    }

    internal static async Task<int> RunAsync(CliContext cli, LibraryOptions libraryOptions, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var lib = LocalQaLibrary.Open(libraryOptions, LibraryModels.Both);
        // The seeding note goes to stderr (SeedAsync writes notes there): stdout is the protocol's.
        await AskCommand.SeedAsync(cli, lib, quiet: false, stop.Token).ConfigureAwait(false);
        await cli.Error.WriteLineAsync($"localqa mcp: serving {lib.IndexPath} ({lib.Index.Stats().Documents} documents) over stdio; " +
            $"{(lib.ChatModelName is null ? "no chat model: answers are extractive" : "chat model " + lib.ChatModelName)}.").ConfigureAwait(false);
        try
        {
            await LocalQaMcp.RunStdioAsync(lib, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: a normal end for a server.
        }
        await cli.Error.WriteLineAsync("localqa mcp: stopped.").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
