using System.Text.Json;
using LocalQa.Cli.Commands;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Hosting;

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
        }, LibraryModels.None);
        await lib.Qa.IngestAsync([Path.Combine(CliRunner.RepoRoot, "seeds")]);
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

    private async Task<(CliContext Cli, StringWriter Output, LocalQaLibrary Lib)> ReplAsync()
    {
        var output = new StringWriter();
        var cli = new CliContext(output, new StringWriter()) { Interactive = true };
        var lib = LocalQaLibrary.Open(new LibraryOptions
        {
            IndexPath = Path.Combine(_cli.Home, "chat.db"),
            PromptsDirectory = Path.Combine(CliRunner.RepoRoot, "prompts"),
        }, LibraryModels.None);
        await lib.Qa.IngestAsync([Path.Combine(CliRunner.RepoRoot, "seeds")]);
        return (cli, output, lib);
    }

    [Fact]
    public async Task A_follow_up_is_searched_with_the_last_subject_and_history_and_sources_show_it()
    {
        var (cli, output, lib) = await ReplAsync();
        using (lib)
        {
            var input = new StringReader("Who is Erik Meijer?\nWhat is the name of his AI assistant platform for enterprises?\n/history\n/sources 1\n/sources\n/reset\n/history\n");
            var rc = await new ChatRepl(cli, lib, new AskOptions(), input, interactive: true).RunAsync(CancellationToken.None);
            var text = output.ToString();
            Assert.Equal(0, rc);
            Assert.Contains("Automind", text, StringComparison.Ordinal);
            Assert.Contains("  2  What is the name of his AI assistant platform for enterprises?", text, StringComparison.Ordinal);
            Assert.Contains("     searched as: What is the name of his AI assistant platform for enterprises? (Erik Meijer", text, StringComparison.Ordinal);
            Assert.Contains("Turn 1: Who is Erik Meijer?", text, StringComparison.Ordinal);
            Assert.Contains("Searched as: Who is Erik Meijer?", text, StringComparison.Ordinal);
            Assert.Contains("Turn 2: What is the name", text, StringComparison.Ordinal);
            Assert.Contains("new conversation", text, StringComparison.Ordinal);
            Assert.EndsWith("(no questions yet)\n>", text.ReplaceLineEndings("\n").TrimEnd(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_line_and_the_chat_goes_on()
    {
        var (cli, output, lib) = await ReplAsync();
        using (lib)
        {
            var input = new StringReader("and him?\n\nWhich company did Meta acquire about 49% of?\n/sources 99\n/sources x\n" + new string('a', 5000) + "\nWho leads it?\n");
            var rc = await new ChatRepl(cli, lib, new AskOptions(), input, interactive: true).RunAsync(CancellationToken.None);
            var text = output.ToString();
            Assert.Equal(0, rc);
            Assert.Contains("nothing has been asked yet", text, StringComparison.Ordinal);
            Assert.Contains("(empty line", text, StringComparison.Ordinal);
            Assert.Contains("Scale AI", text, StringComparison.Ordinal);
            Assert.Contains("(no turn 99: this conversation has turns 1 to 1", text, StringComparison.Ordinal);
            Assert.Contains("(no turn x:", text, StringComparison.Ordinal);
            Assert.Contains("(searched as: Who leads it?", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Chat_json_prints_one_object_a_line_with_the_standalone_question_and_turn()
    {
        var (_, _, lib) = await ReplAsync();
        var output = new StringWriter();
        var cli = new CliContext(output, new StringWriter());
        using (lib)
        {
            var input = new StringReader("and him?\nWho leads Meta Superintelligence Labs?\nWhen was FAIR founded?\nWho was its first head?\n");
            var rc = await new ChatRepl(cli, lib, new AskOptions(), input, interactive: false) { Json = true }.RunAsync(CancellationToken.None);
            Assert.Equal(0, rc);
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(4, lines.Length);
            var docs = lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            Assert.True(docs[0].TryGetProperty("error", out _));
            Assert.Equal(1, docs[1].GetProperty("turn").GetInt32());
            Assert.Equal("When was FAIR founded?", docs[2].GetProperty("standalone_question").GetString());
            Assert.Contains("2013", docs[2].GetProperty("answer").GetString(), StringComparison.Ordinal);
            Assert.Contains("FAIR", docs[3].GetProperty("standalone_question").GetString(), StringComparison.Ordinal);
            Assert.Contains("LeCun", docs[3].GetProperty("answer").GetString(), StringComparison.Ordinal);
            Assert.Equal(3, docs[3].GetProperty("turn").GetInt32());
            foreach (var d in docs[1..]) Assert.True(d.TryGetProperty("sources", out _) && d.TryGetProperty("mode", out _));
        }
    }

    [Fact]
    public void Piped_follow_ups_keep_one_line_per_question()
    {
        var r = _cli.Run(["chat", "--extractive"], "What team did Erik Meijer lead at Meta?\n\nHow many people were in it?\n");
        Assert.True(r.ExitCode == 0, r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("50", lines[1], StringComparison.Ordinal);
    }
}

/// <summary>
/// The chat with a chat model (a generated one: its words are noise, but the conversation around
/// them is real): the bad inputs of the issue each get a clear line and the chat goes on, a
/// conversation longer than the context keeps answering and says so once, and --json carries the
/// standalone question and how it was made.
/// </summary>
public sealed class GenerativeChatTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("localqa-genchat-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); }
        catch (IOException) { }
    }

    private async Task<LocalQaLibrary> LibraryAsync(int context)
    {
        var model = Path.Combine(_home, "tiny-chat.gguf");
        if (!File.Exists(model)) LocalQa.Testing.SyntheticModel.WriteTiny(model);
        var lib = LocalQaLibrary.Open(new LibraryOptions
        {
            IndexPath = Path.Combine(_home, "chat.db"),
            PromptsDirectory = Path.Combine(CliRunner.RepoRoot, "prompts"),
            ChatModel = model,
            ContextSize = context,
            Threads = 2,
        }, LibraryModels.Chat);
        await lib.Qa.IngestAsync([Path.Combine(CliRunner.RepoRoot, "seeds")]);
        return lib;
    }

    [Fact]
    public async Task Bad_input_and_a_conversation_longer_than_the_context_each_get_a_clear_line_and_the_chat_goes_on()
    {
        using var lib = await LibraryAsync(context: 2048);
        var output = new StringWriter();
        var errors = new StringWriter();
        var cli = new CliContext(output, errors) { Interactive = true };
        var longFollowUp = "And when did they release it? " + string.Concat(Enumerable.Repeat("Meta released LLaMA, a family of 7B, 13B, 33B and 65B parameter language models. ", 60));
        longFollowUp = longFollowUp[..4000];
        var input = new StringReader(string.Join("\n",
            "and him?", "", "When was LLaMA 3 released?", "/sources 99", longFollowUp,
            "Which company did Meta acquire about 49% of?", "Who is Erik Meijer?", "What team did Erik Meijer lead at Meta?",
            "How many people were in it?", "/history", "/sources 2") + "\n");
        var rc = await new ChatRepl(cli, lib, new AskOptions { MaxTokens = 24, TopK = 3 }, input, interactive: true).RunAsync(CancellationToken.None);
        var text = output.ToString();
        var err = errors.ToString();

        Assert.Equal(0, rc);
        Assert.Contains("nothing has been asked yet", text, StringComparison.Ordinal);
        Assert.Contains("(empty line", text, StringComparison.Ordinal);
        Assert.Contains("(no turn 99: this conversation has turns 1 to 1", text, StringComparison.Ordinal);
        // The 4,000-character follow-up leaves no room in a 2,048-token context: one line saying so, and how to fix it.
        Assert.Contains("localqa: The context (2048 tokens) leaves no room for passages", err, StringComparison.Ordinal);
        Assert.Contains("fix:", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        // Every question after it was answered by the model, the oldest turns giving way.
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Count(text, @"\(generative answer\)"));
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(text, @"\(earlier turns dropped to fit the context\)"));
        Assert.Contains("  5  How many people were in it?", text, StringComparison.Ordinal);
        Assert.Contains("     searched as: How many people were in it? (", text, StringComparison.Ordinal);
        Assert.Contains("Turn 2: Which company did Meta acquire about 49% of?", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Piped_json_prints_one_object_per_question_and_the_drop_notice_only_on_stderr()
    {
        using var lib = await LibraryAsync(context: 2048);
        var output = new StringWriter();
        var errors = new StringWriter();
        var cli = new CliContext(output, errors);
        var input = new StringReader("When was LLaMA 3 released?\nWhich company did Meta acquire about 49% of?\nWhat team did Erik Meijer lead at Meta?\nHow many people were in it?\n");
        var rc = await new ChatRepl(cli, lib, new AskOptions { MaxTokens = 16, TopK = 3 }, input, interactive: false) { Json = true }.RunAsync(CancellationToken.None);

        Assert.Equal(0, rc);
        var docs = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(4, docs.Length);
        Assert.All(docs, d => Assert.Equal("generative", d.GetProperty("mode").GetString()));
        Assert.Equal([1, 2, 3, 4], docs.Select(d => d.GetProperty("turn").GetInt32()));
        Assert.Equal("as_asked", docs[0].GetProperty("standalone_by").GetString());
        Assert.Contains(docs[3].GetProperty("standalone_by").GetString(), new[] { "model", "carried" });
        Assert.NotEqual("How many people were in it?", docs[3].GetProperty("standalone_question").GetString());
        Assert.Contains(docs, d => d.GetProperty("dropped_turns").GetInt32() > 0);
        Assert.DoesNotContain("dropped", output.ToString().Replace("\"dropped_turns\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal($"localqa: {ChatRepl.DroppedNote}", errors.ToString().Trim());
    }
}
