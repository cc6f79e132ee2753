using LocalQa.Core.Answering;
using LocalQa.Core.Index;
using LocalQa.Hosting.Evaluation;

namespace LocalQa.Core.Tests.Evaluation;

/// <summary>Conversations in the eval format (turns, answers for the last), scored on the seeds in extractive mode.</summary>
public sealed class FollowUpEvaluationTests
{
    /// <summary>The face over a seeded index, which the caller disposes after the face (the face does not own it).</summary>
    private static async Task<(ILocalQa Qa, LocalQaIndex Index)> SeedAnswererAsync()
    {
        var dir = Directory.CreateTempSubdirectory("localqa-followups-").FullName;
        var index = await IndexTestData.SeededIndexAsync(Path.Combine(dir, "index.db"));
        return (new LocalQaBuilder().WithIndex(index).WithPrompts(IndexTestData.Prompts()).Build(), index);
    }

    [Fact]
    public async Task A_small_conversation_file_is_scored_apart_from_single_questions()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "talk.jsonl");
        File.WriteAllLines(file,
        [
            """{"id": "q1", "question": "What is FAIR short for?", "answers": ["Fundamental AI Research"], "sources": [], "unanswerable": false}""",
            """{"id": "t1", "turns": ["Why did Joelle Pineau leave Meta?", "Where did she go?"], "answers": ["Cohere"]}""",
            """{"id": "t2", "turns": ["Who leads Meta Superintelligence Labs?", "When was FAIR founded?"], "answers": ["2013"]}""",
        ]);
        var questions = Evaluator.Load(file);
        Assert.Equal(3, questions.Count);
        Assert.True(questions[1].IsConversation);
        Assert.Equal("Where did she go?", questions[1].Question);

        var (qa, index) = await SeedAnswererAsync();
        using (index)
        using (qa)
        {
            var report = await Evaluator.RunAsync(qa, questions, new AskOptions { TopK = 5 });
            Assert.Equal(1, report.Questions);
            Assert.Equal(2, report.FollowUps);
            var t1 = report.Rows.Single(r => r.Id == "t1");
            Assert.Contains("Pineau", t1.StandaloneQuestion);
            var t2 = report.Rows.Single(r => r.Id == "t2");
            Assert.Equal("When was FAIR founded?", t2.StandaloneQuestion);
            Assert.True(t2.AnswerHit, t2.Answer);
        }
    }

    [Fact]
    public async Task Every_shared_follow_up_is_answered_in_extractive_mode()
    {
        var path = Path.Combine(TestPaths.SharedFolder, "eval", "followups.jsonl");
        if (!File.Exists(path)) Assert.Skip($"../shared/eval/followups.jsonl is absent ({path}).");
        var (qa, index) = await SeedAnswererAsync();
        using (index)
        using (qa)
        {
            var report = await Evaluator.RunAsync(qa, Evaluator.Load(path), new AskOptions { TopK = 5 });
            Assert.True(report.FollowUps > 0);
            Assert.True(report.FollowUpHitRate == 1.0, string.Join("; ", report.Rows.Where(r => !r.AnswerHit).Select(r => $"{r.Id}: {r.StandaloneQuestion} → {r.Answer}")));
        }
    }
}
