namespace LocalQa.Core.Index;

/// <summary>Embedding vectors for the chunks passed to the same upsert, in chunk order.</summary>
/// <param name="ModelId">Lower-case hex SHA-256 of the embedding model file.</param>
/// <param name="Dimensions">Length of every vector.</param>
/// <param name="Vectors">One vector per chunk: <c>Vectors[i]</c> belongs to <c>chunks[i]</c>.</param>
public sealed record ChunkEmbeddings(string ModelId, int Dimensions, IReadOnlyList<float[]> Vectors);

/// <summary>What an upsert wrote.</summary>
/// <param name="DocumentId">Row id of the document; stable across replacements of the same path.</param>
/// <param name="ChunkIds">Row ids of the new chunks, in ordinal order.</param>
/// <param name="DuplicateGroup">The near-duplicate group: the smallest document id of the group, or the document's own id.</param>
public sealed record UpsertResult(long DocumentId, IReadOnlyList<long> ChunkIds, long DuplicateGroup);

/// <summary>A document row as stored.</summary>
/// <param name="DuplicateGroup">Documents with the same value are copies of one story.</param>
public sealed record IndexedDocument(
    long Id,
    string Path,
    string Title,
    string ContentHash,
    long SizeBytes,
    DateTimeOffset ModifiedUtc,
    DateTimeOffset IngestedUtc,
    long DuplicateGroup,
    int ChunkCount);

/// <summary>An indexed document whose text nearly duplicates a given text.</summary>
/// <param name="Similarity">Estimated Jaccard similarity of the two texts' word 5-grams (0.5 to 1).</param>
public sealed record NearCopy(long DocumentId, string Path, string Title, double Similarity);

/// <summary>A chunk row as stored.</summary>
public sealed record StoredChunk(long Id, long DocumentId, int Ordinal, int Start, int Length, string? Heading, int TokenCount, string Text);

/// <summary>A chunk with what a citation needs: its document's path, title and near-duplicate group.</summary>
public sealed record SourcedChunk(
    long ChunkId,
    long DocumentId,
    string DocumentPath,
    string Title,
    int Ordinal,
    int Start,
    int Length,
    string? Heading,
    string Text,
    long DuplicateGroup);

/// <summary>A chunk found by full-text search.</summary>
/// <param name="Score">The negated FTS5 bm25 value: higher is better, comparable within one query only.</param>
public sealed record ChunkHit(SourcedChunk Chunk, double Score);

/// <summary>How many chunks carry a vector of one embedding model.</summary>
public sealed record EmbeddingModelStats(string ModelId, int Dimensions, long EmbeddedChunks);

/// <summary>Counts for <c>localqa index --stats</c>.</summary>
/// <param name="DuplicateGroups">Groups with more than one document.</param>
public sealed record IndexStats(long Documents, long Chunks, long DuplicateGroups, IReadOnlyList<EmbeddingModelStats> Embeddings);

/// <summary>The result of <see cref="LocalQaIndex.IntegrityCheck"/>; <see cref="Problems"/> is empty when all is well.</summary>
public sealed record IndexIntegrityReport(IReadOnlyList<string> Problems)
{
    public bool IsOk => Problems.Count == 0;
}
