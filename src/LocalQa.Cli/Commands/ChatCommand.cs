using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Summarizing;
using LocalQa.Hosting;

namespace LocalQa.Cli.Commands;

internal static class ChatCommand
{
    public static Command Create(CliContext cli)
    {
        var common = new CommonOptions();
        var topK = new Option<int>("--top-k") { Description = "Passages to retrieve per question.", DefaultValueFactory = _ => 5 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Longest generated answer, in tokens.", DefaultValueFactory = _ => 256 };
        var extractive = new Option<bool>("--extractive") { Description = "Quote the best sentences instead of generating." };
        var json = new Option<bool>("--json") { Description = "One JSON object a line per answer: the ask --json fields plus standalone_question and turn." };
        var cmd = new Command("chat", "Ask questions one after another; follow-ups reuse the model's cache. Type /help inside.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { topK, maxTokens, extractive, json }) cmd.Options.Add(o);
        cmd.SetAction(async (parse, ct) =>
        {
            var options = new AskOptions { TopK = parse.GetValue(topK), MaxTokens = parse.GetValue(maxTokens), Extractive = parse.GetValue(extractive) };
            using var lib = LocalQaLibrary.Open(common.Resolve(parse), options.Extractive ? LibraryModels.Embedding : LibraryModels.Both);
            var asJson = parse.GetValue(json);
            var interactive = !Console.IsInputRedirected && cli.Interactive && !asJson;
            await AskCommand.SeedAsync(cli, lib, quiet: !interactive, ct).ConfigureAwait(false);
            var editor = interactive ? new LineEditor(Path.Combine(lib.Options.Home ?? LocalQaPaths.Home, "chat-history.txt")) : null;
            var repl = new ChatRepl(cli, lib, options, Console.In, interactive, editor) { Json = asJson };
            return await repl.RunAsync(ct).ConfigureAwait(false);
        });
        return cmd;
    }
}

/// <summary>
/// The chat loop. Interactive: a prompt, streamed answers, sources after each, slash commands,
/// Ctrl+C stops the answer (not the chat). Piped: one answer line per question line, nothing else;
/// with <see cref="Json"/>, one JSON object a line instead. Each question is resolved against the
/// conversation (<see cref="Conversation"/>) before retrieval.
/// </summary>
internal sealed class ChatRepl(CliContext cli, LocalQaLibrary lib, AskOptions options, TextReader input, bool interactive, LineEditor? editor = null)
{
    private static JsonSerializerOptions OneLine => LocalQaJson.OneLine;
    private Conversation? _conversation;
    private Conversation Talk => _conversation ??= lib.Qa.StartConversation();

    /// <summary>What the chat says, once, when a conversation outgrows the context.</summary>
    public const string DroppedNote = "earlier turns dropped to fit the context";

    /// <summary>Print one JSON object a line per answer (ask --json fields, standalone_question, turn).</summary>
    public bool Json { get; init; }

    public const string Help = """
        Ask a question in plain words. Commands:
          /sources [N]      the passages behind the last answer (or turn N), and the question as searched
          /summarize FILE   summarize an article file
          /ingest PATH      add files or a folder to the library
          /reset            start a new conversation
          /history          the questions asked so far, as searched
          /help             this text
          /quit             leave (also Ctrl+D)
        """;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var o = cli.Out;
        if (interactive)
        {
            o.WriteLine($"LocalQa chat — {(lib.ChatModelName is null || options.Extractive ? "extractive answers (no chat model)" : "model " + lib.ChatModelName)}. /help for commands.");
        }
        while (!ct.IsCancellationRequested)
        {
            string? line;
            if (editor is not null)
            {
                line = editor.ReadLine("> ");
            }
            else
            {
                if (interactive)
                {
                    o.Write("> ");
                    await o.FlushAsync(ct).ConfigureAwait(false);
                }
                line = await input.ReadLineAsync(ct).ConfigureAwait(false);
            }
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0)
            {
                // Piped input keeps one answer line per question: a blank line is no question.
                if (interactive) o.WriteLine("(empty line: type a question, or /help)");
                continue;
            }
            if (line.StartsWith('/'))
            {
                if (!await CommandAsync(line, ct).ConfigureAwait(false)) break;
                continue;
            }
            await AnswerAsync(line, ct).ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }

    private async Task AnswerAsync(string question, CancellationToken ct)
    {
        var o = cli.Out;
        var problem = Talk.Resolve(question).Problem;
        if (problem is not null)
        {
            // A pointer back with nothing to point at: say so, in the line the answer would take.
            if (Json) o.WriteLine(JsonSerializer.Serialize(new UnansweredTurn(question, problem), OneLine));
            else o.WriteLine(problem);
            return;
        }
        using var scope = Interrupts.Enter(ct);
        try
        {
            if (interactive)
            {
                ConversationAnswer? turn = null;
                await foreach (var update in Talk.AskStreamingAsync(question, options, scope.Token).ConfigureAwait(false))
                {
                    turn ??= update.Turn;
                    await o.WriteAsync(update.Text).ConfigureAwait(false);
                    await o.FlushAsync(scope.Token).ConfigureAwait(false);
                }
                AskCommand.PrintAfterAnswer(cli, turn!.Result);
                if (turn.Resolution.Rewritten) o.WriteLine($"(searched as: {Shorten(turn.StandaloneQuestion)})");
                if (turn.AnnounceDrop) o.WriteLine($"({DroppedNote})");
            }
            else
            {
                var turn = await Talk.AskAsync(question, options, scope.Token).ConfigureAwait(false);
                if (Json) o.WriteLine(ToJson(turn));
                else o.WriteLine(turn.Result.Answer.ReplaceLineEndings(" "));
                // Piped output keeps one line per answer: the notice goes to stderr (and --json has dropped_turns).
                if (turn.AnnounceDrop) cli.Error.WriteLine($"localqa: {DroppedNote}");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            o.WriteLine();
            o.WriteLine("(answer stopped)");
        }
        catch (Exception ex) when (CliErrors.IsReported(ex))
        {
            // One bad question must not end the conversation.
            CliErrors.Report(cli.Error, ex, verbose: false);
        }
    }

    private async Task<bool> CommandAsync(string line, CancellationToken ct)
    {
        var o = cli.Out;
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var verb = (space < 0 ? line : line[..space]).ToLowerInvariant();
        var arg = space < 0 ? "" : line[(space + 1)..].Trim();
        switch (verb)
        {
            case "/quit" or "/exit" or "/q":
                return false;
            case "/help" or "/?":
                o.WriteLine(Help);
                break;
            case "/reset":
                Talk.Reset();
                o.WriteLine("(new conversation: earlier turns forgotten, cache cleared)");
                break;
            case "/history" when Json:
                WriteCommandJson(verb, new JsonObject
                {
                    ["turns"] = new JsonArray([.. Talk.Answers.Select(t => (JsonNode)new JsonObject
                    {
                        ["turn"] = t.Turn,
                        ["question"] = t.Question,
                        ["standalone_question"] = t.StandaloneQuestion,
                        ["standalone_by"] = t.StandaloneBy,
                    })]),
                });
                break;
            case "/history":
                if (Talk.Answers.Count == 0) o.WriteLine("(no questions yet)");
                foreach (var t in Talk.Answers)
                {
                    o.WriteLine($"{t.Turn,3}  {Shorten(t.Question)}");
                    if (t.Resolution.Rewritten) o.WriteLine($"     searched as: {Shorten(t.StandaloneQuestion)}{(t.Resolution.Condensed ? "  (rewritten by the model)" : "")}");
                }
                break;
            case "/sources":
                PrintSources(arg);
                break;
            case "/ingest":
                if (arg.Length == 0) { o.WriteLine("usage: /ingest PATH"); break; }
                try
                {
                    var report = await IngestCommand.RunAsync(cli, lib, [arg], prune: false, ct).ConfigureAwait(false);
                    o.WriteLine($"{report.Added} added, {report.Updated} updated, {report.Unchanged} unchanged, {report.Skipped} skipped; {report.Documents} documents in the library.");
                }
                catch (Exception ex) when (CliErrors.IsReported(ex))
                {
                    CliErrors.Report(cli.Error, ex, verbose: false);
                }
                break;
            case "/summarize":
                if (arg.Length == 0) { o.WriteLine("usage: /summarize FILE"); break; }
                try
                {
                    using var scope = Interrupts.Enter(ct);
                    var results = await SummarizeCommand.SummarizeAsync(lib, [arg], new SummarizeOptions(), scope.Token).ConfigureAwait(false);
                    if (Json) WriteCommandJson(verb, new JsonObject { ["summaries"] = new JsonArray([.. results.Select(r => (JsonNode)SummarizeCommand.ToJson(r))]) });
                    else foreach (var r in results) SummarizeCommand.Print(cli, r);
                }
                catch (Exception ex) when (CliErrors.IsReported(ex))
                {
                    CliErrors.Report(cli.Error, ex, verbose: false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    o.WriteLine("(summary stopped)");
                }
                break;
            default:
                o.WriteLine($"unknown command {verb}; /help lists them.");
                break;
        }
        return true;
    }

    private void PrintSources(string arg)
    {
        var o = cli.Out;
        var answers = Talk.Answers;
        if (answers.Count == 0)
        {
            if (Json) WriteCommandJson("/sources", new JsonObject { ["error"] = "no answer yet" });
            else o.WriteLine("(no answer yet)");
            return;
        }
        var n = answers.Count;
        if (arg.Length > 0 && (!int.TryParse(arg, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out n) || n < 1 || n > answers.Count))
        {
            var problem = $"no turn {arg}: this conversation has turns 1 to {answers.Count}; /history lists them";
            if (Json) WriteCommandJson("/sources", new JsonObject { ["error"] = problem });
            else o.WriteLine($"({problem})");
            return;
        }
        var turn = answers[n - 1];
        if (Json)
        {
            WriteCommandJson("/sources", new JsonObject
            {
                ["turn"] = turn.Turn,
                ["question"] = turn.Question,
                ["standalone_question"] = turn.StandaloneQuestion,
                ["sources"] = JsonSerializer.SerializeToNode(turn.Result.Sources, LocalQaJson.Options),
            });
            return;
        }
        o.WriteLine($"Turn {turn.Turn}: {turn.Question}");
        o.WriteLine($"Searched as: {turn.StandaloneQuestion}");
        foreach (var s in turn.Result.Sources)
        {
            o.WriteLine($"[{s.Rank}] {s.Title} — {s.Document} ({AskCommand.PageOf(s.Page)}chunk {s.Chunk}, score {s.Score:F4})");
            o.WriteLine("    " + (s.Text.Length > 400 ? s.Text[..400] + "…" : s.Text).ReplaceLineEndings(" "));
        }
    }

    /// <summary>
    /// chat --json's line for a command's output: a script reading one JSON object a line must not
    /// meet the plain listing between them. <c>command</c> says which command it answers.
    /// </summary>
    private void WriteCommandJson(string verb, JsonObject body)
    {
        var line = new JsonObject { ["command"] = verb.TrimStart('/') };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            line[key] = value;
        }
        cli.Out.WriteLine(line.ToJsonString(OneLine));
    }

    // A 4,000-character question is allowed; echoing it whole in a one-line listing is not useful.
    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200].TrimEnd() + "…";

    internal static string ToJson(ConversationAnswer turn)
    {
        var node = JsonSerializer.SerializeToNode(turn.Result, LocalQaJson.Options)!.AsObject();
        node["question"] = turn.Question;
        node["standalone_question"] = turn.StandaloneQuestion;
        node["standalone_by"] = turn.StandaloneBy;
        node["turn"] = turn.Turn;
        node["dropped_turns"] = turn.Result.DroppedTurns;
        return node.ToJsonString(OneLine);
    }

    /// <summary>chat --json's line for a question that could not be resolved (a pointer back with nothing before it).</summary>
    private sealed record UnansweredTurn(string Question, string Error);
}
