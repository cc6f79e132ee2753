using BenchmarkDotNet.Attributes;
using LocalQa.Llama;

namespace LocalQa.Benchmarks;

/// <summary>
/// One decode step as the generators run it: <see cref="LlamaBatch.Clear"/> and <see cref="LlamaBatch.Add"/>,
/// <see cref="LlamaContext.Decode"/>, then greedy sampling, on the tiny generated model so the managed
/// wrapper's share is visible. Target: 0 bytes allocated per step.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
public class DecodeStepBenchmarks : IDisposable
{
    // Positions wrap at this length: attention over a long cache would hide the wrapper's cost.
    private const int AnswerLength = 256;
    private LlamaModel? _model;
    private LlamaContext? _context;
    private LlamaBatch? _batch;
    private LlamaSampler? _sampler;
    private CancellationTokenSource? _cancellation;
    private int _token;
    private int _position;

    [GlobalSetup]
    public void Setup()
    {
        _model = LlamaModel.Load(BenchmarkFiles.TinyModel());
        // One thread: the tiny graph is too small to split, and the managed overhead is what is measured.
        _context = LlamaContext.Create(_model, new LlamaContextOptions { ContextSize = 2 * AnswerLength, Threads = 1 });
        _batch = new LlamaBatch(_context.BatchSize);
        _sampler = new LlamaSampler(_model);
        _cancellation = new CancellationTokenSource();
        _token = _model.BosToken;
    }

    [Benchmark(Baseline = true)]
    public int DecodeStep() => Step(CancellationToken.None);

    /// <summary>The same step with a cancellable token, as <see cref="LlamaGenerator"/> is usually called.</summary>
    [Benchmark]
    public int DecodeStepCancellable() => Step(_cancellation!.Token);

    private int Step(CancellationToken cancellationToken)
    {
        if (_position == AnswerLength)
        {
            _context!.ClearMemory();
            _position = 0;
        }
        _batch!.Clear();
        var row = _batch.Add(_token, _position++, 0, output: true);
        _context!.Decode(_batch, cancellationToken);
        _token = _sampler!.Sample(_context, row);
        return _token;
    }

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        _sampler?.Dispose();
        _batch?.Dispose();
        _context?.Dispose();
        _model?.Dispose();
        _cancellation?.Dispose();
        _sampler = null;
        _batch = null;
        _context = null;
        _model = null;
        _cancellation = null;
        GC.SuppressFinalize(this);
    }
}
