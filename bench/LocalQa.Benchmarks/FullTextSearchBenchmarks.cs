using BenchmarkDotNet.Attributes;
using LocalQa.Bench;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Retrieval;

namespace LocalQa.Benchmarks;

/// <summary>
/// A question's BM25 search over an index of 2,000 generated articles (as <c>localqa bench</c>
/// builds it): <see cref="FtsQueryBuilder.Build"/> alone, and with <see cref="LocalQaIndex.SearchFullText"/>.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
public class FullTextSearchBenchmarks : IDisposable
{
    private const int Articles = 2000;
    private LocalQaIndex? _index;
    private IReadOnlyList<string> _questions = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var corpus = new SyntheticCorpus();
        _index = LocalQaIndex.Open(BenchmarkFiles.PathOf("fts.db"));
        var chunker = new Chunker();
        for (var i = 0; i < Articles; i++)
        {
            var article = corpus.Article(i);
            var document = DocumentLoader.LoadText(article.Text, article.FileName).Document!;
            _index.UpsertDocument(document, chunker.Split(document));
        }
        _index.Optimize();
        _questions = RetrievalBench.Questions(corpus, Articles, 64);
    }

    private string NextQuestion() => _questions[_next++ & 63];

    [Benchmark]
    public int BuildQuery() => FtsQueryBuilder.Build(NextQuestion())!.Length;

    [Benchmark(Baseline = true)]
    public int BuildAndSearch() => Retriever.SearchFullText(_index!, NextQuestion(), 10).Count;

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        _index?.Dispose();
        _index = null;
        BenchmarkFiles.DeleteAll();
        GC.SuppressFinalize(this);
    }
}
