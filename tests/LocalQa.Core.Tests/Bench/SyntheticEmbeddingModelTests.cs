using System.Numerics.Tensors;
using LocalQa.Bench;
using LocalQa.Core.Gguf;
using LocalQa.Llama;
using LocalQa.Testing;

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
    public void The_bge_small_bench_model_is_a_bert_of_the_real_models_shape_and_size_and_the_embedding_bench_runs_it()
    {
        var dir = Directory.CreateTempSubdirectory("localqa-embed-bert-").FullName;
        try
        {
            var path = Path.Combine(dir, "bge-small.gguf");
            SyntheticModel.WriteBert(path, BertModelShape.BgeSmallEnV15, GgufTensorType.Q8_0, seed: 1);

            // The catalog's bge-small-en-v1.5-q8_0.gguf is 36,806,944 bytes: same tensors, other metadata.
            Assert.InRange(new FileInfo(path).Length, 36_000_000, 37_500_000);
            using var model = LlamaModel.Load(path);
            Assert.Equal(("bert", 384, 12, 12, 512, 30522), (model.Architecture, model.EmbeddingLength, model.LayerCount, model.HeadCount, model.TrainingContextLength, model.VocabSize));
            Assert.InRange(model.ParameterCount, 33_000_000, 33_800_000); // bge-small-en-v1.5 has 33.4M
            Assert.True(model.IsEmbeddingModel);

            using var embedder = new LlamaEmbedder(model, new EmbedderOptions { Threads = 2 });
            var texts = EmbeddingBench.MakeTexts(model, new SyntheticCorpus(), count: 4, tokens: 32);
            var result = EmbeddingBench.Run(embedder, texts, repeat: 1);
            Assert.Equal(384, result.Dimensions);
            Assert.Equal(1, result.BatchedDecodeCalls);
            Assert.InRange(result.TokensPerText, 24, 34); // 32 or a few fewer, plus CLS and SEP
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
