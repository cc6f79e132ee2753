using System.Numerics.Tensors;
using LocalQa.Core.Bench;
using LocalQa.Llama;
using LocalQa.Llama.Gguf;

namespace LocalQa.Core.Tests.Bench;

public sealed class SyntheticEmbeddingModelTests
{
    [Fact]
    public void A_llama_model_rewritten_as_llama_embed_loads_without_its_head_and_embeds()
    {
        var dir = Directory.CreateTempSubdirectory("localqa-embed-arch-").FullName;
        try
        {
            var llama = Path.Combine(dir, "llama.gguf");
            var embed = Path.Combine(dir, "embed.gguf");
            SyntheticModel.WriteTiny(llama, TinyModelOptions.Embedding);

            SyntheticModels.WriteAsEmbeddingArchitecture(llama, embed);

            var file = GgufReader.Read(embed);
            Assert.Equal("llama-embed", file.Architecture);
            Assert.DoesNotContain(file.Tensors, t => t.Name == "output.weight");
            Assert.Equal(GgufReader.Read(llama).Tensors.Count - 1, file.Tensors.Count);
            Assert.False((bool)file.GetValue("llama-embed.attention.causal")!.Value);
            Assert.Equal(GgufPoolingType.Mean, file.PoolingType);

            using var model = LlamaModel.Load(embed);
            Assert.True(model.IsEmbeddingModel);
            using var embedder = new LlamaEmbedder(model, new EmbedderOptions { Threads = 1 });
            var vectors = embedder.Embed(["the river city", "a school of music", "the river city"]);

            Assert.All(vectors, v => Assert.Equal(1f, TensorPrimitives.Norm(v), 3));
            Assert.Equal(vectors[0], vectors[2]);
            Assert.NotEqual(vectors[0], vectors[1]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Only_llama_models_are_rewritten()
    {
        var dir = Directory.CreateTempSubdirectory("localqa-embed-arch-").FullName;
        try
        {
            var llama = Path.Combine(dir, "llama.gguf");
            var embed = Path.Combine(dir, "embed.gguf");
            SyntheticModel.WriteTiny(llama, TinyModelOptions.Embedding);
            SyntheticModels.WriteAsEmbeddingArchitecture(llama, embed);

            Assert.Throws<ArgumentException>(() => SyntheticModels.WriteAsEmbeddingArchitecture(embed, Path.Combine(dir, "again.gguf")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
