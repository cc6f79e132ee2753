namespace LocalQa.Core.Index;

/// <summary>How many chunks carry a vector of one embedding model.</summary>
public sealed record EmbeddingModelStats(string ModelId, int Dimensions, long EmbeddedChunks);
