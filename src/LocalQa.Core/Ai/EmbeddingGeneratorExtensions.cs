using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Ai;

/// <summary>What ingest and retrieval need from any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: plain vectors.</summary>
internal static class EmbeddingGeneratorExtensions
{
    /// <summary>
    /// One vector per text, in order, from one call to the generator (LocalQa's runs the call as
    /// parallel sequences of one decode).
    /// </summary>
    public static async Task<float[][]> EmbedAsync(this IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var generated = await generator.GenerateAsync(texts, null, cancellationToken).ConfigureAwait(false);
        if (generated.Count != texts.Count)
            throw new InvalidOperationException($"The embedding generator returned {generated.Count} vectors for {texts.Count} texts.");
        var vectors = new float[generated.Count][];
        for (var i = 0; i < vectors.Length; i++)
        {
            var vector = generated[i].Vector;
            // The array behind the embedding when it is exactly that array (LocalQa's is): no copy.
            vectors[i] = MemoryMarshal.TryGetArray(vector, out var array) && array.Offset == 0 && array.Count == array.Array!.Length
                ? array.Array
                : vector.ToArray();
            if (vectors[i].Length != vectors[0].Length)
                throw new InvalidOperationException($"The embedding generator returned vectors of {vectors[0].Length} and {vectors[i].Length} dimensions.");
        }

        return vectors;
    }
}
