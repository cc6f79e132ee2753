using LocalQa.Core;

namespace LocalQa.Bench;

/// <summary>One measurement repeated: the median of the repeats and their spread (smallest, largest).</summary>
public sealed record Rate(double Median, double Min, double Max);

/// <summary>Latency of many small operations (queries), in milliseconds.</summary>
/// <param name="Count">How many operations were timed.</param>
public sealed record Latency(double P50Ms, double P95Ms, double MaxMs, int Count);

/// <summary>The summaries every bench section reports.</summary>
public static class BenchStatistics
{
    /// <summary>The median and the range of <paramref name="values"/> (the median of an even count is the mean of the middle two).</summary>
    public static Rate Summarize(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("No values to summarize.", nameof(values));
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Rate(median, sorted[0], sorted[^1]);
    }

    /// <summary>
    /// The <paramref name="percent"/>th percentile, interpolated linearly between the two closest
    /// ranks (numpy's default), so p50 of an even count is the median and p100 the largest value.
    /// </summary>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("No values to take a percentile of.", nameof(values));
        if (!(percent >= 0 && percent <= 100)) throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is between 0 and 100.");
        var sorted = values.Order().ToArray();
        return PercentileOfSorted(sorted, percent);
    }

    /// <summary>p50, p95 and the largest of a list of durations in milliseconds.</summary>
    public static Latency Latencies(IReadOnlyList<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        if (milliseconds.Count == 0) throw new ArgumentException("No durations to summarize.", nameof(milliseconds));
        var sorted = milliseconds.Order().ToArray();
        return new Latency(PercentileOfSorted(sorted, 50), PercentileOfSorted(sorted, 95), sorted[^1], sorted.Length);
    }

    private static double PercentileOfSorted(double[] sorted, double percent)
    {
        var rank = percent / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
