using LocalQa.Core.Answering;

namespace LocalQa.Core.Tests.Answering;

public sealed class CitationTests
{
    [Fact]
    public void Markers_map_to_passages_and_bad_ones_are_reported()
    {
        var (cited, invalid) = Citations.Parse("LeCun joined in 2013 [2]. FAIR grew [1][2], see [1, 3] and [7].", 3);
        Assert.Equal([2, 1, 3], cited);
        Assert.Equal(["[7]"], invalid);
    }

    [Fact]
    public void Text_without_markers_cites_nothing()
    {
        var (cited, invalid) = Citations.Parse("No brackets here, [a] is not a marker.", 5);
        Assert.Empty(cited);
        Assert.Empty(invalid);
    }

    [Fact]
    public void Marker_zero_points_at_no_passage()
    {
        var (_, invalid) = Citations.Parse("x [0]", 2);
        Assert.Equal(["[0]"], invalid);
    }
}
