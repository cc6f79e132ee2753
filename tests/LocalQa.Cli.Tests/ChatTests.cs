using LocalQa.Cli.Commands;
using LocalQa.Core;
using LocalQa.Core.Answering;

namespace LocalQa.Cli.Tests;

public sealed class ChatTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Piped_questions_get_one_answer_line_each_and_no_decorations()
    {
        var r = _cli.Run(["chat"], "What does LeCun call the LLM on the road to AGI?\nWhich company did Meta acquire about 49% of?\n");
        Assert.True(r.ExitCode == 0, r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("off-ramp", lines[0], StringComparison.Ordinal);
        Assert.Contains("Scale AI", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("> ", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_repl_on_a_test_console_answers_lists_sources_and_obeys_commands()
    {
        var output = new StringWriter();
        var cli = new CliContext(output, new StringWriter()) { Interactive = true };
        using var lib = LocalQaLibrary.Open(new LibraryOptions
        {
            IndexPath = Path.Combine(_cli.Home, "chat.db"),
            PromptsDirectory = Path.Combine(CliRunner.RepoRoot, "prompts"),
        }, loadChat: false, loadEmbedder: false, loadPrompts: true);
        lib.CreateIngestor().Ingest([Path.Combine(CliRunner.RepoRoot, "seeds")]);
        var input = new StringReader("/help\nWhich company did Meta acquire about 49% of?\n/sources\n/history\n/reset\n/bogus\n/quit\nnever asked\n");
        var rc = await new ChatRepl(cli, lib, new AskOptions(), input, interactive: true).RunAsync(CancellationToken.None);
        var text = output.ToString();
        Assert.Equal(0, rc);
        Assert.Contains("/summarize FILE", text, StringComparison.Ordinal);
        Assert.Contains("> ", text, StringComparison.Ordinal);
        Assert.Contains("Scale AI", text, StringComparison.Ordinal);
        Assert.Contains("Sources:", text, StringComparison.Ordinal);
        Assert.Contains("  1  Which company did Meta acquire about 49% of?", text, StringComparison.Ordinal);
        Assert.Contains("cache cleared", text, StringComparison.Ordinal);
        Assert.Contains("unknown command /bogus", text, StringComparison.Ordinal);
        Assert.DoesNotContain("never asked", text, StringComparison.Ordinal);
    }
}
