using System.CommandLine;
using System.Text.Json;
using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Cli.Tests;

/// <summary>
/// Every flag a verb offers changes what it does: each case runs the verb once with the flag and
/// checks what the flag is for (a run without it is the other half, in the same case or in another
/// test). Flags whose effect no output shows on this machine (--threads, --gpu-layers on a CPU
/// runtime) are accepted and passed to the engine; the engine tests cover them. The settings flags
/// every library verb shares (one <c>CommonOptions</c>, one resolver) are checked through ask, and
/// through chat and eval for --index and --prompts, which show that those verbs resolve them too.
/// Chat is fed its questions on stdin, as a script would: one answer line per question.
/// </summary>
public sealed class FlagEffectTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _model;

    public FlagEffectTests()
    {
        _model = Path.Combine(_cli.Home, "flags-tiny.gguf");
        SyntheticModel.WriteTiny(_model);
    }

    public void Dispose() => _cli.Dispose();

    private const string Question = "Which company did Meta acquire about 49% of?";

    [Fact]
    public void Ask_top_k_json_and_extractive_change_the_answer()
    {
        var one = Json(_cli.Run("ask", Question, "--top-k", "1", "--json"));
        var five = Json(_cli.Run("ask", Question, "--json"));
        Assert.Equal(1, one.GetProperty("sources").GetArrayLength());
        Assert.True(five.GetProperty("sources").GetArrayLength() > 1);

        var text = _cli.Run("ask", Question);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text.Out));

        Assert.Equal("generative", Json(_cli.Run("ask", Question, "--model", _model, "--max-tokens", "4", "--json")).GetProperty("mode").GetString());
        Assert.Equal("extractive", Json(_cli.Run("ask", Question, "--model", _model, "--extractive", "--json")).GetProperty("mode").GetString());
    }

    [Fact]
    public void Ask_max_tokens_bounds_the_generated_answer()
    {
        var two = Json(_cli.Run("ask", Question, "--model", _model, "--max-tokens", "2", "--json"));
        var more = Json(_cli.Run("ask", Question, "--model", _model, "--max-tokens", "24", "--json"));
        Assert.InRange(two.GetProperty("timings").GetProperty("generated_tokens").GetInt32(), 1, 2);
        Assert.True(more.GetProperty("timings").GetProperty("generated_tokens").GetInt32() > 2);
    }

    [Fact]
    public void Ask_neighbours_widens_what_the_model_reads()
    {
        var none = Json(_cli.Run("ask", Question, "--model", _model, "--max-tokens", "1", "--json"));
        var wide = Json(_cli.Run("ask", Question, "--model", _model, "--max-tokens", "1", "--neighbours", "2", "--json"));
        Assert.True(
            wide.GetProperty("timings").GetProperty("prompt_tokens").GetInt32() > none.GetProperty("timings").GetProperty("prompt_tokens").GetInt32(),
            "--neighbours 2 should put more text in the prompt");
    }

    [Fact]
    public void Where_files_are_follows_index_home_prompts_and_models_dir()
    {
        var index = Path.Combine(_cli.Home, "elsewhere", "mine.db");
        Assert.Equal(0, _cli.Run("ask", Question, "--index", index).ExitCode);
        Assert.True(File.Exists(index));

        var home = Path.Combine(_cli.Home, "other-home");
        Assert.Equal(0, _cli.Run("ask", Question, "--home", home).ExitCode);
        Assert.True(File.Exists(Path.Combine(home, "index.db")));

        var emptyPrompts = Directory.CreateDirectory(Path.Combine(_cli.Home, "no-prompts")).FullName;
        var prompts = _cli.Run("ask", Question, "--prompts", emptyPrompts);
        Assert.Equal(ExitCodes.BadInput, prompts.ExitCode);
        Assert.Contains(emptyPrompts, prompts.Err, StringComparison.Ordinal);

        var models = _cli.Run("ask", Question, "--models-dir", _cli.Home, "--model", Path.GetFileName(_model), "--max-tokens", "1", "--json");
        Assert.True(models.ExitCode == 0, models.Err);
        Assert.Equal("generative", Json(models).GetProperty("mode").GetString());
    }

    [Fact]
    public void Model_flags_load_the_named_files_and_the_runtime_folder()
    {
        var missing = Path.Combine(_cli.Home, "missing-embedder.gguf");
        var embed = _cli.Run("ask", Question, "--embed-model", missing);
        Assert.Equal(ExitCodes.BadInput, embed.ExitCode);
        Assert.Contains(missing, embed.Err, StringComparison.Ordinal);

        var empty = Directory.CreateDirectory(Path.Combine(_cli.Home, "no-runtime")).FullName;
        var native = _cli.Run("ask", Question, "--model", _model, "--native-dir", empty);
        Assert.Equal(ExitCodes.RuntimeUnavailable, native.ExitCode);
        Assert.Contains(empty, native.Err, StringComparison.Ordinal);

        var context = _cli.Run("ask", Question, "--model", _model, "--context", "2048", "--json");
        Assert.True(context.ExitCode == 0, context.Err);
        var tooLong = _cli.Run("ask", Question, "--model", _model, "--context", "100000");
        Assert.Equal(ExitCodes.BadInput, tooLong.ExitCode);
        Assert.Contains("--context", tooLong.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_prune_and_json_do_what_they_say_and_ingest_offers_no_flag_it_ignores()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_cli.Home, "notes")).FullName;
        File.WriteAllText(Path.Combine(folder, "a.txt"), "Alpha notes about the first topic, long enough to be a document of its own.");
        File.WriteAllText(Path.Combine(folder, "b.txt"), "Beta notes about the second topic, long enough to be a document of its own.");
        Assert.Equal(0, _cli.Run("ingest", folder).ExitCode);
        File.Delete(Path.Combine(folder, "b.txt"));

        var kept = Json(_cli.Run("ingest", folder, "--json"));
        Assert.Equal(2, kept.GetProperty("documents").GetInt32());
        var pruned = Json(_cli.Run("ingest", folder, "--prune", "--json"));
        Assert.Equal(1, pruned.GetProperty("documents").GetInt32());

        var ingest = new CliContext(TextWriter.Null, TextWriter.Null);
        var command = Commands.IngestCommand.Create(ingest);
        var names = command.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain("--model", names);
        Assert.DoesNotContain("--context", names);
        Assert.DoesNotContain("--prompts", names);
        Assert.Contains("--embed-model", names);
    }

    [Fact]
    public void Summarize_max_words_and_ingest_change_the_summary_and_the_library()
    {
        var article = Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).First();
        var shortOne = Json(_cli.Run("summarize", article, "--max-words", "40", "--json"));
        var longOne = Json(_cli.Run("summarize", article, "--max-words", "200", "--json"));
        Assert.True(shortOne.GetProperty("words").GetInt32() <= 40);
        Assert.True(longOne.GetProperty("words").GetInt32() > shortOne.GetProperty("words").GetInt32());

        var empty = Directory.CreateDirectory(Path.Combine(_cli.Home, "nothing-new")).FullName;
        var before = Json(_cli.Run("ingest", empty, "--json")).GetProperty("documents").GetInt32();
        // A new article (a saved copy elsewhere: the library keeps both, grouped).
        var fresh = Path.Combine(_cli.Home, "new-article.txt");
        File.Copy(article, fresh);
        Assert.Equal(0, _cli.Run("summarize", fresh).ExitCode);
        Assert.Equal(before, Json(_cli.Run("ingest", empty, "--json")).GetProperty("documents").GetInt32());
        Assert.Equal(0, _cli.Run("summarize", fresh, "--ingest").ExitCode);
        Assert.Equal(before + 1, Json(_cli.Run("ingest", empty, "--json")).GetProperty("documents").GetInt32());
    }

    private const string TwoQuestions = "Which company did Meta acquire about 49% of?\nWhat team did Erik Meijer lead at Meta?\n";

    [Fact]
    public void Chat_json_and_top_k_change_each_answer_line()
    {
        var plain = _cli.Run(["chat"], TwoQuestions);
        Assert.True(plain.ExitCode == 0, plain.Err);
        var lines = plain.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(l)));

        var five = JsonLines(_cli.Run(["chat", "--json"], TwoQuestions));
        Assert.Equal(2, five.Length);
        Assert.All(five, d => Assert.True(d.GetProperty("sources").GetArrayLength() > 1));
        Assert.Equal([1, 2], five.Select(d => d.GetProperty("turn").GetInt32()));

        var one = JsonLines(_cli.Run(["chat", "--json", "--top-k", "1"], TwoQuestions));
        Assert.All(one, d => Assert.Equal(1, d.GetProperty("sources").GetArrayLength()));
    }

    [Fact]
    public void Chat_extractive_and_max_tokens_change_how_a_model_answers()
    {
        var two = JsonLines(_cli.Run(["chat", "--json", "--model", _model, "--max-tokens", "2"], Question + "\n")).Single();
        Assert.Equal("generative", two.GetProperty("mode").GetString());
        Assert.InRange(two.GetProperty("timings").GetProperty("generated_tokens").GetInt32(), 1, 2);
        var more = JsonLines(_cli.Run(["chat", "--json", "--model", _model, "--max-tokens", "24"], Question + "\n")).Single();
        Assert.True(more.GetProperty("timings").GetProperty("generated_tokens").GetInt32() > 2);

        var quoted = JsonLines(_cli.Run(["chat", "--json", "--model", _model, "--extractive"], Question + "\n")).Single();
        Assert.Equal("extractive", quoted.GetProperty("mode").GetString());
        Assert.Equal(0, quoted.GetProperty("timings").GetProperty("generated_tokens").GetInt32());
    }

    [Fact]
    public void Chat_resolves_the_shared_settings_flags()
    {
        var index = Path.Combine(_cli.Home, "chat-index", "mine.db");
        var asked = _cli.Run(["chat", "--index", index], Question + "\n");
        Assert.True(asked.ExitCode == 0, asked.Err);
        Assert.True(File.Exists(index));
        Assert.False(File.Exists(Path.Combine(_cli.Home, "index.db")), "--index should replace the default index, not add to it");

        var emptyPrompts = Directory.CreateDirectory(Path.Combine(_cli.Home, "chat-no-prompts")).FullName;
        var prompts = _cli.Run(["chat", "--prompts", emptyPrompts], Question + "\n");
        Assert.Equal(ExitCodes.BadInput, prompts.ExitCode);
        Assert.Contains(emptyPrompts, prompts.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_json_top_k_and_index_change_what_is_scored_and_where()
    {
        var questions = EvalQuestions();
        var text = _cli.Run("eval", questions);
        Assert.True(text.ExitCode == 0, text.Err);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text.Out));
        Assert.Contains("recall@5", text.Out, StringComparison.Ordinal);

        var five = Json(_cli.Run("eval", questions, "--json"));
        Assert.Equal(5, five.GetProperty("k").GetInt32());
        Assert.Equal(2, five.GetProperty("questions").GetInt32());
        Assert.Contains(five.GetProperty("rows").EnumerateArray(), r => r.GetProperty("retrieved").GetArrayLength() > 1);

        var index = Path.Combine(_cli.Home, "eval-index", "mine.db");
        var one = Json(_cli.Run("eval", questions, "--top-k", "1", "--index", index, "--json"));
        Assert.Equal(1, one.GetProperty("k").GetInt32());
        Assert.All(one.GetProperty("rows").EnumerateArray(), r => Assert.Equal(1, r.GetProperty("retrieved").GetArrayLength()));
        Assert.True(File.Exists(index));
    }

    [Fact]
    public void Eval_extractive_keeps_a_model_from_generating()
    {
        var questions = EvalQuestions();
        Assert.Equal("generative", Json(_cli.Run("eval", questions, "--model", _model, "--json")).GetProperty("mode").GetString());
        Assert.Equal("extractive", Json(_cli.Run("eval", questions, "--model", _model, "--extractive", "--json")).GetProperty("mode").GetString());
    }

    [Fact]
    public void Eval_summaries_and_docs_score_pages_from_the_named_folder()
    {
        var docs = Directory.CreateDirectory(Path.Combine(_cli.Home, "pages")).FullName;
        var article = Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).First();
        File.Copy(article, Path.Combine(docs, "page.txt"));
        var pages = Path.Combine(_cli.Home, "pages.jsonl");
        File.WriteAllText(pages, """{"id": "p1", "file": "page.txt", "subject": "LeCun", "max_words": 80}""" + "\n");

        var scored = Json(_cli.Run("eval", pages, "--summaries", "--docs", docs, "--json"));
        Assert.Equal(1, scored.GetProperty("pages").GetInt32());
        var row = scored.GetProperty("rows")[0];
        Assert.Equal("page.txt", row.GetProperty("file").GetString());
        Assert.True(row.GetProperty("subject_found").GetBoolean());

        // Several files are scored together, with --summaries as without.
        var more = Path.Combine(_cli.Home, "more-pages.jsonl");
        File.WriteAllText(more, """{"id": "p2", "file": "page.txt", "subject": "Meta", "max_words": 40}""" + "\n");
        Assert.Equal(2, Json(_cli.Run("eval", pages, more, "--summaries", "--docs", docs, "--json")).GetProperty("pages").GetInt32());

        // The chat model writes the summaries unless --extractive; --top-k has nothing to count and is refused.
        Assert.Equal("generative", Json(_cli.Run("eval", pages, "--summaries", "--docs", docs, "--model", _model, "--json")).GetProperty("rows")[0].GetProperty("mode").GetString());
        Assert.Equal("extractive", Json(_cli.Run("eval", pages, "--summaries", "--docs", docs, "--model", _model, "--extractive", "--json")).GetProperty("rows")[0].GetProperty("mode").GetString());
        Assert.Equal("extractive", row.GetProperty("mode").GetString());
        var topK = _cli.Run("eval", pages, "--summaries", "--docs", docs, "--top-k", "3", "--json");
        Assert.Equal(ExitCodes.BadInput, topK.ExitCode);
        Assert.Contains("--top-k", topK.Err, StringComparison.Ordinal);

        // Without --docs the page is looked for under Python's documentation, where it is not.
        Assert.Equal(ExitCodes.BadInput, _cli.Run("eval", pages, "--summaries", "--json").ExitCode);
        // Without --summaries the same lines are read as questions, which they are not.
        Assert.Equal(ExitCodes.BadInput, _cli.Run("eval", pages, "--docs", docs, "--json").ExitCode);
    }

    /// <summary>Two questions over the bundled articles (ingested on first use), in eval's file format.</summary>
    private string EvalQuestions()
    {
        var path = Path.Combine(_cli.Home, "questions.jsonl");
        File.WriteAllLines(path,
        [
            """{"id": "q1", "question": "Which company did Meta acquire about 49% of?", "answers": ["Scale AI"], "sources": ["002_eef2950eca6efa2a.txt"], "unanswerable": false}""",
            """{"id": "q2", "question": "What team did Erik Meijer lead at Meta?", "answers": ["Meijer"], "sources": [], "unanswerable": false}""",
        ]);
        return path;
    }

    private static JsonElement[] JsonLines(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Err);
        return r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
    }

    private static JsonElement Json(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Err);
        return JsonDocument.Parse(r.Out).RootElement.Clone();
    }
}
