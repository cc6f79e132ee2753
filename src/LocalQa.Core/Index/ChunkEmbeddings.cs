namespace LocalQa.Core.Index;

/// <summary>Embedding vectors for the chunks passed to the same upsert, in chunk order.</summary>
/// <param name="ModelId">Lower-case hex SHA-256 of the embedding model file.</param>
/// <param name="Dimensions">Length of every vector.</param>
/// <param name="Vectors">One vector per chunk: <c>Vectors[i]</c> belongs to <c>chunks[i]</c>.</param>
internal sealed record ChunkEmbeddings(string ModelId, int Dimensions, IReadOnlyList<float[]> Vectors);
