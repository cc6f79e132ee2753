using LocalQa.Core.Ai;
using Microsoft.Extensions.AI;

namespace LocalQa.Llama.Tests.Engine;

/// <summary>
/// The slots a server's clients share: requests decoded together give what each would alone, join
/// at the next step, free their slot when cancelled, and reuse what a free slot holds. Every test
/// orders its events with the decode thread's own hook, never with time.
/// </summary>
public sealed class SlotTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    private readonly LlamaModel _model = fixture.Model;

    private LlamaContext NewContext(int sequences, int perSequence = 256) =>
        LlamaContext.Create(_model, new LlamaContextOptions { ContextSize = perSequence * sequences, Sequences = sequences, Threads = 2 });

    private int[] Prompt(string text) => _model.Tokenize(text);

    private int[] Alone(int[] prompt, GenerationOptions options)
    {
        using var ctx = NewContext(1);
        using var gen = new LlamaGenerator(ctx);
        return gen.GenerateTokens(prompt, options).ToArray();
    }

    [Fact]
    public async Task Four_requests_decoded_together_each_get_what_they_would_alone()
    {
        string[] texts = ["Once upon a time", "The cat sat on", "Lily wanted to play with", "One day, a big"];
        var options = new GenerationOptions { MaxTokens = 16 };
        using var ctx = NewContext(4);
        using var slots = new LlamaSlots(ctx, start: false);
        var runs = texts.Select(t => slots.Submit(Prompt(t), options)).ToArray();
        slots.Start();
        var results = await Task.WhenAll(runs.Select(r => r.Completion));
        Assert.Equal(4, slots.PeakParallel);
        // Four answers of 16 tokens in about 16 steps, not 64: they shared every decode.
        Assert.True(slots.DecodeCalls <= 17, $"{slots.DecodeCalls} decodes");
        for (var i = 0; i < texts.Length; i++)
            Assert.Equal(Alone(Prompt(texts[i]), options), results[i].Tokens);
        Assert.Equal(4, results.Select(r => r.Slot).Distinct().Count());
    }

    [Fact]
    public async Task A_request_joins_a_running_one_at_the_next_step_and_changes_nothing_of_it()
    {
        var first = Prompt("Tom had a small boat and a big");
        var second = Prompt("The sun was hot, so Mia went to");
        var options = new GenerationOptions { MaxTokens = 24 };
        using var ctx = NewContext(2);
        using var slots = new LlamaSlots(ctx);
        SlotRun? joined = null;
        var steps = 0;
        // Submitted from the decode thread after the first request's fourth step: it must run beside it.
        slots.AfterStep = _ => { if (++steps == 4) joined = slots.Submit(second, options); };
        var a = await slots.Submit(first, options).Completion;
        var b = await joined!.Completion;
        Assert.Equal(2, slots.PeakParallel);
        Assert.Equal(Alone(first, options), a.Tokens);
        Assert.Equal(Alone(second, options), b.Tokens);
    }

    [Fact]
    public async Task A_cancelled_request_frees_its_slot_for_the_one_waiting()
    {
        var options = new GenerationOptions { MaxTokens = 200 };
        using var ctx = NewContext(1);
        using var slots = new LlamaSlots(ctx, start: false);
        using var hangUp = new CancellationTokenSource();
        var long_ = slots.Submit(Prompt("A long story begins"), options, hangUp.Token);
        var waiting = slots.Submit(Prompt("The dog ran"), new GenerationOptions { MaxTokens = 8 });
        var steps = 0;
        slots.AfterStep = _ => { if (++steps == 3) hangUp.Cancel(); };
        slots.Start();
        var done = await waiting.Completion;
        Assert.Equal(Alone(Prompt("The dog ran"), new GenerationOptions { MaxTokens = 8 }), done.Tokens);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => long_.Completion);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { await foreach (var _ in long_.Text.ReadAllAsync()) { } });
        Assert.Equal(0, slots.Active);
    }

    [Fact]
    public async Task A_conversations_next_turn_reuses_what_its_slot_holds_and_answers_as_fresh()
    {
        var options = new GenerationOptions { MaxTokens = 12 };
        var turn1 = Prompt("Tom had a small boat.");
        using var ctx = NewContext(2);
        using var slots = new LlamaSlots(ctx);
        var first = await slots.Submit(turn1, options).Completion;
        // Another client in between takes the other slot, not this one.
        var other = await slots.Submit(Prompt("Unrelated words about the weather"), options).Completion;
        Assert.NotEqual(first.Slot, other.Slot);
        int[] turn2 = [.. turn1, .. first.Tokens, .. _model.Tokenize(" Then he", addSpecial: false)];
        var second = await slots.Submit(turn2, options).Completion;
        Assert.Equal(first.Slot, second.Slot);
        // Everything the slot decoded: the first prompt and the answer but its last token, which was
        // sampled and never decoded.
        Assert.Equal(turn1.Length + first.Tokens.Length - 1, second.Stats.ReusedTokens);
        Assert.Equal(Alone(turn2, options), second.Tokens);
    }

    [Fact]
    public void Bad_prompts_are_refused_before_llama_cpp_sees_them()
    {
        using var ctx = NewContext(2, perSequence: 64);
        using var slots = new LlamaSlots(ctx);
        Assert.ThrowsAny<ArgumentException>(() => slots.Submit([]));
        Assert.ThrowsAny<Exception>(() => slots.Submit([_model.VocabSize + 5]));
        Assert.Throws<ContextFullException>(() => slots.Submit(Enumerable.Repeat(Prompt("a")[^1], slots.SequenceContextSize).ToArray()));
        Assert.ThrowsAny<ArgumentException>(() => slots.Submit(Prompt("ok"), new GenerationOptions { MaxTokens = 0 }));
    }

    [Fact]
    public async Task Disposing_ends_requests_in_flight_and_waiting()
    {
        using var ctx = NewContext(1);
        var slots = new LlamaSlots(ctx, start: false);
        var running = slots.Submit(Prompt("Once"), new GenerationOptions { MaxTokens = 500 });
        var queued = slots.Submit(Prompt("Twice"), new GenerationOptions { MaxTokens = 5 });
        slots.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => running.Completion);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.Completion);
        Assert.Throws<ObjectDisposedException>(() => slots.Submit(Prompt("Late")));
    }

    [Fact]
    public async Task The_slot_chat_client_answers_as_the_single_context_client_does_for_each_of_its_callers()
    {
        ChatMessage[][] conversations =
        [
            [new(ChatRole.System, "Answer briefly."), new(ChatRole.User, "Who had a boat?")],
            [new(ChatRole.User, "What is the weather like?")],
            [new(ChatRole.User, "Tell me about the cat.")],
        ];
        var options = new ChatOptions { MaxOutputTokens = 16, Temperature = 0 };
        var alone = new List<string>();
        using (var single = new LlamaChatClient(_model, new LlamaContextOptions { ContextSize = 512, Threads = 2 }))
        {
            foreach (var c in conversations)
            {
                single.ResetCache();
                alone.Add((await single.GetResponseAsync(c, options)).Text);
            }
        }
        using var shared = new LlamaSlotChatClient(_model, new SlotChatOptions { Slots = 3, SequenceContext = 512, Threads = 2 });
        var together = await Task.WhenAll(conversations.Select(c => shared.GetResponseAsync(c, options)));
        Assert.Equal(alone, together.Select(r => r.Text));
        Assert.All(together, r => Assert.True(r.Usage?.OutputTokenCount > 0));
        Assert.Equal(512, shared.GetService<IPromptBudget>()!.ContextTokens);
    }
}
