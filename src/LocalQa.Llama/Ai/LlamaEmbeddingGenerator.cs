using LocalQa.Core;
using LocalQa.Core.Ai;
using Microsoft.Extensions.AI;

namespace LocalQa.Llama;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> over an in-process llama.cpp model: all inputs
/// of a call are embedded in as few batches as fit (one sequence each), unit length.
/// Thread-safety: calls may come from any thread; they run one at a time.
/// </summary>
public sealed class LlamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaEmbedder _embedder;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly bool _ownsModel;

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

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            float[][] vectors;
            try
            {
                vectors = _embedder.Embed(texts, cancellationToken);
            }
            catch (LlamaException e) when (e is not LlamaRuntimeException)
            {
                // Text the engine cannot take is the input's problem, in the library's terms: an
                // ingest skips that document and goes on, as it does for a file it cannot parse.
                throw new InvalidInputException(e.Message, e.Fix, e);
            }
            var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
            foreach (var v in vectors) result.Add(new Embedding<float>(v) { ModelId = Metadata.DefaultModelId, CreatedAt = DateTimeOffset.UtcNow });
            return result;
        }
        finally
        {
            _gate.Release();
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
        _gate.Dispose();
    }
}
