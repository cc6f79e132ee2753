using LocalQa.Core.Ai;
using LocalQa.Core.Answering;
using LocalQa.Core.Index;
using LocalQa.Core.Prompts;
using LocalQa.Llama;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Tests.Answering;

/// <summary>
/// A conversation with a chat model (a generated one: its text is noise, but what it is shown, what
/// it evaluates and how the conversation is kept are not): earlier turns stay in the prompt, each
/// turn evaluates only what it appends, and a conversation longer than the context goes on.
/// </summary>
public sealed class GenerativeConversationTests(CoreModelsFixture models) : IClassFixture<CoreModelsFixture>
{
    private static PromptLibrary Prompts => IndexTestData.Prompts();

    private Task<LocalQaIndex> SeededIndexAsync() => IndexTestData.SeededIndexAsync(models.NewIndexPath());

    private LlamaChatClient Client(int context = 8192) => new(models.LongChat, new LlamaContextOptions { ContextSize = context, Threads = 2 });

    [Fact]
    public async Task Each_turn_appends_to_the_prompt_and_evaluates_only_its_new_part()
    {
        using var index = await SeededIndexAsync();
        using var chat = Client();
        var conversation = new Conversation(new Answerer(index, Prompts, chat));
        var options = new AskOptions { MaxTokens = 16, TopK = 3 };
        var first = await conversation.AskAsync("When was LLaMA 3 released?", options);
        var second = await conversation.AskAsync("When was LLaMA 3 released to the public, and by which company?", options);
        var third = await conversation.AskAsync("Which company did Meta acquire about 49% of?", options);

        Assert.Equal(AnswerMode.Generative, first.Result.Mode);
        Assert.Equal(0, first.Result.Timings.ReusedTokens);
        Assert.Equal(3, conversation.Prompt.TurnCount);
        foreach (var (before, after) in new[] { (first, second), (second, third) })
        {
            var t = after.Result.Timings;
            // Everything the model saw before, its own answer included, is kept: the new turn is all that is evaluated.
            Assert.True(t.ReusedTokens >= before.Result.Timings.PromptTokens + before.Result.Timings.GeneratedTokens - 2,
                $"turn {after.Turn}: reused {t.ReusedTokens} of {t.PromptTokens}; the turn before had {before.Result.Timings.PromptTokens} + {before.Result.Timings.GeneratedTokens}");
            Assert.True(t.PromptTokens > before.Result.Timings.PromptTokens, "the prompt grew: earlier turns stay in it");
        }
        // The second question retrieves passages the first already gave: they are cited by number, not sent again.
        var firstNumbers = first.Result.Sources.Select(s => s.Rank).ToHashSet();
        Assert.Contains(second.Result.Sources, s => firstNumbers.Contains(s.Rank));
        Assert.All(third.Result.Sources.Where(s => !firstNumbers.Contains(s.Rank) && !second.Result.Sources.Any(o => o.Rank == s.Rank)),
            s => Assert.True(s.Rank > firstNumbers.Max()));
        var sent = conversation.Prompt.Messages("system").Where(m => m.Role == Microsoft.Extensions.AI.ChatRole.User).Select(m => m.Text).ToArray();
        Assert.Contains("Passages given earlier that also bear on this:", sent[1], StringComparison.Ordinal);
        foreach (var s in second.Result.Sources.Where(s => firstNumbers.Contains(s.Rank)))
            Assert.DoesNotContain($"<passage id=\"{s.Rank}\"", sent[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_conversation_longer_than_the_context_drops_its_oldest_turns_says_so_once_and_goes_on()
    {
        using var index = await SeededIndexAsync();
        using var chat = Client(context: 4096);
        var conversation = new Conversation(new Answerer(index, Prompts, chat));
        var options = new AskOptions { MaxTokens = 48, TopK = 3 };
        string[] questions =
        [
            "When was LLaMA 3 released?", "Which company did Meta acquire about 49% of?", "Who is Erik Meijer?",
            "What does LeCun call the LLM on the road to AGI?", "When was FAIR founded?", "Who leads Meta Superintelligence Labs?",
            "Why did Pesenti leave Meta?", "What team did Erik Meijer lead at Meta?",
        ];
        var answers = new List<ConversationAnswer>();
        foreach (var q in questions) answers.Add(await conversation.AskAsync(q, options));

        var generated = answers.Where(a => a.Result.Timings.PromptTokens > 0).ToArray();
        Assert.True(generated.Length >= 5, $"{generated.Length} turns reached the model");
        Assert.All(generated, a => Assert.True(a.Result.Timings.PromptTokens + a.Result.Timings.GeneratedTokens <= chat.ContextTokens));
        Assert.Contains(answers, a => a.Result.DroppedTurns > 0);
        Assert.Single(answers, a => a.AnnounceDrop);
        Assert.True(conversation.Prompt.DroppedTurns > 0);
        Assert.True(conversation.Prompt.TurnCount < generated.Length, "old turns left the prompt");
        // After a cut the prompt is re-evaluated once; the turn after it appends again.
        var cut = Array.FindIndex(generated, a => a.Result.DroppedTurns > 0);
        if (cut + 1 < generated.Length && generated[cut + 1].Result.DroppedTurns == 0)
            Assert.True(generated[cut + 1].Result.Timings.ReusedTokens > generated[cut].Result.Timings.PromptTokens / 2);
    }

    [Fact]
    public async Task A_follow_up_is_condensed_by_the_model_on_the_cached_conversation_and_a_refused_rewrite_falls_back_to_the_carry()
    {
        using var index = await SeededIndexAsync();
        using var chat = Client();
        var conversation = new Conversation(new Answerer(index, Prompts, chat));
        var options = new AskOptions { MaxTokens = 16, TopK = 3 };
        var first = await conversation.AskAsync("What team did Erik Meijer lead at Meta?", options);
        var follow = await conversation.AskAsync("How many people were in it?", options);

        var condense = Assert.IsType<CondenseAttempt>(follow.Condense);
        var before = first.Result.Timings.PromptTokens + first.Result.Timings.GeneratedTokens;
        // The condensing prompt went after the cached conversation, and the answer's prompt dropped it again by prefix.
        var usage = Assert.IsType<UsageDetails>(condense.Usage);
        Assert.True(usage.CachedInputTokenCount >= before - 2, $"condense reused {usage.CachedInputTokenCount} of {before}");
        Assert.InRange(usage.OutputTokenCount ?? -1, 0, QuestionCondenser.MaxTokens);
        Assert.True(follow.Result.Timings.ReusedTokens >= before - 2, $"answer reused {follow.Result.Timings.ReusedTokens} of {before}");
        if (condense.Accepted is null)
        {
            Assert.Equal("carried", follow.StandaloneBy);
            Assert.Contains("Erik Meijer", follow.StandaloneQuestion, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("model", follow.StandaloneBy);
            Assert.Equal(condense.Accepted, follow.StandaloneQuestion);
        }
        // A question that names its own subject is not sent to the model.
        var own = await conversation.AskAsync("Which company did Meta acquire about 49% of?", options);
        Assert.Null(own.Condense);
        Assert.Equal("as_asked", own.StandaloneBy);
    }

    [Fact]
    public async Task Reset_forgets_the_prompt_and_numbers_passages_from_one_again()
    {
        using var index = await SeededIndexAsync();
        using var chat = Client();
        var conversation = new Conversation(new Answerer(index, Prompts, chat));
        var options = new AskOptions { MaxTokens = 8, TopK = 3 };
        await conversation.AskAsync("When was LLaMA 3 released?", options);
        await conversation.AskAsync("Which company did Meta acquire about 49% of?", options);
        conversation.Reset();
        Assert.Equal(0, conversation.Prompt.TurnCount);
        Assert.Equal(1, conversation.Prompt.NextNumber);
        var again = await conversation.AskAsync("Which company did Meta acquire about 49% of?", options);
        Assert.Equal(1, again.Turn);
        Assert.Equal(0, again.Result.Timings.ReusedTokens);
        Assert.Equal(Enumerable.Range(1, again.Result.Sources.Count), again.Result.Sources.Select(s => s.Rank));
    }
}
