namespace LocalQa.Core.Chunking;

/// <summary>How <see cref="Chunker"/> cuts documents.</summary>
public sealed record ChunkingOptions
{
    /// <summary>The defaults: 256 tokens per chunk, 38 tokens (about 15 %) of overlap.</summary>
    public static ChunkingOptions Default { get; } = new();

    /// <summary>The most tokens a chunk may hold (at least 16).</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>
    /// At most this many tokens of whole sentences from the end of a chunk are repeated at the start
    /// of the next one, so a fact that straddles a boundary is whole in one chunk. Less than half of
    /// <see cref="MaxTokens"/>; 0 for none. Never carried across a heading.
    /// </summary>
    public int OverlapTokens { get; init; } = 38;

    /// <summary>
    /// A heading starts a new chunk once the current chunk holds at least this many tokens, so a chunk
    /// rarely mixes two sections; smaller sections are merged rather than left as tiny chunks.
    /// </summary>
    public int MinTokensBeforeHeadingBreak { get; init; } = 64;

    internal void Validate()
    {
        if (MaxTokens < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "A chunk must allow at least 16 tokens.");
        }

        if (OverlapTokens < 0 || OverlapTokens * 2 >= MaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(OverlapTokens), OverlapTokens, "Overlap must be at least 0 and less than half of MaxTokens.");
        }

        if (MinTokensBeforeHeadingBreak < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinTokensBeforeHeadingBreak), MinTokensBeforeHeadingBreak, "Must be at least 0.");
        }
    }
}
