using System.Numerics.Tensors;
using LocalQa.Core.Index;
using LocalQa.Core.Retrieval;
using Xunit;

namespace LocalQa.Core.Tests.Retrieval;

public sealed class VectorStoreTests
{
    [Theory]
    [InlineData(1, 8, 1)]
    [InlineData(500, 64, 10)]
    [InlineData(2000, 384, 25)]
    [InlineData(50, 1536, 50)]
    public void Top_k_equals_a_brute_force_sort(int rows, int dimensions, int k)
    {
        var random = new Random(rows * 31 + dimensions);
        var vectors = RandomVectors(random, rows, dimensions);
        var ids = Enumerable.Range(0, rows).Select(i => 1000L + i * 7).ToArray();
        var store = new VectorStore("model", dimensions, ids, (float[])vectors.Clone());
        var query = RandomVectors(random, 1, dimensions);

        var hits = store.Search(query, k);

        var expected = SortAll(vectors, ids, dimensions, query).Take(k).ToList();
        Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.ChunkId));
        for (var i = 0; i < hits.Count; i++)
        {
            Assert.Equal(expected[i].Score, hits[i].Score);
            Assert.Equal(ExactCosine(vectors.AsSpan((int)((hits[i].ChunkId - 1000) / 7) * dimensions, dimensions), query), hits[i].Score, 1e-4);
        }
    }

    [Fact]
    public void Asking_for_more_than_the_store_holds_returns_everything_sorted()
    {
        var random = new Random(5);
        var store = new VectorStore("m", 4, [1, 2, 3], RandomVectors(random, 3, 4));

        var hits = store.Search(RandomVectors(random, 1, 4), 10);

        Assert.Equal(3, hits.Count);
        Assert.True(hits[0].Score >= hits[1].Score && hits[1].Score >= hits[2].Score);
        Assert.Empty(store.Search(new float[4], 0));
    }

    [Fact]
    public void Equal_scores_keep_the_earlier_row_first()
    {
        var store = new VectorStore("m", 2, [10, 11, 12, 13], [1, 0, 0, 1, 1, 0, 1, 0]);

        var hits = store.Search([1f, 0f], 3);

        Assert.Equal([10L, 12L, 13L], hits.Select(h => h.ChunkId));
    }

    [Fact]
    public void Scores_are_cosine_similarities_whatever_the_vector_lengths()
    {
        var store = new VectorStore("m", 2, [1, 2], [3, 4, -10, 0]);

        var hits = store.Search([30f, 40f], 2);

        Assert.Equal(1f, hits[0].Score, 1e-6);
        Assert.Equal(-0.6f, hits[1].Score, 1e-6);
    }

    [Fact]
    public void The_span_overload_fills_the_destination_without_a_result_list()
    {
        var random = new Random(9);
        var store = new VectorStore("m", 16, Enumerable.Range(0, 100).Select(i => (long)i).ToArray(), RandomVectors(random, 100, 16));
        var query = RandomVectors(random, 1, 16);
        Span<DenseHit> destination = stackalloc DenseHit[5];

        var written = store.Search(query, destination);

        Assert.Equal(5, written);
        Assert.Equal(store.Search(query, 5), destination.ToArray());
    }

    [Fact]
    public void A_query_of_the_wrong_dimension_is_refused()
    {
        var store = new VectorStore("m", 4, [1], [1, 2, 3, 4]);

        Assert.Throws<ArgumentException>(() => store.Search(new float[3], 1));
        Assert.Throws<ArgumentException>(() => new VectorStore("m", 4, [1, 2], [1, 2, 3, 4]));
    }

    [Fact]
    public void Vectors_load_from_the_index_for_one_model()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);
        const string text = "First paragraph about owls.\n\nSecond paragraph about hawks.\n\nThird paragraph about eagles.";
        var document = IndexTestData.MakeDocument("/birds.txt", text);
        var result = index.UpsertDocument(document, IndexTestData.ParagraphChunks(text, 1),
            new ChunkEmbeddings("m1", 3, [[1, 0, 0], [0, 1, 0], [0, 0, 2]]));
        index.StoreEmbeddings("m2", 2, [(result.ChunkIds[0], [1f, 1f])]);

        var store = VectorStore.Load(index, "m1");

        Assert.Equal(3, store.Count);
        Assert.Equal(3, store.Dimensions);
        var best = store.Search([0f, 0f, 5f], 1)[0];
        Assert.Equal(result.ChunkIds[2], best.ChunkId);
        Assert.Equal(1f, best.Score, 1e-6);
        Assert.Equal(1, VectorStore.Load(index, "m2").Count);
        Assert.Equal(0, VectorStore.Load(index, "unknown").Count);
    }

    private static float[] RandomVectors(Random random, int rows, int dimensions)
    {
        var data = new float[rows * dimensions];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return data;
    }

    /// <summary>Every row scored the way the store scores (float, normalized, SIMD dot), then the whole list sorted.</summary>
    private static List<(long Id, float Score)> SortAll(float[] vectors, long[] ids, int dimensions, float[] query)
    {
        var q = (float[])query.Clone();
        TensorPrimitives.Divide(q, TensorPrimitives.Norm(q), q);
        var scored = new List<(long Id, float Score, int Row)>();
        for (var row = 0; row < ids.Length; row++)
        {
            var v = vectors.AsSpan(row * dimensions, dimensions).ToArray();
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            scored.Add((ids[row], TensorPrimitives.Dot(v, q), row));
        }

        return scored.OrderByDescending(x => x.Score).ThenBy(x => x.Row).Select(x => (x.Id, x.Score)).ToList();
    }

    private static double ExactCosine(ReadOnlySpan<float> v, float[] query)
    {
        double dot = 0, norm = 0, queryNorm = 0;
        for (var d = 0; d < v.Length; d++)
        {
            dot += (double)v[d] * query[d];
            norm += (double)v[d] * v[d];
            queryNorm += (double)query[d] * query[d];
        }

        return dot / Math.Sqrt(norm) / Math.Sqrt(queryNorm);
    }
}
