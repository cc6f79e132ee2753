using LocalQa.Core.Answering;

namespace LocalQa.Core.Tests.Answering;

/// <summary>What the condensing prompt's reply must look like to be searched with instead of the subject carry.</summary>
public sealed class QuestionCondenserTests
{
    private static readonly ConversationTurn[] Curie =
    [
        new("Where did Marie Curie study?", "Where did Marie Curie study?",
            "Marie Curie studied at the University of Paris, where she met Pierre Curie [1]."),
    ];

    [Theory]
    [InlineData("When did she win her first prize?", "When did Marie Curie win her first prize?", "Marie Curie")]
    [InlineData("Who ran that university?", "Who ran the University of Paris?", "University of Paris")]
    [InlineData("How did they meet?", "Rewritten question: How did Marie Curie and Pierre Curie meet?", "Pierre Curie")]
    [InlineData("And later?", "\"Where did Marie Curie study later?\"\nI hope this helps.", "Marie Curie")]
    // Phrasing words count as phrasing in any form the stemmer leaves them ("articl", "nam", "accord").
    [InlineData("Where was she named?", "According to the articles, where was Marie Curie named?", "Marie Curie")]
    public void A_rewrite_that_names_what_the_question_pointed_at_is_kept(string question, string reply, string named)
    {
        var kept = QuestionCondenser.Accept(reply, question, Curie);
        Assert.NotNull(kept);
        Assert.DoesNotContain('\n', kept);
        Assert.DoesNotContain("Rewritten", kept, StringComparison.Ordinal);
        Assert.Contains(named, kept, StringComparison.Ordinal);
        Assert.False(kept.StartsWith('"'));
    }

    [Theory]
    [InlineData("When did she win her first prize?", "")]
    [InlineData("When did she win her first prize?", "   \n  ")]
    [InlineData("When did she win her first prize?", "When did she win her first prize?")]
    [InlineData("When did she win her first prize?", "She won the Nobel Prize in Physics in 1903 with Becquerel for radioactivity research.")]
    [InlineData("When did she win her first prize?", "ously Tarnby pent harbour<|im_end|> glim borough ateless")]
    [InlineData("When did she win her first prize?", "Who founded Microsoft and when did Bill Gates leave?")]
    [InlineData("Who ran that university?", "When did Marie Curie win her first prize?")]
    public void An_empty_garbled_unchanged_answering_or_off_subject_reply_is_refused(string question, string reply) =>
        Assert.Null(QuestionCondenser.Accept(reply, question, Curie));

    [Fact]
    public void A_reply_far_longer_than_the_question_is_refused()
    {
        var reply = "When did Marie Curie win her first prize " + string.Concat(Enumerable.Repeat("at the University of Paris ", 12)) + "?";
        Assert.Null(QuestionCondenser.Accept(reply, "When did she win?", Curie));
    }

    [Fact]
    public void The_history_lists_the_last_questions_as_searched()
    {
        var turns = Enumerable.Range(1, 6).Select(i => new ConversationTurn($"q{i}", $"Question {i}\nsearched", "")).ToArray();
        var history = QuestionCondenser.History(turns);
        Assert.Equal(QuestionCondenser.HistoryTurns, history.Split('\n').Length);
        Assert.StartsWith("- Question 3 searched", history, StringComparison.Ordinal);
        Assert.EndsWith("- Question 6 searched", history, StringComparison.Ordinal);
    }
}
