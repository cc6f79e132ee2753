using System.Numerics.Tensors;
using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Llama.Tests.Gguf;

/// <summary>The tiny generated BERT, written and loaded once for the tests that only read it.</summary>
public sealed class TinyBertFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public TinyBertFixture()
    {
        Path = _folder.File("tiny-bert.gguf");
        SyntheticModel.WriteBert(Path, BertModelShape.Tiny, GgufTensorType.F32, seed: 5);
        Model = LlamaModel.Load(Path);
    }

    public string Path { get; }

    public LlamaModel Model { get; }

    public void Dispose()
    {
        Model.Dispose();
        _folder.Dispose();
    }
}

public sealed class SyntheticBertModelTests(TinyBertFixture fixture) : IClassFixture<TinyBertFixture>, IDisposable
{
    private readonly LlamaModel _model = fixture.Model;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static int Id(string token) => WordPieceVocabulary.Create(null).Tokens.ToList().IndexOf(token);

    [Fact]
    public void Loads_through_llama_cpp_as_a_bert_embedding_model_with_its_trained_context()
    {
        Assert.Equal("bert", _model.Architecture);
        Assert.True(_model.IsEmbeddingModel);
        Assert.Equal(128, _model.TrainingContextLength);
        Assert.Equal((64, 2, 4, 4), (_model.EmbeddingLength, _model.LayerCount, _model.HeadCount, _model.HeadCountKv));
        Assert.Equal(WordPieceVocabulary.Create(null).Count, _model.VocabSize);
        Assert.Equal(WordPieceVocabulary.ClsId, _model.BosToken);
    }

    [Fact]
    public void Hello_world_is_cls_then_one_piece_per_word_then_sep()
    {
        int[] expected = [WordPieceVocabulary.ClsId, Id("▁hello"), Id("▁world"), WordPieceVocabulary.SepId];
        Assert.DoesNotContain(-1, expected);
        Assert.Equal(expected, _model.Tokenize("hello world"));
        // Uncased, as bge-small's tokenizer is: llama.cpp lowercases before matching.
        Assert.Equal(expected, _model.Tokenize("Hello World"));
    }

    [Fact]
    public void A_word_missing_from_the_vocabulary_is_a_word_start_then_continuation_pieces()
    {
        Assert.Equal([Id("▁think"), Id("ing")], _model.Tokenize("thinking", addSpecial: false));
        Assert.Equal([Id("▁think"), Id("▁."), Id("▁,")], _model.Tokenize("think.,", addSpecial: false));
        // Any lowercase word tokenizes without [UNK]: every letter is a word start and a continuation.
        Assert.Equal([Id("▁z"), Id("q"), Id("x")], _model.Tokenize("zqx", addSpecial: false));
        Assert.Equal([WordPieceVocabulary.UnknownId], _model.Tokenize("日", addSpecial: false));
    }

