using LocalQa.Core.Ai;
using LocalQa.Core.Chunking;
using LocalQa.Core.Gguf;
using LocalQa.Core.Tokenization;
using LocalQa.Hosting;
using LocalQa.Llama;
using LocalQa.Testing;

namespace LocalQa.Core.Tests.Tokenization;

public sealed class GgufTokenizerTests(TokenizerPairsFixture pairs) : IClassFixture<TokenizerPairsFixture>
{
    [Theory]
    [InlineData("stories260K")]
    [InlineData("llama-2-tiny-random")]
    [InlineData("bpe-llama-bpe")]
    [InlineData("bpe-qwen2")]
    [InlineData("bert")]
    public void CountTokens_allocates_nothing_once_warm(string vocabulary)
    {
        var (managed, _) = pairs.Get(vocabulary);
        const string text = "The keeper counted forty boats in the harbour at dusk, and the tide turned at nine. Naïve café, 1234.";
        managed.CountTokens(text);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = 0;
        for (var i = 0; i < 100; i++) total += managed.CountTokens(text);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(total > 0);
    }

    [Fact]
    public void A_pre_tokenizer_it_does_not_reproduce_is_left_to_llama_cpp_and_inspect_says_why()
    {
        var path = Path.Combine(pairs.Paths["bert"] + ".deepseek.gguf");
        TestVocabularies.WriteBpe(path, "deepseek-coder", merges: 20);
        var file = GgufReader.Read(path);

        Assert.Null(GgufTokenizer.TryCreate(file, out var whyNot));
        var described = GgufTokenizer.Inspect(file);

        Assert.False(described.Managed);
        Assert.Contains("deepseek-coder", whyNot, StringComparison.Ordinal);
        Assert.Contains("native (llama.cpp): its BPE pre-tokenizer 'deepseek-coder'", described.ToString(), StringComparison.Ordinal);
        using var native = LlamaModel.Load(path, new LlamaModelOptions { VocabOnly = true });
        Assert.IsType<ModelTokenCounter>(ModelTokenCounter.For(native));
    }

    [Fact]
    public void A_model_the_managed_tokenizer_reproduces_counts_in_managed_code()
    {
        var (_, native) = pairs.Get("bert");
        var counter = ModelTokenCounter.For(native);
        Assert.IsType<GgufTokenizer>(counter);
        Assert.Same(counter, ModelTokenCounter.For(native));
        Assert.Equal(2, ((GgufTokenizer)counter).SpecialTokenCount); // [CLS] and [SEP]
    }

    [Fact]
    public void Chunks_fit_the_embedding_models_trained_context_with_its_special_tokens()
    {
        var (_, native) = pairs.Get("bert"); // trained on 128 tokens
        var counter = ModelTokenCounter.For(native);
        var options = LocalQaLibrary.ChunkingFor(native, counter, batchTokens: 2048);
        Assert.Equal(126, options.MaxTokens);

        var text = string.Join(' ', Enumerable.Repeat("the keeper counted forty boats in the harbour at dusk.", 200));
        var chunks = new Chunker(counter, options).Split(new LocalQa.Core.Documents.Document("t.txt", "t", text, "", text.Length, DateTimeOffset.UnixEpoch));
        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.True(native.Tokenize(c.Text, addSpecial: true).Length <= native.TrainingContextLength));
    }
}
