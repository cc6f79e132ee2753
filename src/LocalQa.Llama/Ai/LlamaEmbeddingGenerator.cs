using LocalQa.Core;
using LocalQa.Core.Ai;
using Microsoft.Extensions.AI;

namespace LocalQa.Llama;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> over an in-process llama.cpp model: all inputs
/// of a call are embedded in as few batches as fit (one sequence each), unit length.
/// Thread-safety: calls may come from any thread. Calls that arrive while a batch is being decoded
/// (a server's clients, a search beside an ingest) wait and then go together, their inputs sharing
/// the next batches, as llama.cpp's server batches its embedding requests.
/// </summary>
public sealed class LlamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaEmbedder _embedder;
    private readonly bool _ownsModel;
    private readonly Lock _lock = new();
    // Calls waiting for the next batch, oldest first; guarded by _lock, as is _running.
    private readonly List<Call> _waiting = [];
    private bool _running;

    public LlamaEmbeddingGenerator(LlamaModel model, EmbedderOptions? options = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        _embedder = new LlamaEmbedder(model, options);
        _ownsModel = ownsModel;
        Metadata = new EmbeddingGeneratorMetadata("llama.cpp", null, Path.GetFileName(model.Path), _embedder.Dimensions);
    }

    public EmbeddingGeneratorMetadata Metadata { get; }

    public int Dimensions => _embedder.Dimensions;

    public LlamaEmbedder Embedder => _embedder;

    /// <summary>Test hook: runs before each shared run of the embedder, with the number of calls in it.</summary>
    internal Action<int>? BeforeRun { get; set; }

    /// <summary>Test hook: runs once a call is waiting for its turn.</summary>
    internal Action? OnQueued { get; set; }

    private sealed class Call(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        public readonly IReadOnlyList<string> Texts = texts;
        public readonly CancellationToken Cancellation = cancellationToken;
        public readonly TaskCompletionSource<float[][]> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var call = new Call(values as IReadOnlyList<string> ?? values.ToArray(), cancellationToken);
        bool lead;
        lock (_lock)
        {
            _waiting.Add(call);
            lead = !_running;
            _running = true;
        }
        OnQueued?.Invoke();
        // The first caller runs the embedder for everyone who queues meanwhile; the decode holds a
        // thread, so it runs on the pool rather than on the caller's (a request's) thread.
        if (lead) _ = Task.Run(RunQueued, CancellationToken.None);
        float[][] vectors;
        using (cancellationToken.Register(() => call.Done.TrySetCanceled(cancellationToken)))
            vectors = await call.Done.Task.ConfigureAwait(false);
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        foreach (var v in vectors) result.Add(new Embedding<float>(v) { ModelId = Metadata.DefaultModelId, CreatedAt = DateTimeOffset.UtcNow });
        return result;
    }

    private void RunQueued()
    {
        while (true)
        {
            Call[] calls;
            lock (_lock)
            {
                // A caller that gave up is left out before its texts are decoded.
                calls = [.. _waiting.Where(c => !c.Done.Task.IsCompleted)];
                _waiting.Clear();
                if (calls.Length == 0)
                {
                    _running = false;
                    return;
                }
            }
            BeforeRun?.Invoke(calls.Length);
            if (calls.Length == 1)
            {
                Run(calls[0]);
                continue;
            }
            float[][] all;
            try
            {
                all = _embedder.Embed([.. calls.SelectMany(c => c.Texts)]);
            }
            catch (Exception)
            {
                // One caller's input may be what failed: each runs alone, so the error reaches its own.
                foreach (var c in calls) Run(c);
                continue;
            }
            var at = 0;
            foreach (var c in calls)
            {
                c.Done.TrySetResult(all[at..(at + c.Texts.Count)]);
                at += c.Texts.Count;
            }
        }
    }

    private void Run(Call call)
    {
        try
        {
            call.Done.TrySetResult(_embedder.Embed(call.Texts, call.Cancellation));
        }
        catch (OperationCanceledException e)
        {
            call.Done.TrySetCanceled(e.CancellationToken);
        }
        catch (LlamaException e) when (e is not LlamaRuntimeException)
        {
            // Text the engine cannot take is the input's problem, in the library's terms: an
            // ingest skips that document and goes on, as it does for a file it cannot parse.
            call.Done.TrySetException(new InvalidInputException(e.Message, e.Fix, e));
        }
        catch (Exception e)
        {
            call.Done.TrySetException(e);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return Metadata;
        if (serviceType.IsInstanceOfType(this)) return this;
        return null;
    }

    public void Dispose()
    {
        var model = _embedder.Model;
        _embedder.Dispose();
        if (_ownsModel) model.Dispose();
    }
}
