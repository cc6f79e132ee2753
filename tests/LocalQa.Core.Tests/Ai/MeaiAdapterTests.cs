using LocalQa.Core.Ai;
using LocalQa.Llama;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Tests.Ai;

// CA1859: these tests go through the interfaces on purpose; that is what is being tested.
#pragma warning disable CA1859

/// <summary>The Microsoft.Extensions.AI adapters, used only through their interfaces, as another program would.</summary>
public sealed class MeaiAdapterTests(CoreModelsFixture models) : IClassFixture<CoreModelsFixture>
{
    private IChatClient NewChat() => new LlamaChatClient(models.Chat, new LlamaContextOptions { ContextSize = 1024, Threads = 2 });

    private static ChatMessage[] Conversation(string question) =>
        [new(ChatRole.System, "You are terse."), new(ChatRole.User, question)];

    [Fact]
    public async Task Streaming_pieces_concatenate_to_the_non_streaming_answer_and_usage_comes_last()
    {
        using var chat = NewChat();
        var options = new ChatOptions { MaxOutputTokens = 16, Temperature = 0 };
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in chat.GetStreamingResponseAsync(Conversation("Tell me about boats."), options)) updates.Add(u);
        var streamed = string.Concat(updates.Select(u => u.Text));
        Assert.True(updates.Count > 2);
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        var usage = updates[^1].Contents.OfType<UsageContent>().Single().Details;
        Assert.Equal(16, usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
        // The engine's own timings travel in the usage, where answering reads them.
        var prompt = usage.Milliseconds(UsageTimings.PromptMicroseconds);
        var first = usage.Milliseconds(UsageTimings.FirstTokenMicroseconds);
        var decode = usage.Milliseconds(UsageTimings.DecodeMicroseconds);
        Assert.True(prompt > 0 && first >= prompt && decode > 0, $"prompt {prompt} ms, first token {first} ms, decode {decode} ms");

        using var fresh = NewChat();
        var response = await fresh.GetResponseAsync(Conversation("Tell me about boats."), options);
        Assert.Equal(streamed, response.Text);
        Assert.Equal(usage.InputTokenCount, response.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task A_repeated_conversation_prefix_is_reported_as_cached_input()
    {
        using var chat = NewChat();
        var options = new ChatOptions { MaxOutputTokens = 4 };
        await chat.GetResponseAsync(Conversation("First question about the sea?"), options);
        var second = await chat.GetResponseAsync(Conversation("First question about the harbour?"), options);
        Assert.True(second.Usage!.CachedInputTokenCount > 5, $"cached {second.Usage.CachedInputTokenCount}");
        Assert.True(second.Usage.CachedInputTokenCount < second.Usage.InputTokenCount);
    }

    [Fact]
    public async Task A_growing_message_list_evaluates_only_each_turns_new_tokens_and_a_cold_client_the_whole_prompt()
    {
        var contextOptions = new LlamaContextOptions { ContextSize = 2048, Threads = 2 };
        using IChatClient warm = new LlamaChatClient(models.Chat, contextOptions);
        var messages = new List<ChatMessage> { new(ChatRole.System, "You answer questions about the harbour of Tarnby.") };
        var options = new ChatOptions { MaxOutputTokens = 24 };
        for (var turn = 1; turn <= 5; turn++)
        {
            var question = $"Question {turn}: how many boats came into the harbour on day {turn}, and who counted them at night?";
            messages.Add(new ChatMessage(ChatRole.User, question));
            var response = await warm.GetResponseAsync(messages, options);
            var usage = response.Usage!;
            var evaluated = usage.InputTokenCount - usage.CachedInputTokenCount;

            using (IChatClient cold = new LlamaChatClient(models.Chat, contextOptions))
            {
                var whole = (await cold.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 1 })).Usage!;
                Assert.Equal(0, whole.CachedInputTokenCount);
                // The same conversation, its answers tokenized afresh rather than as sampled: about as long.
                Assert.InRange(whole.InputTokenCount!.Value, usage.InputTokenCount!.Value - 24 * (turn - 1), usage.InputTokenCount.Value + 24 * (turn - 1));
            }
            if (turn == 1)
            {
                Assert.Equal(0, usage.CachedInputTokenCount);
                Assert.Equal(usage.InputTokenCount, evaluated);
            }
            else
            {
                // Only what the conversation grew by since the last answer: the end of that answer,
                // the question in its template, the assistant header (and the last answer token,
                // sampled but never decoded).
                var rendered = models.Chat.ApplyChatTemplate(messages.Select(m => new ChatTurn(m.Role.Value, m.Text)).ToArray());
                var lastAnswer = messages[^2].Text;
                var grown = models.Chat.Tokenize(rendered.AsSpan(rendered.LastIndexOf(lastAnswer, StringComparison.Ordinal) + lastAnswer.Length), addSpecial: false, parseSpecial: true).Length;
                Assert.InRange(evaluated!.Value, grown, grown + 1);
                Assert.True(grown < models.Chat.Tokenize(question, addSpecial: false).Length + 40, $"turn {turn}: {grown} new tokens");
                Assert.True(usage.CachedInputTokenCount > 40 * (turn - 1), $"turn {turn}: cached {usage.CachedInputTokenCount}");
            }
            messages.AddMessages(response);
        }
    }

