using LocalQa.Core.Gguf;
using LocalQa.Testing;
using Xunit;

namespace LocalQa.Llama.Tests.Gguf;

public sealed class SyntheticModelTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Vocabulary_has_specials_then_all_256_bytes_then_unique_pieces()
    {
        var v = SyntheticVocabulary.Create(null);
        Assert.Equal(["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"], v.Tokens.Take(5));
        Assert.Equal([2, 3, 3, 3, 3], v.TokenTypes.Take(5));
        for (var b = 0; b < 256; b++)
        {
            Assert.Equal($"<0x{b:X2}>", v.Tokens[5 + b]);
            Assert.Equal(6, v.TokenTypes[5 + b]);
        }
        Assert.Equal(v.Count, v.Tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.InRange(v.Count, 261 + 300, 261 + 2000);
        Assert.Contains("▁the", v.Tokens);
        Assert.Contains("▁The", v.Tokens);
        Assert.Contains("ing", v.Tokens);
        Assert.All(v.TokenTypes.Skip(261), t => Assert.Equal(1, t));
    }

    [Fact]
    public void Every_piece_is_reachable_by_merging_and_longer_pieces_score_higher()
    {
        var v = SyntheticVocabulary.Create(3000);
        Assert.Equal(3000, v.Count);
        var tokens = new HashSet<string>(v.Tokens, StringComparer.Ordinal);
        var maxScoreByLength = new Dictionary<int, float>();
        var minScoreByLength = new Dictionary<int, float>();
        for (var i = 261; i < v.Count; i++)
        {
            var piece = v.Tokens[i];
            // llama.cpp merges adjacent symbols whose concatenation is a token, so a piece is
            // reachable when its prefix one character shorter is a token.
            if (piece.Length > 1)
            {
                Assert.Contains(piece[..^1], tokens);
            }
            var score = v.Scores[i];
            maxScoreByLength[piece.Length] = Math.Max(maxScoreByLength.GetValueOrDefault(piece.Length, float.MinValue), score);
            minScoreByLength[piece.Length] = Math.Min(minScoreByLength.GetValueOrDefault(piece.Length, float.MaxValue), score);
        }
        foreach (var length in minScoreByLength.Keys.Where(l => maxScoreByLength.ContainsKey(l - 1)))
        {
            Assert.True(minScoreByLength[length] > maxScoreByLength[length - 1], $"pieces of {length} chars must outscore pieces of {length - 1}");
        }
    }

    [Fact]
    public void Vocabulary_smaller_than_the_built_in_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticVocabulary.Create(100));
    }

    [Fact]
    public void Shaped_model_with_tied_embeddings_has_no_output_tensor_and_a_padded_vocabulary()
    {
        var shape = ModelShape.Tiny with { Name = "tied", VocabSize = 2000, TiedEmbeddings = true, RopeFreqBase = 500000f, ContextLength = 4096 };
        var path = _folder.File("tied.gguf");
        SyntheticModel.WriteShaped(path, shape, GgufTensorType.Q4_0, seed: 3);
        var file = GgufReader.Read(path);

        Assert.Equal("tied", file.Name);
        Assert.Equal(2000, file.VocabSize);
        Assert.Equal(2000, file.GetInt64("llama.vocab_size"));
        Assert.Equal(4096, file.ContextLength);
        Assert.Equal(500000.0, file.GetValue("llama.rope.freq_base")!.AsDouble());
        Assert.DoesNotContain(file.Tensors, t => t.Name == "output.weight");
        // token_embd doubles as the output projection, so it keeps the output's precision.
        Assert.Equal(GgufTensorType.Q8_0, file.Tensors.Single(t => t.Name == "token_embd.weight").Type);
        Assert.Equal(GgufTensorType.Q4_0, file.Tensors.Single(t => t.Name == "blk.0.ffn_up.weight").Type);
        Assert.Equal(SyntheticModel.ChatMlTemplate, file.ChatTemplate);
        Assert.Equal("MOSTLY_Q4_0", file.FileType);
    }

    [Fact]
    public void Presets_have_the_shapes_of_the_real_models()
    {
        var t = ModelShape.TinyLlama1_1B;
        Assert.Equal((2048, 22, 5632, 32, 4, 32000, 2048, false), (t.EmbeddingLength, t.BlockCount, t.FeedForwardLength, t.HeadCount, t.HeadCountKv, t.VocabSize, t.ContextLength, t.TiedEmbeddings));
        var l = ModelShape.Llama32_1B;
        Assert.Equal((2048, 16, 8192, 32, 8, 128256, true), (l.EmbeddingLength, l.BlockCount, l.FeedForwardLength, l.HeadCount, l.HeadCountKv, l.VocabSize, l.TiedEmbeddings));
        var tiny = ModelShape.Tiny;
        Assert.Equal((64, 2, 128, 4, 2, 2048), (tiny.EmbeddingLength, tiny.BlockCount, tiny.FeedForwardLength, tiny.HeadCount, tiny.HeadCountKv, tiny.ContextLength));
    }

    [Fact]
    public void Impossible_shapes_are_refused_before_writing()
    {
        var path = _folder.File("bad.gguf");
        Assert.Throws<ArgumentException>(() => SyntheticModel.WriteShaped(path, ModelShape.Tiny with { HeadCountKv = 3 }, GgufTensorType.F32, 1));
        Assert.Throws<ArgumentException>(() => SyntheticModel.WriteShaped(path, ModelShape.Tiny with { EmbeddingLength = 48, HeadCount = 4 }, GgufTensorType.Q4_0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticModel.WriteShaped(path, ModelShape.Tiny, GgufTensorType.Q4_K, 1));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Weights_are_finite_small_and_not_all_alike()
    {
        var path = _folder.File("w.gguf");
        SyntheticModel.WriteTiny(path);
        var file = GgufReader.Read(path);
        var bytes = File.ReadAllBytes(path);
        foreach (var t in file.Tensors)
        {
            var values = new float[t.ElementCount];
            GgufQuantization.Decode(t.Type, bytes.AsSpan((int)t.FilePosition, (int)t.ByteSize), values);
            Assert.All(values, v => Assert.True(float.IsFinite(v) && Math.Abs(v) <= 1));
            if (t.Name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                Assert.All(values, v => Assert.Equal(1f, v));
            }
            else
            {
                Assert.True(values.Distinct().Count() > values.Length / 2, t.Name);
                var mean = values.Average();
                Assert.InRange(mean, -0.05, 0.05);
            }
        }
    }
}
