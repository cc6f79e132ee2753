using System.Runtime.CompilerServices;
using LocalQa.Core.Ai;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Prompts;
using LocalQa.Core.Summarizing;
using LocalQa.Core.Tests.Summarizing;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Tests.Ai;

/// <summary>
/// Answering and summarizing reach the chat model only through Microsoft.Extensions.AI and LocalQa's
/// <see cref="IPromptBudget"/> / <see cref="IBatchChatClient"/>: a chat client of another kind (as a
/// server speaking the OpenAI API would be), given an estimated budget, answers with citations and
/// summarizes a long article by map and reduce, and what it is sent fits the context it declared.
/// </summary>
public sealed class ForeignChatClientTests(CoreModelsFixture models) : IClassFixture<CoreModelsFixture>
{
    private const string Question = "Which company did Meta acquire about 49% of?";
    private static PromptLibrary Prompts => IndexTestData.Prompts();

    private Task<LocalQaIndex> SeedIndexAsync() => IndexTestData.SeededIndexAsync(models.NewIndexPath());

    [Fact]
    public async Task A_foreign_chat_client_answers_with_citations_streamed_as_it_writes()
    {
        using var index = await SeedIndexAsync();
        var server = new ScriptedChatClient(_ => "Meta bought 49% of Scale AI [1].");
        using var chat = new PromptBudgetChatClient(server, contextTokens: 4096);
        var streamed = new List<string>();

        var result = await new Answerer(index, Prompts, chat).AskAsync(Question, new AskOptions { MaxTokens = 64 },
            piece => { streamed.Add(piece); return ValueTask.CompletedTask; });

        Assert.Equal(AnswerMode.Generative, result.Mode);
        Assert.Equal("Meta bought 49% of Scale AI [1].", result.Answer);
        Assert.Equal([1], result.Cited);
        Assert.True(streamed.Count > 1, "the answer arrives in pieces, as the client streams it");
        Assert.Equal(result.Answer, string.Concat(streamed));
        var prompt = Assert.Single(server.Requests);
        Assert.Contains(result.Sources[0].Text[..40], prompt[^1].Text, StringComparison.Ordinal);
        // The client reported no usage: the stream itself is timed, and no token counts are made up.
        Assert.Equal(0, result.Timings.PromptTokens);
        Assert.True(result.Timings.TtftMs > 0);
    }

    [Fact]
    public async Task What_is_sent_fits_the_context_the_client_declares()
    {
        using var index = await SeedIndexAsync();
        var options = new AskOptions { MaxTokens = 64, TopK = 8 };
        async Task<(int Sources, int Sent)> Ask(int context)
        {
            var server = new ScriptedChatClient(_ => "It was Scale AI [1].");
            using var chat = new PromptBudgetChatClient(server, context);
            var result = await new Answerer(index, Prompts, chat).AskAsync(Question, options);
            return (result.Sources.Count, chat.CountPromptTokens(Assert.Single(server.Requests)));
        }

        var small = await Ask(900);
        var large = await Ask(8192);
        Assert.True(small.Sent + options.MaxTokens <= 900, $"{small.Sent} prompt tokens sent to a 900-token context");
        Assert.True(small.Sources < large.Sources, $"{small.Sources} passages in 900 tokens, {large.Sources} in 8192");
    }

