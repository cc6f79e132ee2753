using System.Diagnostics;
using LocalQa.Core;
using LocalQa.Core.Index;
using LocalQa.Core.Retrieval;

namespace LocalQa.Bench;

/// <summary>Top-k latency of a dense search over <paramref name="Vectors"/> unit vectors.</summary>
public sealed record DenseSearchResult(int Vectors, int Dimensions, Latency Latency);

/// <summary>Dense search at each store size and full-text (BM25) search over an index of generated articles.</summary>
/// <param name="Bm25Chunks">Chunks in the full-text index searched.</param>
public sealed record RetrievalBenchResult(IReadOnlyList<DenseSearchResult> Dense, Latency Bm25, long Bm25Chunks, int TopK);

/// <summary>Query latency of the two retrieval paths, each query timed on its own (p50 and p95 over all queries).</summary>
public static class RetrievalBench
{
    private const int WarmupQueries = 5;

    /// <summary>
    /// Fills a <see cref="VectorStore"/> with <paramref name="vectors"/> random unit vectors and times
    /// <paramref name="queries"/> top-<paramref name="topK"/> searches with random query vectors:
    /// a scan costs the same whatever the values, so random vectors stand for real embeddings.
    /// </summary>
    public static DenseSearchResult MeasureDense(int vectors, int dimensions, int queries, int topK, int seed = 1, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vectors, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        var state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 1;
        var data = new float[(long)vectors * dimensions];
        Fill(data, ref state);
        var ids = new long[vectors];
        for (var i = 0; i < ids.Length; i++) ids[i] = i + 1;
        var store = new VectorStore("bench", dimensions, ids, data);

        var query = new float[dimensions];
        var hits = new DenseHit[topK];
        var times = new double[queries];
        for (var q = -WarmupQueries; q < queries; q++)
        {
            ct.ThrowIfCancellationRequested();
            Fill(query, ref state);
            var start = Stopwatch.GetTimestamp();
            store.Search(query, hits);
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (q >= 0) times[q] = ms;
        }
        return new DenseSearchResult(vectors, dimensions, BenchStatistics.Latencies(times));
    }

    /// <summary>
    /// Times <see cref="Retriever.SearchFullText"/> (query building plus the FTS5 bm25 query and its
    /// joins) for each question, as a user's question reaches it.
    /// </summary>
    public static Latency MeasureBm25(LocalQaIndex index, IReadOnlyList<string> questions, int topK, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(questions);
        if (questions.Count == 0) throw new ArgumentException("No questions to search for.", nameof(questions));
        for (var i = 0; i < Math.Min(WarmupQueries, questions.Count); i++) Retriever.SearchFullText(index, questions[i], topK);
        var times = new double[questions.Count];
        for (var i = 0; i < questions.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            Retriever.SearchFullText(index, questions[i], topK);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return BenchStatistics.Latencies(times);
    }

    /// <summary>Questions about evenly spread articles of <paramref name="corpus"/> (0..articles-1).</summary>
    public static IReadOnlyList<string> Questions(SyntheticCorpus corpus, int articles, int count)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfLessThan(articles, 1);
        var questions = new string[count];
        for (var i = 0; i < count; i++)
        {
            var article = (int)((long)i * 7919 % articles);
            questions[i] = corpus.Question(article, i);
        }
        return questions;
    }

    private static void Fill(Span<float> values, ref ulong state)
    {
        for (var i = 0; i < values.Length; i++)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            var r = state * 0x2545F4914F6CDD1DUL;
            values[i] = (int)(r >> 32) * (1f / int.MaxValue);
        }
    }
}
