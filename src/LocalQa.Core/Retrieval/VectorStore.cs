using System.Buffers;
using System.Numerics.Tensors;
using LocalQa.Core.Index;

namespace LocalQa.Core.Retrieval;

/// <summary>A chunk found by dense search.</summary>
/// <param name="ChunkId">The chunk's id.</param>
/// <param name="Score">Cosine similarity with the query, in [-1, 1].</param>
internal readonly record struct DenseHit(long ChunkId, float Score);

/// <summary>
/// All vectors of one embedding model in one contiguous, L2-normalized array: a search is one
/// SIMD dot product per row and a bounded heap of the best k, with no allocation per row.
/// </summary>
/// <remarks>Immutable after construction; <see cref="Search(ReadOnlySpan{float}, int)"/> is thread-safe.</remarks>
internal sealed class VectorStore
{
    private readonly long[] _chunkIds;
    private readonly float[] _vectors;

    /// <summary>Takes ownership of the arrays and normalizes each row in place.</summary>
    /// <param name="modelId">The embedding model the vectors are of.</param>
    /// <param name="dimensions">Length of every vector.</param>
    /// <param name="chunkIds">The chunk of each row.</param>
    /// <param name="vectors">Row-major: row i (of <paramref name="dimensions"/> floats) belongs to <paramref name="chunkIds"/>[i].</param>
    public VectorStore(string modelId, int dimensions, long[] chunkIds, float[] vectors)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(chunkIds);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, chunkIds.Length == 0 ? 0 : 1);
        if ((long)chunkIds.Length * dimensions != vectors.Length)
        {
            throw new ArgumentException($"{vectors.Length} floats do not make {chunkIds.Length} vectors of {dimensions} dimensions.", nameof(vectors));
        }

        ModelId = modelId;
        Dimensions = dimensions;
        _chunkIds = chunkIds;
        _vectors = vectors;
        for (var row = 0; row < chunkIds.Length; row++)
        {
            Normalize(vectors.AsSpan(row * dimensions, dimensions));
        }
    }

    public string ModelId { get; }

    public int Dimensions { get; }

    public int Count => _chunkIds.Length;

    /// <summary>Loads every vector of <paramref name="modelId"/> stored in the index.</summary>
    public static VectorStore Load(LocalQaIndex index, string modelId)
    {
        ArgumentNullException.ThrowIfNull(index);
        index.ReadEmbeddingMatrix(modelId, out var chunkIds, out var vectors, out var dimensions);
        return new VectorStore(modelId, dimensions, chunkIds, vectors);
    }

    /// <summary>The <paramref name="topK"/> rows most similar to <paramref name="query"/>, best first.</summary>
    public IReadOnlyList<DenseHit> Search(ReadOnlySpan<float> query, int topK)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        var hits = new DenseHit[Math.Min(topK, Count)];
        var found = Search(query, hits);
        return found == hits.Length ? hits : hits[..found];
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the best <c>destination.Length</c> rows, best first;
    /// returns how many were written (fewer when the store is smaller).
    /// </summary>
    public int Search(ReadOnlySpan<float> query, Span<DenseHit> destination)
    {
        if (query.Length != Dimensions && Count > 0)
        {
            throw new ArgumentException($"The query vector has {query.Length} dimensions; the vectors of model {ModelId} have {Dimensions}.", nameof(query));
        }

        var k = Math.Min(destination.Length, Count);
        if (k == 0)
        {
            return 0;
        }

        float[]? rented = null;
        var normalized = Dimensions <= 1024 ? stackalloc float[Dimensions] : (rented = ArrayPool<float>.Shared.Rent(Dimensions)).AsSpan(0, Dimensions);
        try
        {
            query.CopyTo(normalized);
            Normalize(normalized);

            // A min-heap of the best k so far: its root is the hit to beat, so each row costs one
            // comparison unless it enters the top k.
            var heap = new PriorityQueue<int, (float Score, int Row)>(k, WorstFirst.Instance);
            var vectors = _vectors.AsSpan();
            for (var row = 0; row < _chunkIds.Length; row++)
            {
                var score = TensorPrimitives.Dot(vectors.Slice(row * Dimensions, Dimensions), normalized);
                if (heap.Count < k)
                {
                    heap.Enqueue(row, (score, row));
                }
                else if (WorstFirst.Instance.Compare((score, row), PeekPriority(heap)) > 0)
                {
                    heap.EnqueueDequeue(row, (score, row));
                }
            }

            for (var i = k - 1; i >= 0; i--)
            {
                heap.TryDequeue(out var row, out var priority);
                destination[i] = new DenseHit(_chunkIds[row], priority.Score);
            }

            return k;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    private static (float Score, int Row) PeekPriority(PriorityQueue<int, (float Score, int Row)> heap)
    {
        heap.TryPeek(out _, out var priority);
        return priority;
    }

    private static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0 && float.IsFinite(norm))
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }

    /// <summary>Orders hits worst first: lower score, and on equal scores the later row (earlier rows win ties).</summary>
    private sealed class WorstFirst : IComparer<(float Score, int Row)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((float Score, int Row) x, (float Score, int Row) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.Row.CompareTo(x.Row);
        }
    }
}
