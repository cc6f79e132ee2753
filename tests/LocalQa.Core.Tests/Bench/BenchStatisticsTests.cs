using LocalQa.Bench;

namespace LocalQa.Core.Tests.Bench;

public sealed class BenchStatisticsTests
{
    [Fact]
    public void Summarize_takes_the_middle_of_an_odd_count_and_the_extremes()
    {
        var rate = BenchStatistics.Summarize([30.0, 10.0, 20.0]);

        Assert.Equal(new Rate(20.0, 10.0, 30.0), rate);
    }

    [Fact]
    public void Summarize_averages_the_middle_two_of_an_even_count()
    {
        var rate = BenchStatistics.Summarize([4.0, 1.0, 3.0, 2.0]);

        Assert.Equal(2.5, rate.Median);
        Assert.Equal(1.0, rate.Min);
        Assert.Equal(4.0, rate.Max);
    }

    [Fact]
    public void Summarize_of_one_value_is_that_value_with_no_spread()
    {
        Assert.Equal(new Rate(7.5, 7.5, 7.5), BenchStatistics.Summarize([7.5]));
    }

    [Fact]
    public void Summarize_refuses_an_empty_list()
    {
        Assert.Throws<ArgumentException>(() => BenchStatistics.Summarize([]));
    }

    [Fact]
    public void Percentiles_interpolate_between_ranks()
    {
        double[] values = [.. Enumerable.Range(1, 100).Select(i => (double)i)];

        Assert.Equal(50.5, BenchStatistics.Percentile(values, 50), 6);
        Assert.Equal(95.05, BenchStatistics.Percentile(values, 95), 6);
        Assert.Equal(1, BenchStatistics.Percentile(values, 0));
        Assert.Equal(100, BenchStatistics.Percentile(values, 100));
    }

    [Fact]
    public void Percentile_does_not_depend_on_the_order_of_the_input()
    {
        Assert.Equal(BenchStatistics.Percentile([1.0, 2.0, 3.0, 10.0], 95), BenchStatistics.Percentile([10.0, 3.0, 1.0, 2.0], 95));
    }

    [Fact]
    public void Latencies_report_p50_p95_max_and_count()
    {
        double[] ms = [.. Enumerable.Range(0, 20).Select(i => i == 19 ? 100.0 : 1.0)];

        var latency = BenchStatistics.Latencies(ms);

        Assert.Equal(1.0, latency.P50Ms);
        Assert.Equal(1.0 + (100.0 - 1.0) * 0.05, latency.P95Ms, 6);
        Assert.Equal(100.0, latency.MaxMs);
        Assert.Equal(20, latency.Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    [InlineData(double.NaN)]
    public void Percentile_outside_0_to_100_is_refused(double percent)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BenchStatistics.Percentile([1.0], percent));
    }
}
