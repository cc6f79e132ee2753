using BenchmarkDotNet.Attributes;
using LocalQa.Core.Gguf;
using LocalQa.Core.Tokenization;
using LocalQa.Llama;
using LocalQa.Testing;

namespace LocalQa.Benchmarks;

/// <summary>
/// The managed tokenizer built from the GGUF vocabulary (Microsoft.ML.Tokenizers) against llama.cpp's,
/// on a 10 kB article (the seed articles joined), with the real 32,000-token Llama-2 vocabulary of
/// ../shared/models/llama-2-tiny-random.gguf. "Cold" merges every piece anew (no piece cache); the
/// cached count is what chunking sees once an article's words have been met.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
public class ManagedTokenizerBenchmarks : IDisposable
{
    private LlamaModel? _native;
    private GgufTokenizer? _cached;
    private GgufTokenizer? _cold;
    private string _article = "";

    [Params("llama-2-tiny-random.gguf", "stories260K.gguf")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(SharedModels(), Model);
        _native = LlamaModel.Load(path, new LlamaModelOptions { VocabOnly = true });
        var file = GgufReader.Read(path);
        _cached = GgufTokenizer.TryCreate(file, out var whyNot) ?? throw new InvalidOperationException(whyNot);
        _cold = GgufTokenizer.TryCreate(file, out _, pieceCacheSize: 0)!;
        var seeds = Directory.EnumerateFiles(Path.Combine(RepoRoot(), "seeds")).Order(StringComparer.Ordinal).Select(File.ReadAllText);
        _article = string.Concat(seeds)[..10_000];
        _cached.CountTokens(_article);
    }

    [Benchmark(Baseline = true)]
    public int NativeTokenize() => _native!.Tokenize(_article, addSpecial: false).Length;

    [Benchmark]
    public int NativeCount() => _native!.CountTokens(_article);

    [Benchmark]
    public int ManagedEncodeCold() => _cold!.EncodeToIds(_article).Length;

    [Benchmark]
    public int ManagedCountCold() => _cold!.CountTokens(_article);

    [Benchmark]
    public int ManagedCountCached() => _cached!.CountTokens(_article);

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        _native?.Dispose();
        _native = null;
        GC.SuppressFinalize(this);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LocalQa.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No LocalQa.sln above {AppContext.BaseDirectory}.");
    }

    private static string SharedModels() => Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "models"));
}