    [Fact]
    public async Task Options_map_to_sampling_stop_sequences_and_seed()
    {
        using var chat = NewChat();
        var greedy = await chat.GetResponseAsync(Conversation("Say something."), new ChatOptions { MaxOutputTokens = 20 });
        var stop = greedy.Text.Substring(6, 3);
        var stopped = await chat.GetResponseAsync(Conversation("Say something."), new ChatOptions { MaxOutputTokens = 20, StopSequences = [stop] });
        Assert.Equal(greedy.Text[..greedy.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);

        var hot = new ChatOptions { MaxOutputTokens = 12, Temperature = 1.5f, TopP = 0.99f, TopK = 200, Seed = 7 };
        var a = await chat.GetResponseAsync(Conversation("Say something."), hot);
        var b = await chat.GetResponseAsync(Conversation("Say something."), hot);
        var c = await chat.GetResponseAsync(Conversation("Say something."), new ChatOptions { MaxOutputTokens = 12, Temperature = 1.5f, TopP = 0.99f, TopK = 200, Seed = 8 });
        Assert.Equal(a.Text, b.Text);
        Assert.NotEqual(a.Text, c.Text);
        Assert.NotEqual(greedy.Text[..Math.Min(greedy.Text.Length, a.Text.Length)], a.Text);

        var mapped = LlamaPrompts.Options(hot);
        Assert.Equal(1.5f, mapped.Sampling.Temperature);
        Assert.Equal(0.99f, mapped.Sampling.TopP);
        Assert.Equal(200, mapped.Sampling.TopK);
        Assert.Equal(7u, mapped.Sampling.Seed);
        Assert.Equal(12, mapped.MaxTokens);
    }

    [Fact]
    public async Task Cancellation_stops_streaming()
    {
        using var chat = NewChat();
        using var cts = new CancellationTokenSource();
        var n = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in chat.GetStreamingResponseAsync(Conversation("Go on and on."), new ChatOptions { MaxOutputTokens = 500 }, cts.Token))
            {
                if (++n == 3) await cts.CancelAsync();
            }
        });
        Assert.InRange(n, 3, 4);
        var after = await chat.GetResponseAsync(Conversation("Still there?"), new ChatOptions { MaxOutputTokens = 2 });
        Assert.NotNull(after.Text);
    }

    [Fact]
    public void Services_and_metadata_are_discoverable()
    {
        using var chat = NewChat();
        var meta = chat.GetService<ChatClientMetadata>();
        Assert.Equal("llama.cpp", meta!.ProviderName);
        Assert.Equal(Path.GetFileName(models.ChatPath), meta.DefaultModelId);
        Assert.NotNull(chat.GetService<LlamaModel>());
        Assert.Null(chat.GetService<ChatClientMetadata>("some key"));
    }

    [Fact]
    public async Task Batched_embeddings_equal_single_ones_and_are_unit_length()
    {
        using var model = LlamaModel.Load(models.EmbedPath);
        using IEmbeddingGenerator<string, Embedding<float>> generator = new LlamaEmbeddingGenerator(model, new EmbedderOptions { Threads = 2 });
        string[] texts = ["boats in the harbour", "a storm at sea", "the lighthouse keeper", "tax law in 1990"];
        var batch = await generator.GenerateAsync(texts);
        Assert.Equal(texts.Length, batch.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = await generator.GenerateVectorAsync(texts[i]);
            Assert.InRange(System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(single.Span, batch[i].Vector.Span), 0.9999f, 1.0001f);
            Assert.InRange(System.Numerics.Tensors.TensorPrimitives.Norm(batch[i].Vector.Span), 0.999f, 1.001f);
        }
        Assert.Equal(model.EmbeddingLength, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
    }

    [Fact]
    public void An_embedding_model_cannot_become_a_chat_client()
    {
        using var model = LlamaModel.Load(models.EmbedPath);
        var ex = Assert.ThrowsAny<InvalidInputException>(() => new LlamaChatClient(model));
        Assert.Contains("embedding model", ex.Message, StringComparison.Ordinal);
    }
}
