using LocalQa.Cli.Commands;
using LocalQa.Core;
using LocalQa.Hosting;
using Spectre.Console.Testing;

namespace LocalQa.Cli.Tests;

/// <summary>
/// Progress is drawn by Spectre.Console on the console the command is given (a terminal's stderr,
/// here a TestConsole), never on stdout, so what a verb prints stays clean while a bar moves.
/// </summary>
public sealed class ConsoleProgressTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Ingest_draws_its_progress_on_the_given_console_and_nothing_on_stdout()
    {
        var console = new TestConsole().Interactive();
        var output = new StringWriter();
        var cli = new CliContext(output, new StringWriter()) { Interactive = true, Console = console };
        using var lib = LocalQaLibrary.Open(new LibraryOptions
        {
            IndexPath = Path.Combine(_cli.Home, "progress.db"),
        }, LibraryModels.None);

        var report = await IngestCommand.RunAsync(cli, lib, [Path.Combine(CliRunner.RepoRoot, "seeds")], prune: false, CancellationToken.None);

        Assert.Equal(5, report.Documents);
        Assert.Contains("files", console.Output, StringComparison.Ordinal);
        Assert.Contains("chunks", console.Output, StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
    }
}
