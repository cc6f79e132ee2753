using BenchmarkDotNet.Attributes;
using LocalQa.Bench;
using LocalQa.Llama;

namespace LocalQa.Benchmarks;

/// <summary>llama.cpp tokenization through <see cref="LlamaModel.Tokenize"/> of a chunk-sized passage (the result array is the expected allocation).</summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
public class TokenizeBenchmarks : IDisposable
{
    private LlamaModel? _model;
    private string _text = "";
    private byte[] _utf8 = [];

    [Params(200, 1000)]
    public int Words { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = LlamaModel.Load(BenchmarkFiles.TinyModel(), new LlamaModelOptions { VocabOnly = true });
        _text = new SyntheticCorpus().Passage(0, Words);
        _utf8 = System.Text.Encoding.UTF8.GetBytes(_text);
    }

    [Benchmark(Baseline = true)]
    public int Tokenize() => _model!.Tokenize(_text).Length;

    [Benchmark]
    public int TokenizeUtf8() => _model!.TokenizeUtf8(_utf8).Length;

    [Benchmark]
    public int CountTokens() => _model!.CountTokens(_text);

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        _model?.Dispose();
        _model = null;
        GC.SuppressFinalize(this);
    }
}
