using System.Globalization;
using LocalQa.Core;
using Microsoft.Extensions.AI;

namespace LocalQa.Hosting.Remote;

/// <summary>
/// A remote engine's embedding generator whose failures are <see cref="RemoteEngineException"/>s
/// and whose vectors must all have one length: the length the index already holds for this model,
/// or else the first the engine returned. Vectors of another length are refused, never mixed in.
/// The texts of one call go out as up to <paramref name="concurrency"/> requests at once, each an
/// array of consecutive texts, and come back in their order. Thread-safe as the inner generator is.
/// </summary>
public sealed class RemoteEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, string endpoint, string model, TimeSpan timeout, int? indexDimensions, int concurrency = 1)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private int _dimensions = indexDimensions ?? 0;

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values as IReadOnlyList<string> ?? values.ToArray();
        var requests = Math.Clamp(concurrency, 1, Math.Max(1, inputs.Count));
        var size = (inputs.Count + requests - 1) / Math.Max(1, requests);
        GeneratedEmbeddings<Embedding<float>> vectors;
        try
        {
            if (requests <= 1)
            {
                vectors = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // The first failure stops the others: its error is the one reported, nothing is kept.
                using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var parts = Enumerable.Range(0, (inputs.Count + size - 1) / size)
                    .Select(async k =>
                    {
                        var slice = inputs.Skip(k * size).Take(size).ToArray();
                        try
                        {
                            return (Count: slice.Length, Vectors: await base.GenerateAsync(slice, options?.Clone(), failed.Token).ConfigureAwait(false));
                        }
                        catch
                        {
                            await failed.CancelAsync().ConfigureAwait(false);
                            throw;
                        }
                    }).ToArray();
                (int Count, GeneratedEmbeddings<Embedding<float>> Vectors)[] done;
                try
                {
                    done = await Task.WhenAll(parts).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && parts.FirstOrDefault(p => p.IsFaulted) is { } first)
                {
                    // A sibling cancelled by the failure finished first: report the failure itself.
                    await first.ConfigureAwait(false);
                    throw;
                }
                vectors = [];
                foreach (var (count, got) in done)
                {
                    if (got.Count != count) { vectors = got; break; }
                    vectors.AddRange(got);
                    if (got.Usage is { } usage) (vectors.Usage ??= new UsageDetails()).Add(usage);
                }
            }
        }
        catch (Exception e) when (RemoteFaults.Translate(e, endpoint, model, SettingKeys.EmbedModel, timeout, cancellationToken) is { } remote)
        {
            throw remote;
        }
        if (vectors.Count != inputs.Count)
            throw new RemoteEngineException(RemoteFault.Malformed,
                string.Create(CultureInfo.InvariantCulture, $"The engine at {endpoint} returned {vectors.Count} embeddings for {inputs.Count} texts ({model})."),
                "Check that the endpoint is an OpenAI-compatible API and the model an embedding model.");
        foreach (var vector in vectors)
        {
            var length = vector.Vector.Length;
            if (_dimensions == 0 && length > 0) _dimensions = length;
            if (length == _dimensions) continue;
            throw new RemoteEngineException(RemoteFault.WrongDimension, indexDimensions is { } stored
                    ? string.Create(CultureInfo.InvariantCulture, $"The embedding model '{model}' at {endpoint} returned vectors of {length} dimensions, but the index holds {stored}-dimensional vectors of that model: the server's model changed under the same name.")
                    : string.Create(CultureInfo.InvariantCulture, $"The embedding model '{model}' at {endpoint} returned vectors of {length} and {_dimensions} dimensions."),
                "Re-embed into a new index: 'localqa ingest FOLDER --index NEW-INDEX' (then use that index), or name the model that made the vectors in embed_model. Nothing was written.")
            {
                Setting = SettingKeys.EmbedModel,
            };
        }
        return vectors;
    }
}
