namespace LocalQa.Core.Index;

/// <summary>Counts for <c>localqa index --stats</c>.</summary>
/// <param name="Documents">Documents in the index.</param>
/// <param name="Chunks">Chunks in the index, over all documents.</param>
/// <param name="DuplicateGroups">Groups with more than one document.</param>
/// <param name="Embeddings">For each embedding model with vectors in the index, how many chunks have one.</param>
public sealed record IndexStats(long Documents, long Chunks, long DuplicateGroups, IReadOnlyList<EmbeddingModelStats> Embeddings);
