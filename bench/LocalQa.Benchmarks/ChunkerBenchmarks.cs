using BenchmarkDotNet.Attributes;
using LocalQa.Bench;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;

namespace LocalQa.Benchmarks;

/// <summary><see cref="Chunker.Split"/> with the default budget (256 tokens, 38 of overlap) and the token estimator.</summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
public class ChunkerBenchmarks
{
    private readonly Chunker _chunker = new();
    private Document? _document;

    /// <summary>1: one generated article (about 600 words); 20: twenty of them in one document.</summary>
    [Params(1, 20)]
    public int Articles { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var corpus = new SyntheticCorpus();
        var text = string.Join("\n\n", Enumerable.Range(0, Articles).Select(i => corpus.Article(i).Text));
        _document = DocumentLoader.LoadText(text, "bench.md").Document!;
    }

    [Benchmark]
    public int Split() => _chunker.Split(_document!).Count;
}
