namespace LocalQa.Core.Retrieval;

/// <summary>One item of a fused ranking.</summary>
/// <param name="Item">The item ranked.</param>
/// <param name="Score">Sum over the input rankings of 1 / (k + rank), rank starting at 1.</param>
/// <param name="BestRank">The item's best (smallest, 1-based) rank in any input ranking.</param>
internal readonly record struct FusedItem<T>(T Item, double Score, int BestRank);

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): merges rankings whose scores are
/// not comparable (bm25 and cosine similarity) using ranks alone.
/// </summary>
internal static class ReciprocalRankFusion
{
    /// <summary>The constant of the original paper; it damps the weight of the very first ranks.</summary>
    public const int DefaultK = 60;

    /// <summary>
    /// Fuses rankings (best first). An item repeated within one ranking counts once, at its best
    /// rank. Ties in score go to the better best rank, then to the ranking and position seen first.
    /// </summary>
    public static IReadOnlyList<FusedItem<T>> Fuse<T>(IEnumerable<IReadOnlyList<T>> rankings, int k = DefaultK, IEqualityComparer<T>? comparer = null)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var entries = new Dictionary<T, (double Score, int BestRank, int FirstSeen)>(comparer);
        var inRanking = new HashSet<T>(comparer);
        var order = 0;
        foreach (var ranking in rankings)
        {
            ArgumentNullException.ThrowIfNull(ranking);
            inRanking.Clear();
            for (var i = 0; i < ranking.Count; i++)
            {
                var item = ranking[i];
                if (!inRanking.Add(item))
                {
                    continue;
                }

                var rank = i + 1;
                var contribution = 1.0 / (k + rank);
                entries[item] = entries.TryGetValue(item, out var entry)
                    ? (entry.Score + contribution, Math.Min(entry.BestRank, rank), entry.FirstSeen)
                    : (contribution, rank, order++);
            }
        }

        var fused = new List<(FusedItem<T> Item, int FirstSeen)>(entries.Count);
        foreach (var (item, entry) in entries)
        {
            fused.Add((new FusedItem<T>(item, entry.Score, entry.BestRank), entry.FirstSeen));
        }

        fused.Sort(static (a, b) =>
        {
            var byScore = b.Item.Score.CompareTo(a.Item.Score);
            if (byScore != 0)
            {
                return byScore;
            }

            var byRank = a.Item.BestRank.CompareTo(b.Item.BestRank);
            return byRank != 0 ? byRank : a.FirstSeen.CompareTo(b.FirstSeen);
        });
        return fused.ConvertAll(static f => f.Item);
    }
}
