using LocalQa.Core.Ai;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Prompts;
using LocalQa.Core.Summarizing;
using LocalQa.Llama;

namespace LocalQa.Core.Tests.Summarizing;

public sealed class MapReduceTests(CoreModelsFixture models) : IClassFixture<CoreModelsFixture>
{
    private static PromptLibrary Prompts => IndexTestData.Prompts();

    [Fact]
    public async Task A_20k_token_article_is_mapped_in_parallel_sequences_then_reduced_within_budget()
    {
        var doc = LongArticles.Voyage(550);
        var tokens = models.Chat.Tokenize(doc.Text).Length;
        Assert.InRange(tokens, 15_000, 40_000);
        using var engine = new LlamaBatchChatClient(models.Chat, new BatchChatOptions { Parallel = 4, SequenceContext = 2048, Threads = 2 });
        var summarizer = new Summarizer(Prompts, engine, null, new SummarizeOptions { MaxWords = 30, KeyPoints = 2, Related = 0 });
        var result = (await summarizer.SummarizeAsync([doc])).Single();

        Assert.Equal(AnswerMode.Generative, result.Mode);
        // Each map prompt holds at most a sequence's room of article text: at least tokens/room sequences,
        // and not wastefully many more.
        var room = 2048 - 200;
        Assert.InRange(summarizer.LastMapSequences, tokens / room, tokens / room * 2 + 2);
        Assert.InRange(summarizer.LastReduceSteps, 1, 3);
        Assert.True(result.Words <= 30, $"{result.Words} words");
        Assert.True(result.KeyPoints.Count <= 2);
    }

    [Fact]
    public async Task The_batched_map_gives_exactly_the_greedy_outputs_of_a_sequential_map()
    {
        var doc = LongArticles.Voyage(200);
        async Task<string> RunAsync(int parallel)
        {
            using var engine = new LlamaBatchChatClient(models.Chat, new BatchChatOptions
            {
                Parallel = parallel, SequenceContext = 1024, Threads = 2, FlashAttention = LocalQa.Llama.FlashAttention.Off, KvCache = LocalQa.Llama.KvCacheType.F32,
            });
            var summarizer = new Summarizer(Prompts, engine, null, new SummarizeOptions { MaxWords = 25, KeyPoints = 1, Related = 0 });
            var r = (await summarizer.SummarizeAsync([doc])).Single();
            Assert.True(summarizer.LastMapSequences > parallel, "more chunks than slots: slots are refilled");
            return r.Summary + "|" + string.Join("|", r.KeyPoints);
        }
        Assert.Equal(await RunAsync(1), await RunAsync(4));
    }

    [Fact]
    public async Task A_short_article_is_summarized_in_one_pass()
    {
        var doc = DocumentLoader.LoadText("A short note\n\nThe harbour has forty boats. The lighthouse keeper counts them every night.", "note.txt").Document!;
        using var engine = new LlamaBatchChatClient(models.Chat, new BatchChatOptions { Threads = 2 });
        var summarizer = new Summarizer(Prompts, engine, null, new SummarizeOptions { MaxWords = 20, Related = 0 });
        var r = (await summarizer.SummarizeAsync([doc])).Single();
        Assert.Equal(0, summarizer.LastMapSequences);
        Assert.Equal(0, summarizer.LastReduceSteps);
        Assert.True(r.Words <= 20);
    }

    [Fact]
    public void Output_parsing_splits_prose_from_key_points_and_keeps_the_word_budget()
    {
        var (summary, points) = Summarizer.ParseOutput("Summary: One two three four five six. Seven eight nine ten.\n- first point\n- second point\n- third", 8, 2);
        Assert.Equal("One two three four five six.", summary);
        Assert.Equal(["first point", "second point"], points);
    }
}
