using System.CommandLine;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Summarizing;

namespace LocalQa.Cli.Commands;

internal static class ChatCommand
{
    public static Command Create(CliContext cli)
    {
        var common = new CommonOptions();
        var topK = new Option<int>("--top-k") { Description = "Passages to retrieve per question.", DefaultValueFactory = _ => 5 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Longest generated answer, in tokens.", DefaultValueFactory = _ => 256 };
        var extractive = new Option<bool>("--extractive") { Description = "Quote the best sentences instead of generating." };
        var cmd = new Command("chat", "Ask questions one after another; follow-ups reuse the model's cache. Type /help inside.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { topK, maxTokens, extractive }) cmd.Options.Add(o);
        cmd.SetAction(async (parse, ct) =>
        {
            var options = new AskOptions { TopK = parse.GetValue(topK), MaxTokens = parse.GetValue(maxTokens), Extractive = parse.GetValue(extractive) };
            using var lib = LocalQaLibrary.Open(common.Resolve(parse), loadChat: !options.Extractive, loadEmbedder: true, loadPrompts: true);
            var interactive = !Console.IsInputRedirected && cli.Interactive;
            AskCommand.Seed(cli, lib, quiet: !interactive, ct);
            var editor = interactive ? new LineEditor(Path.Combine(LocalQaPaths.Home, "chat-history.txt")) : null;
            var repl = new ChatRepl(cli, lib, options, Console.In, interactive, editor);
            return await repl.RunAsync(ct).ConfigureAwait(false);
        });
        return cmd;
    }
}

/// <summary>
/// The chat loop. Interactive: a prompt, streamed answers, sources after each, slash commands,
/// Ctrl+C stops the answer (not the chat). Piped: one answer line per question line, nothing else.
/// </summary>
internal sealed class ChatRepl(CliContext cli, LocalQaLibrary lib, AskOptions options, TextReader input, bool interactive, LineEditor? editor = null)
{
    private readonly Answerer _answerer = lib.CreateAnswerer();
    private readonly List<string> _history = [];
    private AskResult? _last;

    public const string Help = """
        Ask a question in plain words. Commands:
          /sources          the passages behind the last answer
          /summarize FILE   summarize an article file
          /ingest PATH      add files or a folder to the library
          /reset            forget the conversation cache
          /history          the questions asked so far
          /help             this text
          /quit             leave (also Ctrl+D)
        """;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var o = cli.Out;
        if (interactive)
        {
            o.WriteLine($"LocalQa chat — {(lib.Chat is null || options.Extractive ? "extractive answers (no chat model)" : "model " + Path.GetFileName(lib.Chat.Model.Path))}. /help for commands.");
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
            if (line.Length == 0) continue;
            if (line.StartsWith('/'))
            {
                if (!await CommandAsync(line, ct).ConfigureAwait(false)) break;
                continue;
            }
            _history.Add(line);
            await AnswerAsync(line, ct).ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }

    private async Task AnswerAsync(string question, CancellationToken ct)
    {
        var o = cli.Out;
        using var scope = Interrupts.Enter(ct);
        try
        {
            if (interactive)
            {
                _last = await _answerer.AskAsync(question, options, async piece =>
                {
                    await o.WriteAsync(piece).ConfigureAwait(false);
                    await o.FlushAsync(scope.Token).ConfigureAwait(false);
                }, scope.Token).ConfigureAwait(false);
                AskCommand.PrintAfterAnswer(cli, _last);
            }
            else
            {
                _last = await _answerer.AskAsync(question, options, null, scope.Token).ConfigureAwait(false);
                o.WriteLine(_last.Answer.ReplaceLineEndings(" "));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            o.WriteLine();
            o.WriteLine("(answer stopped)");
        }
        catch (Llama.InvalidInputException ex)
        {
            // One bad question must not end the conversation.
            cli.Error.WriteLine($"localqa: {ex.Message}");
            if (ex.Fix is not null) cli.Error.WriteLine($"  fix: {ex.Fix}");
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
                _answerer.ResetCache();
                _last = null;
                o.WriteLine("(conversation cache cleared)");
                break;
            case "/history":
                for (var i = 0; i < _history.Count; i++) o.WriteLine($"{i + 1,3}  {_history[i]}");
                break;
            case "/sources":
                if (_last is null) o.WriteLine("(no answer yet)");
                else
                {
                    foreach (var s in _last.Sources)
                    {
                        o.WriteLine($"[{s.Rank}] {s.Title} — {s.Document} (chunk {s.Chunk}, score {s.Score:F4})");
                        o.WriteLine("    " + (s.Text.Length > 400 ? s.Text[..400] + "…" : s.Text).ReplaceLineEndings(" "));
                    }
                }
                break;
            case "/ingest":
                if (arg.Length == 0) { o.WriteLine("usage: /ingest PATH"); break; }
                try
                {
                    var report = IngestCommand.Run(cli, lib, [arg], prune: false, ct);
                    _answerer.Refresh();
                    o.WriteLine($"{report.Added} added, {report.Updated} updated, {report.Unchanged} unchanged, {report.Skipped} skipped; {report.Documents} documents in the library.");
                }
                catch (Llama.InvalidInputException ex)
                {
                    cli.Error.WriteLine($"localqa: {ex.Message}");
                }
                break;
            case "/summarize":
                if (arg.Length == 0) { o.WriteLine("usage: /summarize FILE"); break; }
                try
                {
                    using var scope = Interrupts.Enter(ct);
                    var results = await SummarizeCommand.SummarizeAsync(lib, [arg], new SummarizeOptions(), scope.Token).ConfigureAwait(false);
                    foreach (var r in results) SummarizeCommand.Print(cli, r);
                }
                catch (Llama.InvalidInputException ex)
                {
                    cli.Error.WriteLine($"localqa: {ex.Message}");
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
}
