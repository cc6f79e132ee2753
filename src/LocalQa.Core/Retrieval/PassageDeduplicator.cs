using LocalQa.Core.Index;

namespace LocalQa.Core.Retrieval;

/// <summary>
/// Drops passages that repeat one already kept (the same paragraph in two copies of a story, or a
/// chunk that another contains), so that the top passages are different facts.
/// </summary>
internal static class PassageDeduplicator
{
    /// <summary>Word 3-grams: short enough for passages of a few sentences, long enough to ignore shared common phrases.</summary>
    public const int WordsPerShingle = 3;

    public const double DefaultJaccard = 0.5;

    public const double DefaultContainment = 0.8;

    /// <summary>
    /// Walks <paramref name="ranked"/> best first and keeps a passage unless its shingle Jaccard
    /// similarity with a kept one reaches <paramref name="jaccard"/>, or its shingles lie within a kept
    /// one (or the reverse) to at least <paramref name="containment"/>. Stops after <paramref name="take"/> passages.
    /// </summary>
    public static IReadOnlyList<T> Collapse<T>(
        IEnumerable<T> ranked,
        Func<T, string> text,
        int take,
        double jaccard = DefaultJaccard,
        double containment = DefaultContainment)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(take);
        var kept = new List<T>(take);
        var keptShingles = new List<HashSet<ulong>>(take);
        foreach (var item in ranked)
        {
            if (kept.Count >= take)
            {
                break;
            }

            var shingles = TextShingles.ShingleSet(text(item), WordsPerShingle);
            var duplicate = false;
            foreach (var other in keptShingles)
            {
                if (TextShingles.Jaccard(shingles, other) >= jaccard || TextShingles.Containment(shingles, other) >= containment)
                {
                    duplicate = true;
                    break;
                }
            }

            if (!duplicate)
            {
                kept.Add(item);
                keptShingles.Add(shingles);
            }
        }

        return kept;
    }
}
