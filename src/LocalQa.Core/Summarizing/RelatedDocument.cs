namespace LocalQa.Core.Summarizing;

/// <summary>A library document related to a summarized article.</summary>
/// <param name="Document">The related document's path in the library.</param>
/// <param name="Title">Its title.</param>
/// <param name="Score">
/// How related the document is, 0 to 1: how much of the weight of the article's key terms (its frequent
/// words, weighted by their rarity in the library) the document's best passage holds, as a share of what
/// the article's own best passage holds (see docs/usage.md, "Related in your library"). Only documents at
/// <see cref="Summarizer.MinRelatedness"/> or above are listed. For a near-copy, the estimated share of
/// word 5-grams the two texts have in common.
/// </param>
/// <param name="Passage">
/// Its passage that matched best (for a near copy, its opening), on one line, cut at about 240 characters.
/// </param>
public sealed record RelatedDocument(string Document, string Title, double Score, string Passage)
{
    /// <summary>The library document is a copy of the article (the same text, perhaps re-saved or syndicated).</summary>
    public bool NearCopy { get; init; }

    /// <summary>The page <see cref="Passage"/> is on, for documents that have pages (PDF); null otherwise.</summary>
    public int? Page { get; init; }
}