    [Fact]
    public async Task A_chat_client_that_cannot_count_its_tokens_is_refused_with_the_fix()
    {
        using var index = await SeedIndexAsync();
        var ex = Assert.Throws<ArgumentException>(() => new Answerer(index, Prompts, new ScriptedChatClient(_ => "")));
        Assert.Contains(nameof(PromptBudgetChatClient), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_article_is_mapped_as_concurrent_requests_within_the_budget_then_reduced()
    {
        var article = LongArticles.Voyage(400);
        var server = new ScriptedChatClient(messages => messages[^1].Text.Contains("Part 1:", StringComparison.Ordinal)
            ? "The voyage went north through storms.\n- storms\n- boats\n- extra"
            : "A part about the harbour.\n- a point", holdUntilConcurrent: 2);
        using var chat = new PromptBudgetChatClient(server, contextTokens: 1024);
        var summarizer = new Summarizer(Prompts, new ChatClientBatch(chat, concurrency: 3), null, new SummarizeOptions { MaxWords = 40, KeyPoints = 2, Related = 0 });
        var reports = new List<SummarizeProgress>();

        var result = (await summarizer.SummarizeAsync([article], new SyncReports(reports))).Single();

        Assert.Equal(AnswerMode.Generative, result.Mode);
        Assert.Equal("The voyage went north through storms.", result.Summary);
        Assert.Equal(["storms", "boats"], result.KeyPoints);
        Assert.True(summarizer.LastMapSequences > 3, $"{summarizer.LastMapSequences} map requests");
        Assert.InRange(summarizer.LastReduceSteps, 1, 3);
        Assert.Equal(summarizer.LastMapSequences + summarizer.LastReduceSteps, server.Requests.Count);
        Assert.True(server.PeakConcurrent >= 2, "map requests go out side by side");
        Assert.All(server.Requests, r => Assert.True(chat.CountPromptTokens(r) < 1024, $"{chat.CountPromptTokens(r)} tokens sent to a 1024-token context"));
        Assert.Contains(reports, p => p.MapDone == summarizer.LastMapSequences && p.MapTotal == summarizer.LastMapSequences);
    }

    [Fact]
    public async Task Long_winded_partial_summaries_are_cut_so_every_reduce_prompt_fits_and_the_reduce_ends()
    {
        // A model that ignores the word budget: every reply runs to 600 words, more than half a prompt's room.
        var rambling = string.Join(' ', Enumerable.Repeat("The boats left the harbour at dawn and the keeper wrote it down.", 50));
        var server = new ScriptedChatClient(_ => rambling);
        using var chat = new PromptBudgetChatClient(server, contextTokens: 1024);
        var summarizer = new Summarizer(Prompts, new ChatClientBatch(chat, concurrency: 2), null, new SummarizeOptions { MaxWords = 40, KeyPoints = 2, Related = 0 });

        var result = (await summarizer.SummarizeAsync([LongArticles.Voyage(400)])).Single();

        Assert.InRange(result.Words, 1, 40);
        Assert.True(summarizer.LastReduceSteps >= 2, $"{summarizer.LastReduceSteps} reduce steps");
        Assert.All(server.Requests, r => Assert.True(chat.CountPromptTokens(r) < 1024, $"{chat.CountPromptTokens(r)} tokens sent to a 1024-token context"));
    }

    [Fact]
    public async Task A_context_too_small_to_combine_parts_is_refused_before_any_part_is_summarized()
    {
        // Room for the answer and for a reduce prompt, but not for two parts in it: the article is split, then stuck.
        var options = new SummarizeOptions { MaxWords = 10, KeyPoints = 0, Related = 0 };
        // A title as long as a paragraph makes the reduce prompt long without touching the prompt files.
        var article = LongArticles.Voyage(60) with { Title = string.Join(' ', Enumerable.Repeat("A very long title of a voyage", 12)) };
        var server = new ScriptedChatClient(_ => "A part.");
        var reduceOverhead = new PromptBudgetChatClient(server, 1).CountPromptTokens([new ChatMessage(ChatRole.User, await Prompts.RenderAsync("summarize-reduce", new Dictionary<string, string>
        {
            ["title"] = article.Title, ["parts"] = "", ["max_words"] = "10", ["key_points"] = "0",
        }))]);
        var answerTokens = (int)(options.MaxWords * 1.6) + 32;
        var room = Math.Max(128, reduceOverhead + 40);
        Assert.True(room < reduceOverhead + 48, $"the reduce prompt ({reduceOverhead} tokens) is too short for this case");
        using var chat = new PromptBudgetChatClient(server, contextTokens: room + answerTokens + 16);
        var summarizer = new Summarizer(Prompts, new ChatClientBatch(chat), null, options);

        var ex = await Assert.ThrowsAsync<InvalidInputException>(() => summarizer.SummarizeAsync([article]));

        Assert.Contains("too small to combine", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    private sealed class SyncReports(List<SummarizeProgress> into) : IProgress<SummarizeProgress>
    {
        public void Report(SummarizeProgress value)
        {
            lock (into) into.Add(value);
        }
    }

    /// <summary>
    /// A chat client that is not llama.cpp: it replies with a script, word by word, reports no usage,
    /// and takes concurrent calls. With <paramref name="holdUntilConcurrent"/>, the first calls wait
    /// until that many are in flight, so concurrency shows without a race.
    /// </summary>
    private sealed class ScriptedChatClient(Func<IReadOnlyList<ChatMessage>, string> reply, int holdUntilConcurrent = 0) : IChatClient
    {
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;

        public List<IReadOnlyList<ChatMessage>> Requests { get; } = [];
        public int PeakConcurrent { get; private set; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var u in GetStreamingResponseAsync(messages, options, cancellationToken)) updates.Add(u);
            return updates.ToChatResponse();
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            lock (_lock)
            {
                Requests.Add(list);
                PeakConcurrent = Math.Max(PeakConcurrent, ++_inFlight);
                if (_inFlight >= holdUntilConcurrent) _enough.TrySetResult();
            }
            try
            {
                if (holdUntilConcurrent > 0)
                {
                    // Released by the call that makes enough in flight, on a machine of any speed.
                    // The guard only keeps a client that never calls concurrently from hanging the
                    // test: it then fails on PeakConcurrent.
                    try
                    {
                        await _enough.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
                    }
                    catch (TimeoutException)
                    {
                    }
                }
                await Task.Yield();
                foreach (var piece in System.Text.RegularExpressions.Regex.Split(reply(list), @"(?<=\s)"))
                {
                    if (piece.Length > 0) yield return new ChatResponseUpdate(ChatRole.Assistant, piece);
                }
            }
            finally
            {
                lock (_lock) _inFlight--;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose() { }
    }
}
