namespace LocalQa.Server.Mcp;

// The tools' structured output. Property names go out in snake_case (LocalQaMcp.JsonOptions), as the
// command line's --json writes them; the host owns this wire format, not the library's records.

/// <summary>One passage of the library.</summary>
/// <param name="Rank">1 for the best match.</param>
/// <param name="DocumentId">The document's id, for get_document and localqa://documents/{id}.</param>
/// <param name="Document">The document's file, as it was ingested.</param>
/// <param name="Title">The document's title.</param>
/// <param name="Chunk">The passage's chunk number in the document (0-based).</param>
/// <param name="Score">Relevance (fused rank score): higher is better, comparable within one answer only.</param>
/// <param name="Text">The passage itself.</param>
internal sealed record McpPassage(int Rank, long? DocumentId, string Document, string Title, int Chunk, double Score, string Text);

internal sealed record McpSearchResult(string Query, IReadOnlyList<McpPassage> Passages);

internal sealed record McpAnswer(string Answer, string Mode, string? Note, bool Abstained, string ConversationId, string StandaloneQuestion,
    IReadOnlyList<int> Cited, IReadOnlyList<McpPassage> Citations);

internal sealed record McpRelated(string Document, string Title, double Score, string Passage, bool NearCopy);

internal sealed record McpSummary(string Summary, IReadOnlyList<string> KeyPoints, string Mode, string? Note, int Words, IReadOnlyList<McpRelated> RelatedDocuments);

internal sealed record McpDocumentEntry(long Id, string Title, string Document, int Chunks, string Uri);

internal sealed record McpDocumentList(int Total, int Offset, int? NextOffset, IReadOnlyList<McpDocumentEntry> Documents);

internal sealed record McpDocumentPage(long Id, string Title, string Document, int Chunks, int FirstChunk, int LastChunk, int? NextChunk, string Text);
