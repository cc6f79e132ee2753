namespace LocalQa.Core.Index;

/// <summary>A chunk row as stored.</summary>
internal sealed record StoredChunk(long Id, long DocumentId, int Ordinal, int Start, int Length, string? Heading, int TokenCount, string Text)
{
    public int? Page { get; init; }
}
