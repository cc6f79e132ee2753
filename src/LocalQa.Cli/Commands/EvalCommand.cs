using System.CommandLine;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Summarizing;
using LocalQa.Hosting;
using LocalQa.Hosting.Evaluation;

namespace LocalQa.Cli.Commands;

internal static class EvalCommand
{
    public static Command Create(CliContext cli)
    {
        var common = new CommonOptions();
        var file = new Argument<string[]>("file") { Description = "Questions, one JSON object a line (id, question, answers, sources, unanswerable), or conversations (id, turns, answers: followups.jsonl); several files are scored together.", Arity = ArgumentArity.OneOrMore };
        var topK = new Option<int>("--top-k") { Description = "Passages per question (recall@k uses this k); not with --summaries.", DefaultValueFactory = _ => 5 };
        var extractive = new Option<bool>("--extractive") { Description = "Evaluate extractive answers or summaries even with a chat model." };
        var json = new Option<bool>("--json") { Description = "Print JSON with per-question rows." };
        var summaries = new Option<bool>("--summaries") { Description = "FILE lists pages to summarize (id, file, subject, max_words): check each summary for its subject, credit lines, code, cut key points and unrelated related documents." };
        var docs = new Option<string>("--docs") { Description = "Folder the pages of --summaries are under.", DefaultValueFactory = _ => SummaryEvaluator.PythonDocs };
        var cmd = new Command("eval", "Score retrieval and answers on a file of questions with known answers, or summaries of real pages (--summaries).");
        cmd.Arguments.Add(file);
        common.AddTo(cmd);
        foreach (var o in new Option[] { topK, extractive, json, summaries, docs }) cmd.Options.Add(o);
        cmd.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(summaries))
            {
                // A flag that silently did nothing would read as measured; summaries retrieve no passages.
                if (parse.GetResult(topK) is { Implicit: false })
                    throw new InvalidInputException("--top-k counts the passages retrieved per question; --summaries retrieves none.", "Leave out --top-k with --summaries.");
                return await EvaluateSummariesAsync(cli, common.Resolve(parse), parse.GetValue(file)!, parse.GetValue(docs)!, parse.GetValue(json), parse.GetValue(extractive), ct).ConfigureAwait(false);
            }

            var questions = parse.GetValue(file)!.SelectMany(Evaluator.Load).ToArray();
            var options = new AskOptions { TopK = parse.GetValue(topK), Extractive = parse.GetValue(extractive), MaxTokens = 128 };
            using var lib = LocalQaLibrary.Open(common.Resolve(parse), options.Extractive ? LibraryModels.Embedding : LibraryModels.Both);
            await AskCommand.SeedAsync(cli, lib, parse.GetValue(json), ct).ConfigureAwait(false);
            var report = await Evaluator.RunAsync(lib.Qa, questions, options, null, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                cli.WriteJson(report);
            }
            else
            {
                foreach (var r in report.Rows)
                {
                    if (r.IsFollowUp)
                    {
                        cli.Out.WriteLine($"{r.Id,-6} {(r.AnswerHit ? "follow-up hit " : r.IsFalseAbstention ? "FALSE ABSTAIN " : "FOLLOW-UP MISS")} {r.LatencyMs,7:F1} ms  {r.Question}  →  {r.StandaloneQuestion}");
                        continue;
                    }
                    cli.Out.WriteLine($"{r.Id,-6} {(r.Unanswerable ? (r.AbstainCorrect ? "abstain ok " : "ABSTAIN MISS") : (r.AnswerHit ? "hit        " : r.IsFalseAbstention ? "FALSE ABSTAIN" : "miss       "))} {(r.Unanswerable ? "" : r.SourceHit ? "src ok " : "SRC MISS")} {r.LatencyMs,7:F1} ms  {r.Question}");
                }
                cli.Out.WriteLine();
                cli.Out.WriteLine($"{report.Questions} questions ({report.Mode}): recall@{report.K} {report.RecallAtK:P1}, answer hits {report.AnswerHitRate:P1}, " +
                                  $"abstention accuracy {report.AbstentionAccuracy:P1}, false abstentions {report.FalseAbstentions}, missed abstentions {report.MissedAbstentions}, latency p50 {report.LatencyP50Ms:F1} ms, p95 {report.LatencyP95Ms:F1} ms" +
                                  (report.FollowUps > 0 ? $"; {report.FollowUps} follow-ups: hits {report.FollowUpHitRate:P1}" : ""));
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Summarizes each page as `summarize` would (with the chat model unless <paramref name="extractive"/>) and checks it.</summary>
    private static async Task<int> EvaluateSummariesAsync(CliContext cli, LibraryOptions options, IReadOnlyList<string> files, string docs, bool json, bool extractive, CancellationToken ct)
    {
        // Every file named is scored, as eval does with files of questions: only the first used to be, the rest silently dropped.
        var cases = files.SelectMany(SummaryEvaluator.Load).ToArray();
        using var lib = LocalQaLibrary.Open(options, extractive ? LibraryModels.None : LibraryModels.Chat);
        await AskCommand.SeedAsync(cli, lib, json, ct).ConfigureAwait(false);
        var rows = await SummaryEvaluator.RunAsync(cases, docs,
            async (document, maxWords) => (await lib.Qa.SummarizeAsync([document], new SummarizeOptions { MaxWords = maxWords }, null, ct).ConfigureAwait(false))[0], ct).ConfigureAwait(false);
        if (json)
        {
            cli.WriteJson(new SummariesJson(rows.Count, rows.Count(r => r.Clean), rows));
        }
        else
        {
            foreach (var r in rows)
                cli.Out.WriteLine($"{r.Id,-6} {(r.Clean ? "clean" : "DIRTY"),-6} subject {(r.SubjectFound ? "found  " : "MISSING")} {r.Words,4}/{r.MaxWords} words, credit lines {r.CreditLines.Count}, code/output {r.CodeOrOutput.Count}, cut key points {r.CutKeyPoints.Count}, unrelated related {r.UnrelatedRelated.Count}  {r.File}");
            cli.Out.WriteLine();
            var mode = rows.Any(r => r.Result.Mode == AnswerMode.Generative) ? "generative" : "extractive";
            cli.Out.WriteLine($"{rows.Count} pages ({mode} summaries): {rows.Count(r => r.Clean)} clean");
        }

        return ExitCodes.Ok;
    }

    /// <summary>eval --summaries --json: the tally over the pages, then each page's row.</summary>
    private sealed record SummariesJson(int Pages, int Clean, IReadOnlyList<SummaryRow> Rows);
}
