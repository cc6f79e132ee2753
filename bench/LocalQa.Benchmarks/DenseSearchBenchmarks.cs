using BenchmarkDotNet.Attributes;
using LocalQa.Core.Retrieval;

namespace LocalQa.Benchmarks;

/// <summary>Top-10 of 100,000 unit vectors of 384 dimensions (bge-small's width): one SIMD dot product per row and a bounded heap.</summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
public class DenseSearchBenchmarks
{
    private const int Dimensions = 384;
    private VectorStore? _store;
    private float[] _query = [];
    private readonly DenseHit[] _hits = new DenseHit[10];

    [Params(100_000)]
    public int Vectors { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var data = new float[(long)Vectors * Dimensions];
        for (var i = 0; i < data.Length; i++) data[i] = random.NextSingle() * 2 - 1;
        var ids = new long[Vectors];
        for (var i = 0; i < ids.Length; i++) ids[i] = i + 1;
        _store = new VectorStore("bench", Dimensions, ids, data);
        _query = new float[Dimensions];
        for (var i = 0; i < _query.Length; i++) _query[i] = random.NextSingle() * 2 - 1;
    }

    /// <summary>Into a caller-owned span: the allocation-free overload.</summary>
    [Benchmark(Baseline = true)]
    public int SearchIntoSpan() => _store!.Search(_query, _hits);

    /// <summary>The list-returning overload the retriever uses.</summary>
    [Benchmark]
    public int SearchList() => _store!.Search(_query, 10).Count;
}
