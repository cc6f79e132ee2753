using LocalQa.Core.Gguf;
using LocalQa.Testing;
using Xunit;

namespace LocalQa.Llama.Tests.Gguf;

/// <summary>The reader agrees with ../shared/models/README.md about the two real test models.</summary>
public sealed class GgufSharedModelTests
{
    private static string Require(string name)
    {
        var path = TestPaths.SharedModel(name);
        if (path is null)
        {
            Assert.Skip($"Shared test model absent: ../shared/models/{name}");
        }
        return path;
    }

    [Fact]
    public void Stories260K_matches_its_readme()
    {
        var file = GgufReader.Read(Require("stories260K.gguf"));
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(292_800, file.ParameterCount);
        Assert.Equal(5, file.BlockCount);
        Assert.Equal(64, file.EmbeddingLength);
        Assert.Equal(512, file.VocabSize);
        Assert.Equal("llama", file.GetString("tokenizer.ggml.model"));
        Assert.Equal(GgufTensorType.F32, file.PredominantTensorType);
        Assert.All(file.Tensors, t => Assert.Equal(GgufTensorType.F32, t.Type));
        Assert.Null(file.ChatTemplate);
        Assert.Null(file.FileType);
        Assert.Equal("ALL_F32 (guessed)", (string?)file.Describe()["file_type"]);
        Assert.Equal(5 * 9 + 3, file.Tensors.Count);
        Assert.True(file.Tensors.Max(t => t.FilePosition + t.ByteSize) <= file.FileLength);
    }

    [Fact]
    public void Llama2_tiny_random_matches_its_readme()
    {
        var file = GgufReader.Read(Require("llama-2-tiny-random.gguf"));
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(1, file.BlockCount);
        Assert.Equal(8, file.EmbeddingLength);
        Assert.Equal(32_000, file.VocabSize);
        Assert.Equal("MOSTLY_F16", file.FileType);
        Assert.Equal(GgufTensorType.F16, file.PredominantTensorType);
        Assert.Null(file.ChatTemplate);
        var tokens = file.GetValue("tokenizer.ggml.tokens")!.AsArray<string>();
        Assert.Equal("<0x0A>", tokens[13]);
        Assert.Equal("▁the", tokens[278]);
        var embd = file.Tensors.Single(t => t.Name == "token_embd.weight");
        Assert.Equal([8L, 32_000L], embd.Dimensions);
        Assert.Equal(8 * 32_000 * 2, embd.ByteSize);
    }
}
