using LocalQa.Core.Retrieval;
using Xunit;

namespace LocalQa.Core.Tests.Retrieval;

public sealed class FusionAndDeduplicationTests
{
    [Fact]
    public void Rrf_ranks_items_found_high_by_both_lists_first()
    {
        string[] bm25 = ["a", "b", "c", "d"];
        string[] dense = ["c", "a", "e"];

        var fused = ReciprocalRankFusion.Fuse([bm25, dense]);

        // a: 1/61 + 1/62, c: 1/63 + 1/61, b: 1/62, e: 1/63, d: 1/64
        Assert.Equal(["a", "c", "b", "e", "d"], fused.Select(f => f.Item));
        Assert.Equal(1.0 / 61 + 1.0 / 62, fused[0].Score, 12);
        Assert.Equal(1.0 / 63 + 1.0 / 61, fused[1].Score, 12);
        Assert.Equal([1, 1, 2, 3, 4], fused.Select(f => f.BestRank));
    }

    [Fact]
    public void Rrf_counts_a_repeated_item_once_per_list_and_breaks_ties_by_best_rank()
    {
        string[] first = ["x", "x", "y"];
        string[] second = ["y", "x"];

        var fused = ReciprocalRankFusion.Fuse([first, second], k: 0);

        // x: 1/1 + 1/2, y: 1/3 + 1/1 — with k = 0 the first ranks dominate.
        Assert.Equal(["x", "y"], fused.Select(f => f.Item));
        Assert.Equal(1.5, fused[0].Score, 12);
        Assert.Equal(1.0 / 3 + 1, fused[1].Score, 12);

        var tie = ReciprocalRankFusion.Fuse([["p", "q"], ["q", "p"]]);
        Assert.Equal(tie[0].Score, tie[1].Score, 12);
        Assert.Equal("p", tie[0].Item);
    }

    [Fact]
    public void Rrf_of_one_list_keeps_its_order_and_of_none_is_empty()
    {
        Assert.Equal([3L, 1L, 2L], ReciprocalRankFusion.Fuse([new long[] { 3, 1, 2 }]).Select(f => f.Item));
        Assert.Empty(ReciprocalRankFusion.Fuse(Array.Empty<long[]>()));
    }

    [Fact]
    public void Repeated_and_contained_passages_are_collapsed_into_the_best_ranked()
    {
        const string fact = "The institute plans to cover parts of the glacier with white fleece next year to reflect sunlight.";
        string[] ranked =
        [
            fact,
            "Researchers expect the glacier to lose another third of its volume by 2050.",
            fact.Replace("next year", "in 2026", StringComparison.Ordinal),
            "Local guides have moved the start of the trail. " + fact,
            fact.ToUpperInvariant(),
            "The tram line will be eleven kilometres long with nine stops.",
        ];

        var kept = PassageDeduplicator.Collapse(ranked, p => p, take: 5);

        Assert.Equal([ranked[0], ranked[1], ranked[5]], kept);
    }

    [Fact]
    public void Collapsing_stops_at_take()
    {
        var kept = PassageDeduplicator.Collapse(["one fact here", "second fact there", "third fact elsewhere"], p => p, take: 2);

        Assert.Equal(2, kept.Count);
    }
}
