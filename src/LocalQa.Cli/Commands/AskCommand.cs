using System.CommandLine;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Hosting;
using LocalQa.Hosting.Remote;

namespace LocalQa.Cli.Commands;

internal static class AskCommand
{
    /// <summary><c>ask --json</c> when a remote engine's stream was cut: the text so far, <c>"cut": true</c>, and why.</summary>
    internal sealed record CutAnswer(string Answer, bool Cut, string Error);

    public static Command Create(CliContext cli)
    {
        var common = new CommonOptions();
        var question = new Argument<string>("question") { Description = "The question to answer from your articles." };
        var topK = new Option<int>("--top-k") { Description = "Passages to retrieve.", DefaultValueFactory = _ => 5 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Longest generated answer, in tokens.", DefaultValueFactory = _ => 256 };
        var extractive = new Option<bool>("--extractive") { Description = "Quote the best sentences instead of generating." };
        var neighbours = new Option<int>("--neighbours") { Description = "Chunks added on each side of a retrieved chunk, for more context.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("ask", "Answer a question from the indexed articles, with citations.");
        cmd.Arguments.Add(question);
        common.AddTo(cmd);
        foreach (var o in new Option[] { topK, maxTokens, extractive, neighbours, json }) cmd.Options.Add(o);
        cmd.SetAction(async (parse, ct) =>
        {
            var asJson = parse.GetValue(json);
            var options = new AskOptions
            {
                TopK = parse.GetValue(topK),
                MaxTokens = parse.GetValue(maxTokens),
                Extractive = parse.GetValue(extractive),
                NeighbourChunks = parse.GetValue(neighbours),
            };
            using var lib = LocalQaLibrary.Open(common.Resolve(parse), options.Extractive ? LibraryModels.Embedding : LibraryModels.Both);
            await SeedAsync(cli, lib, asJson, ct).ConfigureAwait(false);
            if (!asJson && lib.EngineNote is { } engine) cli.Error.WriteLine($"note: {engine}");
            var asked = parse.GetValue(question) ?? "";
            if (asJson)
            {
                AskResult answered;
                try
                {
                    answered = await lib.Qa.AskAsync(asked, options, ct).ConfigureAwait(false);
                }
                catch (RemoteEngineException e) when (e.Fault == RemoteFault.Cut && e.PartialText is { } partial)
                {
                    // What the engine sent before the cut, as the text output shows it, marked so a
                    // script never takes it for an answer; the error and its exit code follow.
                    cli.WriteJson(new CutAnswer(partial, Cut: true, e.Message));
                    throw;
                }
                cli.WriteJson(answered);
                return ExitCodes.Ok;
            }
            await foreach (var update in lib.Qa.AskStreamingAsync(asked, options, ct).ConfigureAwait(false))
            {
                if (update.Result is { } result)
                {
                    PrintAfterAnswer(cli, result);
                    continue;
                }
                await cli.Out.WriteAsync(update.Text).ConfigureAwait(false);
                await cli.Out.FlushAsync(ct).ConfigureAwait(false);
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>First use: an empty index gets the bundled articles, and the user is told.</summary>
    internal static async Task SeedAsync(CliContext cli, LocalQaLibrary lib, bool quiet, CancellationToken ct)
    {
        var seeded = await lib.EnsureSeededAsync(null, ct).ConfigureAwait(false);
        if (seeded is not null && !quiet)
            cli.Error.WriteLine($"note: the index at {lib.IndexPath} was empty, so LocalQa ingested the {seeded.Added} bundled articles from seeds/ first.");
    }

    internal static void PrintAfterAnswer(CliContext cli, AskResult result)
    {
        var o = cli.Out;
        o.WriteLine();
        o.WriteLine();
        if (result.InvalidCitations.Count > 0)
            o.WriteLine($"warning: the answer cites {string.Join(", ", result.InvalidCitations)}, which match no passage.");
        var shown = result.Mode == AnswerMode.Generative && result.Cited.Count > 0
            ? result.Sources.Where(s => result.Cited.Contains(s.Rank)).ToArray()
            : result.Sources.Take(Math.Max(1, result.Cited.Count == 0 ? 3 : result.Cited.Max())).ToArray();
        if (shown.Length > 0) o.WriteLine("Sources:");
        foreach (var s in shown)
            o.WriteLine($"  [{s.Rank}] {s.Title} — {s.Document} ({PageOf(s.Page)}chunk {s.Chunk})");
        o.WriteLine(result.Note is null ? $"({(result.Mode == AnswerMode.Generative ? "generative answer" : "extractive answer")})" : $"({result.Note})");
    }

    /// <summary>"p. 7, " where a citation's page is known (PDF), nothing otherwise.</summary>
    internal static string PageOf(int? page) => page is { } p ? $"p. {p.ToString(System.Globalization.CultureInfo.InvariantCulture)}, " : "";
}
