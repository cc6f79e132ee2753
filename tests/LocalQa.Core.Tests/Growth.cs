using System.Diagnostics;

namespace LocalQa.Core.Tests;

/// <summary>
/// Whether an operation's time grows faster than its input: the time it takes on the whole input
/// over the time it takes on each of <c>k</c> pieces of it, one after another (best of a few runs
/// of each). A ratio, so the machine's speed cancels out, where a limit in seconds fails on a slow
/// machine and proves nothing on a fast one. About 1 for linear work (somewhat more where the
/// whole outgrows the caches), about <c>k</c> for quadratic work.
/// </summary>
internal static class Growth
{
    /// <summary>Runs each once to warm up, then each <paramref name="runs"/> times: the whole's best time over the pieces' best.</summary>
    public static (double Ratio, TimeSpan Pieces, TimeSpan Whole) TimeRatio(Action piece, int pieces, Action whole, int runs = 3)
    {
        piece();
        whole();
        var bestPieces = Best(() =>
        {
            for (var i = 0; i < pieces; i++) piece();
        }, runs);
        var bestWhole = Best(whole, runs);
        // A tick's floor keeps an operation too quick to time from dividing by zero.
        return (bestWhole.Ticks / (double)Math.Max(bestPieces.Ticks, 1), bestPieces, bestWhole);
    }

    private static TimeSpan Best(Action run, int runs)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < runs; i++)
        {
            // Garbage left by the run before is collected outside the clock, not charged to this one.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var clock = Stopwatch.StartNew();
            run();
            best = clock.Elapsed < best ? clock.Elapsed : best;
        }
        return best;
    }
}
