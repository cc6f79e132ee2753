using System.Globalization;
using LocalQa.Core;
using Microsoft.Extensions.AI;

namespace LocalQa.Hosting.Remote;

/// <summary>
/// A remote engine's embedding generator whose failures are <see cref="RemoteEngineException"/>s
/// and whose vectors must all have one length: the length the index already holds for this model,
/// or else the first the engine returned. Vectors of another length are refused, never mixed in.
/// </summary>
public sealed class RemoteEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, string endpoint, string model, TimeSpan timeout, int? indexDimensions)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private int _dimensions = indexDimensions ?? 0;

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values as IReadOnlyCollection<string> ?? values.ToArray();
        GeneratedEmbeddings<Embedding<float>> vectors;
        try
        {
            vectors = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
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
