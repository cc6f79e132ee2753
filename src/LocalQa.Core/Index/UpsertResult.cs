namespace LocalQa.Core.Index;

/// <summary>What an upsert wrote.</summary>
/// <param name="DocumentId">Row id of the document; stable across replacements of the same path.</param>
/// <param name="ChunkIds">Row ids of the new chunks, in ordinal order.</param>
/// <param name="DuplicateGroup">The near-duplicate group: the smallest document id of the group, or the document's own id.</param>
internal sealed record UpsertResult(long DocumentId, IReadOnlyList<long> ChunkIds, long DuplicateGroup);
