namespace LocalQa.Core.Summarizing;

/// <param name="Score">
/// How related the document is, 0 to 1: how much of the weight of the article's key terms (its frequent
/// words, weighted by their rarity in the library) the document's best passage holds, as a share of what
/// the article's own best passage holds (see docs/usage.md, "Related in your library"). Only documents at
/// <see cref="Summarizer.MinRelatedness"/> or above are listed. For a near-copy, the estimated share of
/// word 5-grams the two texts have in common.
/// </param>
public sealed record RelatedDocument(string Document, string Title, double Score, string Passage)
{
    /// <summary>The library document is a copy of the article (the same text, perhaps re-saved or syndicated).</summary>
    public bool NearCopy { get; init; }
}
