using LocalQa.Core.Answering;

namespace LocalQa.Core.Tests.Answering;

/// <summary>Follow-ups resolved without a model: pointers back carry the last turn's subject; a new subject stands alone.</summary>
public sealed class FollowUpsTests
{
    private static readonly ConversationTurn Curie = new(
        "Where did Marie Curie study?", "Where did Marie Curie study?",
        "Marie Curie studied at the University of Paris, where she met Pierre Curie.");

    [Theory]
    [InlineData("When did she win her first prize?")]
    [InlineData("How old was he then?")]
    [InlineData("What did they discover there?")]
    [InlineData("Who ran that university?")]
    [InlineData("What about the second one?")]
    [InlineData("And later?")]
    public void A_question_that_points_back_carries_the_last_subject(string question)
    {
        var r = FollowUps.Resolve([Curie], question);
        Assert.True(r.Carried, r.Standalone);
        Assert.StartsWith(question, r.Standalone, StringComparison.Ordinal);
        Assert.Contains("Marie Curie", r.Standalone, StringComparison.Ordinal);
        Assert.Null(r.Problem);
    }

    [Theory]
    [InlineData("When was the Eiffel Tower built?")]
    [InlineData("Who founded Microsoft?")]
    [InlineData("What is the boiling point of liquid nitrogen?")]
    [InlineData("Which prize that was given in 1911 went to a chemist?")]
    public void A_question_with_its_own_subject_stands_alone(string question)
    {
        var r = FollowUps.Resolve([Curie], question);
        Assert.False(r.Carried);
        Assert.Equal(question, r.Standalone);
    }

    [Fact]
    public void The_answer_names_nearest_the_asked_words_are_who_he_is()
    {
        var turn = new ConversationTurn("Who became the CEO of Contoso?", "Who became the CEO of Contoso?",
            "In March, after a long search led by Jane Roe, Contoso named John Smith as its CEO.");
        var r = FollowUps.Resolve([turn], "Where did he work before?");
        Assert.Contains("John Smith", r.Standalone, StringComparison.Ordinal);
        Assert.DoesNotContain("March", r.Standalone, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pronoun_with_no_earlier_turn_is_a_problem_not_a_query()
    {
        var r = FollowUps.Resolve([], "and him?");
        Assert.True(r.RefersBack);
        Assert.False(r.Carried);
        Assert.NotNull(r.Problem);
    }

    [Fact]
    public void A_first_question_without_pointers_is_not_a_problem()
    {
        var r = FollowUps.Resolve([], "Who founded Microsoft?");
        Assert.Null(r.Problem);
        Assert.Equal("Who founded Microsoft?", r.Standalone);
    }

    [Fact]
    public void Carried_terms_chain_across_turns()
    {
        var first = FollowUps.Resolve([Curie], "Who was her husband?");
        var second = FollowUps.Resolve([Curie, new ConversationTurn("Who was her husband?", first.Standalone, "Pierre Curie was a physicist.")], "When did he die?");
        Assert.Contains("Curie", second.Standalone, StringComparison.Ordinal);
    }

    [Fact]
    public void What_about_a_new_name_takes_the_last_predicate_not_the_last_subject()
    {
        var r = FollowUps.Resolve([Curie], "What about Albert Einstein?");
        Assert.Contains("Albert Einstein", r.Standalone, StringComparison.Ordinal);
        Assert.Contains("study", r.Standalone, StringComparison.Ordinal);
        Assert.DoesNotContain("Curie", r.Standalone, StringComparison.Ordinal);
        Assert.DoesNotContain("Paris", r.Standalone, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_question_that_leans_on_the_conversation_is_worth_a_model_rewrite()
    {
        var pronoun = FollowUps.Resolve([Curie], "When did she win her first prize?");
        Assert.True(pronoun.NeedsContext);
        Assert.False(pronoun.NamesOwnSubject);
        // Its own subject and the last predicate: the carry already says all a rewrite would.
        var named = FollowUps.Resolve([Curie], "What about Albert Einstein?");
        Assert.True(named.NeedsContext);
        Assert.True(named.NamesOwnSubject);
        var standalone = FollowUps.Resolve([Curie], "When was the Eiffel Tower built?");
        Assert.False(standalone.NeedsContext);
        Assert.False(standalone.Rewritten);
    }
}
