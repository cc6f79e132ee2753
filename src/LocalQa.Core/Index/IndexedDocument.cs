namespace LocalQa.Core.Index;

/// <summary>A document row as stored.</summary>
/// <param name="Id">The document's id in the index.</param>
/// <param name="Path">The file's path as ingested.</param>
/// <param name="Title">The document's title.</param>
/// <param name="ContentHash">Lower-case hex SHA-256 of the file's raw bytes.</param>
/// <param name="SizeBytes">Size of the raw file.</param>
/// <param name="ModifiedUtc">Last write time of the file when it was ingested.</param>
/// <param name="IngestedUtc">When this version of the document was stored.</param>
/// <param name="DuplicateGroup">Documents with the same value are copies of one story.</param>
/// <param name="ChunkCount">Chunks the document was split into.</param>
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