    [Fact]
    public void Texts_embedded_in_one_batch_equal_each_text_embedded_alone()
    {
        // Lengths differ, so each sequence must attend only to its own tokens for this to hold.
        string[] texts =
        [
            "the river city",
            "a school of music and science",
            "hello world",
            "once upon a time there was a little house near the water, and the children played there every day",
            "Question: what is the answer?",
            "the river city",
        ];
        using var embedder = new LlamaEmbedder(_model, new EmbedderOptions { MaxSequences = 8, Threads = 2 });
        var batched = embedder.Embed(texts);

        Assert.Equal(1, embedder.DecodeCalls);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = embedder.Embed([texts[i]])[0];
            Assert.Equal(64, alone.Length);
            Assert.InRange(TensorPrimitives.Norm(batched[i]), 0.999f, 1.001f);
            Assert.True(TensorPrimitives.CosineSimilarity(alone, batched[i]) > 1 - 1e-4f, $"text {i}");
        }
        Assert.True(TensorPrimitives.CosineSimilarity(batched[0], batched[5]) > 1 - 1e-4f);
        for (var i = 1; i < 5; i++)
        {
            Assert.True(TensorPrimitives.CosineSimilarity(batched[0], batched[i]) < 0.9999f, $"text {i} embeds like text 0");
        }
    }

    [Theory]
    [InlineData(2048, 128)] // the trained context is the limit
    [InlineData(64, 64)]    // the batch is
    public void A_text_longer_than_the_limit_is_cut_before_decoding_and_keeps_its_closing_sep(int batchTokens, int limit)
    {
        // Each of these words is one token, so n words are n + 2 tokens with CLS and SEP.
        string[] words = ["river", "city", "music", "water", "house", "school"];
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(i => words[i % words.Length]));
        Assert.Equal(302, _model.Tokenize(Words(300)).Length);

        using var embedder = new LlamaEmbedder(_model, new EmbedderOptions { BatchTokens = batchTokens, Threads = 2 });
        var vectors = embedder.Embed([Words(300), Words(limit - 2), Words(limit - 3)]);

        // BERT has a learned position per trained position, and llama.cpp aborts the process on a
        // position past them: this returning at all is the first half of the test.
        Assert.True(TensorPrimitives.CosineSimilarity(vectors[0], vectors[1]) > 1 - 1e-4f, "the cut text is the words that fit, closed by SEP");
        Assert.True(TensorPrimitives.CosineSimilarity(vectors[0], vectors[2]) < 0.9999f);
    }

    [Fact]
    public void A_context_longer_than_the_trained_one_is_refused_before_llama_cpp_sees_it()
    {
        var e = Assert.Throws<ContextSizeException>(() => LlamaContext.Create(_model, new LlamaContextOptions { ContextSize = 256, Embeddings = true, Threads = 1 }));
        Assert.Contains("128", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_has_the_keys_and_tensors_llama_cpp_reads_for_bert()
    {
        var file = GgufReader.Read(fixture.Path);
        Assert.Equal("bert", file.Architecture);
        Assert.Equal("bert", file.GetString("tokenizer.ggml.model"));
        Assert.False((bool)file.GetValue("bert.attention.causal")!.Value);
        Assert.Equal(1e-12f, (float)file.GetValue("bert.attention.layer_norm_epsilon")!.Value);
        Assert.Equal(GgufPoolingType.Mean, file.PoolingType);
        Assert.Equal(2, file.GetInt64("tokenizer.ggml.token_type_count"));
        Assert.Equal(WordPieceVocabulary.SepId, file.GetInt64("tokenizer.ggml.seperator_token_id"));
        Assert.Equal(GgufValueType.Int32, file.GetValue("tokenizer.ggml.token_type")!.ElementType);
        Assert.Equal(GgufValueType.Float32, file.GetValue("tokenizer.ggml.scores")!.ElementType);

        var byName = file.Tensors.ToDictionary(t => t.Name);
        Assert.Equal([64L, WordPieceVocabulary.Create(null).Count], byName["token_embd.weight"].Dimensions);
        Assert.Equal([64L, 2], byName["token_types.weight"].Dimensions);
        Assert.Equal([64L, 128], byName["position_embd.weight"].Dimensions);
        Assert.Equal([64L, 128], byName["blk.1.ffn_up.weight"].Dimensions);
        Assert.Equal([128L], byName["blk.1.ffn_up.bias"].Dimensions);
        Assert.Equal([128L, 64], byName["blk.1.ffn_down.weight"].Dimensions);
        Assert.Equal(5 + (2 * 16), file.Tensors.Count);
    }

    [Fact]
    public void Quantized_file_keeps_norms_biases_positions_and_token_types_f32_and_token_embd_at_q8_0_under_q4_0()
    {
        var path = _folder.File("q4.gguf");
        SyntheticModel.WriteBert(path, BertModelShape.Tiny, GgufTensorType.Q4_0, seed: 1);
        var file = GgufReader.Read(path);
        foreach (var t in file.Tensors)
        {
            var expected = t.Name switch
            {
                "token_embd.weight" => GgufTensorType.Q8_0,
                "position_embd.weight" or "token_types.weight" => GgufTensorType.F32,
                _ when t.Dimensions.Count == 1 => GgufTensorType.F32,
                _ => GgufTensorType.Q4_0,
            };
            Assert.True(expected == t.Type, $"{t.Name} is {t.Type}, not {expected}");
        }
        Assert.Equal("MOSTLY_Q4_0", file.FileType);
        using var model = LlamaModel.Load(path);
        using var embedder = new LlamaEmbedder(model, new EmbedderOptions { Threads = 2 });
        Assert.All(embedder.Embed(["hello world"])[0], v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Same_arguments_write_byte_identical_files_and_another_seed_does_not()
    {
        var a = _folder.File("a.gguf");
        var b = _folder.File("b.gguf");
        var c = _folder.File("c.gguf");
        SyntheticModel.WriteBert(a, BertModelShape.Tiny, GgufTensorType.Q8_0, seed: 9);
        SyntheticModel.WriteBert(b, BertModelShape.Tiny, GgufTensorType.Q8_0, seed: 9);
        SyntheticModel.WriteBert(c, BertModelShape.Tiny, GgufTensorType.Q8_0, seed: 10);

        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(c));
    }

    [Fact]
    public void WordPiece_vocabulary_has_specials_first_no_byte_tokens_and_no_duplicates()
    {
        var v = WordPieceVocabulary.Create(30522);
        Assert.Equal(30522, v.Count);
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], v.Tokens.Take(5));
        Assert.All(v.TokenTypes.Take(5), t => Assert.Equal(3, t));
        Assert.All(v.TokenTypes.Skip(5), t => Assert.Equal(1, t));
        Assert.Equal(v.Count, v.Tokens.Distinct(StringComparer.Ordinal).Count());
        // Converted spelling: no "##", and the tokenizer lowercases, so an upper-case piece is dead weight.
        Assert.DoesNotContain(v.Tokens.Skip(5), t => t.StartsWith("##", StringComparison.Ordinal) || t.Any(char.IsUpper));
        foreach (var c in "abcdefghijklmnopqrstuvwxyz0123456789")
        {
            Assert.Contains("▁" + c, v.Tokens);
            Assert.Contains(c.ToString(), v.Tokens);
        }
    }

    [Fact]
    public void Bge_small_preset_has_the_real_models_shape()
    {
        var s = BertModelShape.BgeSmallEnV15;
        Assert.Equal((384, 12, 1536, 12, 30522, 512, GgufPoolingType.Cls), (s.EmbeddingLength, s.BlockCount, s.FeedForwardLength, s.HeadCount, s.VocabSize, s.ContextLength, s.Pooling));
        Assert.Equal((1e-12f, 2), (s.LayerNormEpsilon, s.TokenTypeCount));
    }

    [Fact]
    public void Impossible_bert_shapes_are_refused_before_writing()
    {
        var path = _folder.File("bad.gguf");
        Assert.Throws<ArgumentException>(() => SyntheticModel.WriteBert(path, BertModelShape.Tiny with { HeadCount = 5 }, GgufTensorType.F32, 1));
        Assert.Throws<ArgumentException>(() => SyntheticModel.WriteBert(path, BertModelShape.Tiny with { EmbeddingLength = 48, HeadCount = 4 }, GgufTensorType.Q8_0, 1));
        Assert.Throws<ArgumentException>(() => SyntheticModel.WriteBert(path, BertModelShape.Tiny with { Pooling = GgufPoolingType.None }, GgufTensorType.F32, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticModel.WriteBert(path, BertModelShape.Tiny with { VocabSize = 50 }, GgufTensorType.F32, 1));
        Assert.False(File.Exists(path));
    }
}
