namespace LocalQa.Core.Index;

/// <summary>A chunk with what a citation needs: its document's path, title and near-duplicate group.</summary>
internal sealed record SourcedChunk(
    long ChunkId,
    long DocumentId,
    string DocumentPath,
    string Title,
    int Ordinal,
    int Start,
    int Length,
    string? Heading,
    string Text,
    long DuplicateGroup)
{
    /// <summary>The page the chunk starts on (PDF); null when the document has no pages.</summary>
    public int? Page { get; init; }
}
