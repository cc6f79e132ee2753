using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using LocalQa.Core.Answering;
using LocalQa.Llama;

namespace LocalQa.Core.Evaluation;

/// <summary>One line of an evaluation file (../shared/eval/questions.jsonl format).</summary>
public sealed record EvalQuestion(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("answers")] IReadOnlyList<string> Answers,
    [property: JsonPropertyName("sources")] IReadOnlyList<string> Sources,
    [property: JsonPropertyName("unanswerable")] bool Unanswerable);

public sealed record EvalRow(string Id, string Question, bool Unanswerable, bool SourceHit, bool AnswerHit, bool Abstained, bool AbstainCorrect, double LatencyMs, string Answer, IReadOnlyList<string> Retrieved);

public sealed record EvalReport(
    int Questions,
    int Answerable,
    double RecallAtK,
    int K,
    double AnswerHitRate,
    double AbstentionAccuracy,
    double LatencyP50Ms,
    double LatencyP95Ms,
    string Mode,
    IReadOnlyList<EvalRow> Rows);

/// <summary>
/// Runs every question of an evaluation file through the real ask path and scores it: recall@k of
/// the gold source files among the retrieved passages, answer hits (a gold string in the answer,
/// case-insensitive), abstention accuracy on the unanswerable ones, and latency percentiles.
/// </summary>
public static class Evaluator
{
    public static IReadOnlyList<EvalQuestion> Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InvalidInputException($"Evaluation file '{full}' does not exist.", "Pass a .jsonl file of questions (see DESIGN.md for the format).");
        var list = new List<EvalQuestion>();
        var lineNo = 0;
        foreach (var line in File.ReadLines(full))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var q = JsonSerializer.Deserialize<EvalQuestion>(line) ?? throw new JsonException("null");
                if (string.IsNullOrWhiteSpace(q.Id) || string.IsNullOrWhiteSpace(q.Question)) throw new JsonException("id and question are required");
                list.Add(q with { Answers = q.Answers ?? [], Sources = q.Sources ?? [] });
            }
            catch (JsonException ex)
            {
                throw new InvalidInputException($"'{full}' line {lineNo} is not a valid question: {ex.Message}", "Each line must be a JSON object with id, question, answers, sources and unanswerable.");
            }
        }
        if (list.Count == 0) throw new InvalidInputException($"Evaluation file '{full}' has no questions.");
        return list;
    }

    public static async Task<EvalReport> RunAsync(Answerer answerer, IReadOnlyList<EvalQuestion> questions, AskOptions options, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(answerer);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(options);
        var rows = new List<EvalRow>();
        string mode = "extractive";
        foreach (var q in questions)
        {
            ct.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            var r = await answerer.AskAsync(q.Question, options, null, ct).ConfigureAwait(false);
            var ms = sw.Elapsed.TotalMilliseconds;
            if (r.Mode == AnswerMode.Generative) mode = "generative";
            var retrieved = r.Sources.Select(s => Path.GetFileName(s.Document)).Distinct().ToArray();
            var sourceHit = q.Sources.Count > 0 && q.Sources.Any(s => retrieved.Contains(s, StringComparer.Ordinal));
            var answerHit = !r.Abstained && q.Answers.Any(a => r.Answer.Contains(a, StringComparison.OrdinalIgnoreCase));
            rows.Add(new EvalRow(q.Id, q.Question, q.Unanswerable, sourceHit, answerHit, r.Abstained, r.Abstained == q.Unanswerable, ms, r.Answer, retrieved));
            progress?.Report(rows.Count);
        }
        var answerable = rows.Where(r => !r.Unanswerable).ToArray();
        var latencies = rows.Select(r => r.LatencyMs).Order().ToArray();
        return new EvalReport(
            rows.Count,
            answerable.Length,
            answerable.Length == 0 ? 0 : answerable.Count(r => r.SourceHit) / (double)answerable.Length,
            options.TopK,
            answerable.Length == 0 ? 0 : answerable.Count(r => r.AnswerHit) / (double)answerable.Length,
            rows.Count(r => r.AbstainCorrect) / (double)rows.Count,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.95),
            mode,
            rows);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) return 0;
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
