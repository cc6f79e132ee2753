namespace LocalQa.Core.Index;

/// <summary>Counts for <c>localqa index --stats</c>.</summary>
/// <param name="DuplicateGroups">Groups with more than one document.</param>
public sealed record IndexStats(long Documents, long Chunks, long DuplicateGroups, IReadOnlyList<EmbeddingModelStats> Embeddings);
