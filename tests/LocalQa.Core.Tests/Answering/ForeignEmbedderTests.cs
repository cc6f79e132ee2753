using LocalQa.Core.Answering;
using LocalQa.Core.Chunking;
using LocalQa.Core.Index;
using LocalQa.Core.Ingest;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Tests.Answering;

/// <summary>
/// Answering reaches embeddings through Microsoft.Extensions.AI's abstraction: an embedding generator
/// of another kind (as a server would be) embeds the question for dense retrieval over the vectors it
/// made at ingest.
/// </summary>
public sealed class ForeignEmbedderTests(CoreModelsFixture models) : IClassFixture<CoreModelsFixture>
{
    [Fact]
    public async Task The_question_is_embedded_by_the_generator_the_library_was_ingested_with()
    {
        using var index = LocalQaIndex.Open(models.NewIndexPath());
        using var generator = new LetterCountGenerator();
        await new Ingestor(index, new Chunker(), generator, "letters").IngestAsync([TestPaths.SeedsFolder]);
        var answerer = new Answerer(index, IndexTestData.Prompts(), embedder: generator, embedModelId: "letters");

        const string question = "Which company did Meta acquire about 49% of?";
        var passages = await answerer.RetrieveAsync(question, new AskOptions());

        Assert.NotEmpty(passages);
        Assert.Contains(question, generator.Seen);
    }

    /// <summary>A deterministic stand-in: a text's vector is its letter counts.</summary>
    private sealed class LetterCountGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<string> Seen { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (var text in values)
            {
                Seen.Add(text);
                var vector = new float[26];
                foreach (var c in text.ToLowerInvariant())
                {
                    if (c is >= 'a' and <= 'z') vector[c - 'a']++;
                }

                result.Add(new Embedding<float>(vector));
            }

            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }
}
