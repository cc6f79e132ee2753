using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Llama;

namespace LocalQa.Hosting.Evaluation;

/// <summary>One line of an evaluation file (../shared/eval/questions.jsonl format).</summary>
public sealed record EvalQuestion(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("answers")] IReadOnlyList<string> Answers,
    [property: JsonPropertyName("sources")] IReadOnlyList<string> Sources,
    [property: JsonPropertyName("unanswerable")] bool Unanswerable)
{
    /// <summary>A conversation (followups.jsonl): the questions asked in one chat; <see cref="Answers"/> score the last.</summary>
    [JsonPropertyName("turns")]
    public IReadOnlyList<string>? Turns { get; init; }

    public bool IsConversation => Turns is { Count: > 0 };
}

/// <remarks>In eval --json a row reads as asked, then as searched, then how it fared; abstaining correctly is implied by unanswerable and abstained.</remarks>
public sealed record EvalRow(
    [property: JsonPropertyOrder(-1)] string Id,
    [property: JsonPropertyOrder(-1)] string Question,
    bool Unanswerable,
    bool SourceHit,
    bool AnswerHit,
    bool Abstained,
    [property: JsonIgnore] bool AbstainCorrect,
    [property: JsonRound(2)] double LatencyMs,
    string Answer,
    IReadOnlyList<string> Retrieved)
{
    /// <summary>For a conversation: the last turn as resolved against the earlier ones; null for a single question.</summary>
    [JsonPropertyOrder(-1)]
    public string? StandaloneQuestion { get; init; }

    [JsonIgnore]
    public bool IsFollowUp => StandaloneQuestion is not null;

    /// <summary>An answerable question answered "The articles don't say."; in --json the report counts them.</summary>
    [JsonIgnore]
    public bool IsFalseAbstention => !Unanswerable && Abstained;
}

