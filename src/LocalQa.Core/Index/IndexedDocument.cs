namespace LocalQa.Core.Index;

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
