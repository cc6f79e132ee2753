using LocalQa.Core.Answering;
using LocalQa.Hosting.Evaluation;
using LocalQa.Llama;

namespace LocalQa.Core.Tests.Evaluation;

/// <summary>The whole default pipeline (loaders, cleaning, chunker, index, BM25, extractive answers) on the seeds.</summary>
public sealed class EvaluationTests
{
    private static string QuestionsFile()
    {
        var path = Path.Combine(TestPaths.SharedFolder, "eval", "questions.jsonl");
        if (!File.Exists(path)) Assert.Skip($"../shared/eval/questions.jsonl is absent ({path}).");
        return path;
    }

    [Fact]
    public async Task The_visible_questions_reach_the_recall_and_hit_bars_and_unanswerables_abstain()
    {
        var questions = Evaluator.Load(QuestionsFile());
        var dir = Directory.CreateTempSubdirectory("localqa-eval-").FullName;
        using var index = await IndexTestData.SeededIndexAsync(Path.Combine(dir, "index.db"));
        using var qa = new LocalQaBuilder().WithIndex(index).WithPrompts(IndexTestData.Prompts()).Build();
        var report = await Evaluator.RunAsync(qa, questions, new AskOptions { TopK = 5 });

        Assert.Equal("extractive", report.Mode);
        Assert.True(report.RecallAtK >= 0.9, $"recall@5 {report.RecallAtK:P0}");
        Assert.True(report.AnswerHitRate >= 0.7, $"answer hits {report.AnswerHitRate:P0}: " +
            string.Join("; ", report.Rows.Where(r => !r.Unanswerable && !r.AnswerHit).Select(r => $"{r.Id}: {r.Answer}")));
        Assert.All(report.Rows.Where(r => r.Unanswerable), r => Assert.True(r.Abstained, r.Id));
        Assert.True(report.LatencyP95Ms >= report.LatencyP50Ms);
    }

    [Fact]
    public void A_malformed_line_is_bad_input_naming_the_line()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("localqa-eval-bad-").FullName, "q.jsonl");
        File.WriteAllLines(file, ["""{"id":"a","question":"q?","answers":[],"sources":[],"unanswerable":true}""", "{not json"]);
        var ex = Assert.ThrowsAny<InvalidInputException>(() => Evaluator.Load(file));
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_counts_false_abstentions_apart_from_missed_abstentions()
    {
        EvalRow Row(string id, bool unanswerable, bool hit, bool abstained) =>
            new(id, id + "?", unanswerable, true, hit, abstained, abstained == unanswerable, 1, abstained ? "The articles don't say." : "Some answer. [1]", ["a.md"]);
        EvalRow[] rows =
        [
            Row("hit", false, true, false),
            Row("wrong", false, false, false),
            Row("false-abstain", false, false, true),
            Row("abstain-ok", true, false, true),
            Row("answered-unanswerable", true, false, false),
            Row("conversation", false, false, true) with { StandaloneQuestion = "What is it?" },
        ];

        var report = Evaluator.Report(rows, 5, "extractive");

        Assert.Equal(2, report.FalseAbstentions);
        Assert.Equal(1, report.MissedAbstentions);
        Assert.True(rows[2].IsFalseAbstention);
        Assert.False(rows[1].IsFalseAbstention);
        Assert.Equal(1 / 3.0, report.AnswerHitRate, 6);
    }

    [Fact]
    public void Percentiles_use_the_nearest_rank()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, Evaluator.Percentile(sorted, 0.5));
        Assert.Equal(10, Evaluator.Percentile(sorted, 0.95));
        Assert.Equal(0, Evaluator.Percentile([], 0.5));
    }
}