/// <remarks>In eval --json: what was evaluated and how (counts, mode, k) first, then the scores, then the rows.</remarks>
public sealed record EvalReport(
    [property: JsonPropertyOrder(-3)] int Questions,
    [property: JsonPropertyOrder(-3)] int Answerable,
    [property: JsonRound(4)] double RecallAtK,
    [property: JsonPropertyOrder(-1)] int K,
    [property: JsonRound(4)] double AnswerHitRate,
    [property: JsonRound(4)] double AbstentionAccuracy,
    [property: JsonRound(2)] double LatencyP50Ms,
    [property: JsonRound(2)] double LatencyP95Ms,
    [property: JsonPropertyOrder(-2)] string Mode,
    [property: JsonPropertyOrder(1)] IReadOnlyList<EvalRow> Rows)
{
    /// <summary>Conversations scored (their last turn); they count in no other figure.</summary>
    public int FollowUps { get; init; }

    /// <summary>Share of conversations whose last-turn answer holds a gold string.</summary>
    [JsonRound(4)]
    public double FollowUpHitRate { get; init; }

    /// <summary>
    /// Answerable questions (and conversations) answered "The articles don't say.": the evidence was
    /// there, phrased otherwise, or was missed. Counted apart from wrong answers, which quote something.
    /// </summary>
    public int FalseAbstentions { get; init; }

    /// <summary>Unanswerable questions that were answered instead of abstained.</summary>
    public int MissedAbstentions { get; init; }
}

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
                if (q.IsConversation)
                {
                    if (q.Turns!.Any(string.IsNullOrWhiteSpace)) throw new JsonException("a turn is empty");
                    q = q with { Question = q.Turns![^1] };
                }
                if (string.IsNullOrWhiteSpace(q.Id) || string.IsNullOrWhiteSpace(q.Question)) throw new JsonException("id and question (or turns) are required");
                list.Add(q with { Answers = q.Answers ?? [], Sources = q.Sources ?? [] });
            }
            catch (JsonException ex)
            {
                throw new InvalidInputException($"'{full}' line {lineNo} is not a valid question: {ex.Message}", "Each line must be a JSON object with id, question, answers, sources and unanswerable, or a conversation: id, turns and answers.");
            }
        }
        if (list.Count == 0) throw new InvalidInputException($"Evaluation file '{full}' has no questions.");
        return list;
    }

    public static async Task<EvalReport> RunAsync(ILocalQa qa, IReadOnlyList<EvalQuestion> questions, AskOptions options, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(qa);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(options);
        var rows = new List<EvalRow>();
        string mode = "extractive";
        foreach (var q in questions)
        {
            ct.ThrowIfCancellationRequested();
            if (q.IsConversation)
            {
                rows.Add(await RunConversationAsync(qa, q, options, ct).ConfigureAwait(false));
                progress?.Report(rows.Count);
                continue;
            }
            var sw = Stopwatch.StartNew();
            var r = await qa.AskAsync(q.Question, options, ct).ConfigureAwait(false);
            var ms = sw.Elapsed.TotalMilliseconds;
            if (r.Mode == AnswerMode.Generative) mode = "generative";
            var retrieved = r.Sources.Select(s => Path.GetFileName(s.Document)).Distinct().ToArray();
            var sourceHit = q.Sources.Count > 0 && q.Sources.Any(s => r.Sources.Any(d => IsSource(d.Document, s)));
            var answerHit = !r.Abstained && q.Answers.Any(a => r.Answer.Contains(a, StringComparison.OrdinalIgnoreCase));
            rows.Add(new EvalRow(q.Id, q.Question, q.Unanswerable, sourceHit, answerHit, r.Abstained, r.Abstained == q.Unanswerable, ms, r.Answer, retrieved));
            progress?.Report(rows.Count);
        }
        return Report(rows, options.TopK, mode);
    }

    /// <summary>The figures of an evaluation from its rows: single questions and conversations apart, abstentions split by which way they failed.</summary>
    public static EvalReport Report(IReadOnlyList<EvalRow> rows, int k, string mode)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var followUps = rows.Where(r => r.IsFollowUp).ToArray();
        var single = rows.Where(r => !r.IsFollowUp).ToArray();
        var answerable = single.Where(r => !r.Unanswerable).ToArray();
        var latencies = single.Select(r => r.LatencyMs).Order().ToArray();
        return new EvalReport(
            single.Length,
            answerable.Length,
            answerable.Length == 0 ? 0 : answerable.Count(r => r.SourceHit) / (double)answerable.Length,
            k,
            answerable.Length == 0 ? 0 : answerable.Count(r => r.AnswerHit) / (double)answerable.Length,
            single.Length == 0 ? 0 : single.Count(r => r.AbstainCorrect) / (double)single.Length,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.95),
            mode,
            rows)
        {
            FollowUps = followUps.Length,
            FollowUpHitRate = followUps.Length == 0 ? 0 : followUps.Count(r => r.AnswerHit) / (double)followUps.Length,
            FalseAbstentions = rows.Count(r => r.IsFalseAbstention),
            MissedAbstentions = rows.Count(r => r.Unanswerable && !r.Abstained),
        };
    }

    /// <summary>Asks every turn in one fresh conversation and scores the answer to the last.</summary>
    private static async Task<EvalRow> RunConversationAsync(ILocalQa qa, EvalQuestion q, AskOptions options, CancellationToken ct)
    {
        var conversation = qa.StartConversation();
        ConversationAnswer? last = null;
        var sw = Stopwatch.StartNew();
        foreach (var turn in q.Turns!)
        {
            sw.Restart();
            last = await conversation.AskAsync(turn, options, ct).ConfigureAwait(false);
        }
        var ms = sw.Elapsed.TotalMilliseconds;
        var r = last!.Result;
        var retrieved = r.Sources.Select(s => Path.GetFileName(s.Document)).Distinct().ToArray();
        var sourceHit = q.Sources.Count > 0 && q.Sources.Any(s => r.Sources.Any(d => IsSource(d.Document, s)));
        var answerHit = !r.Abstained && q.Answers.Any(a => r.Answer.Contains(a, StringComparison.OrdinalIgnoreCase));
        return new EvalRow(q.Id, q.Question, q.Unanswerable, sourceHit, answerHit, r.Abstained, r.Abstained == q.Unanswerable, ms, r.Answer, retrieved)
        {
            StandaloneQuestion = last.StandaloneQuestion,
        };
    }

    /// <summary>
    /// Whether a retrieved document is the gold source: a gold source is a file name (the seeds) or a
    /// path relative to the ingested folder (library/os.html), which a document's path ends with.
    /// </summary>
    public static bool IsSource(string document, string source)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(source);
        var d = document.Replace('\\', '/');
        var s = source.Replace('\\', '/').TrimStart('/');
        return d.Equals(s, StringComparison.Ordinal) || d.EndsWith("/" + s, StringComparison.Ordinal);
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
