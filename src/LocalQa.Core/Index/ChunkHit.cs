namespace LocalQa.Core.Index;

/// <summary>A chunk found by full-text search.</summary>
/// <param name="Chunk">The chunk, with its document's path and title.</param>
/// <param name="Score">The negated FTS5 bm25 value: higher is better, comparable within one query only.</param>
internal sealed record ChunkHit(SourcedChunk Chunk, double Score);
