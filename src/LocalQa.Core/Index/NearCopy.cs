namespace LocalQa.Core.Index;

/// <summary>An indexed document whose text nearly duplicates a given text.</summary>
/// <param name="DocumentId">The indexed document's id.</param>
/// <param name="Path">Its path.</param>
/// <param name="Title">Its title.</param>
/// <param name="Similarity">Estimated Jaccard similarity of the two texts' word 5-grams (0.5 to 1).</param>
public sealed record NearCopy(long DocumentId, string Path, string Title, double Similarity);
