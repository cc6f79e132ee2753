using System.Text.Json;

namespace LocalQa.Cli.Tests;

public sealed class EvalFollowUpCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_cli.Home, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Eval_reports_the_follow_up_hit_rate_beside_the_single_question_figures()
    {
        var questions = Write("q.jsonl", """{"id": "q1", "question": "Which company did Meta acquire about 49% of?", "answers": ["Scale AI"], "sources": [], "unanswerable": false}""");
        var talks = Write("c.jsonl",
            """{"id": "c1", "turns": ["What team did Erik Meijer lead at Meta?", "How many people were in it?"], "answers": ["50"]}""",
            """{"id": "c2", "turns": ["Who leads Meta Superintelligence Labs?", "When was FAIR founded?"], "answers": ["2013"]}""");

        var text = _cli.Run(["eval", questions, talks, "--extractive"]);
        Assert.True(text.ExitCode == 0, text.Err);
        Assert.Contains("1 questions (extractive)", text.Out, StringComparison.Ordinal);
        Assert.Contains("2 follow-ups: hits 100.0 %", text.Out, StringComparison.Ordinal);
        Assert.Contains("→  How many people were in it? (Erik Meijer", text.Out, StringComparison.Ordinal);

        var json = _cli.Run(["eval", questions, talks, "--extractive", "--json"]);
        Assert.True(json.ExitCode == 0, json.Err);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal(1, root.GetProperty("questions").GetInt32());
        Assert.Equal(2, root.GetProperty("follow_ups").GetInt32());
        Assert.Equal(1.0, root.GetProperty("follow_up_hit_rate").GetDouble());
        var c2 = root.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "c2");
        Assert.Equal("When was FAIR founded?", c2.GetProperty("standalone_question").GetString());
    }
}
