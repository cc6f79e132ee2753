using System.Numerics.Tensors;

namespace LocalQa.Llama;

public sealed record EmbedderOptions
{
    /// <summary>Texts decoded together in one batch (one sequence each).</summary>
    public int MaxSequences { get; init; } = 32;

    /// <summary>
    /// Tokens per batch; also the longest text, with the model's trained context: a longer text is
    /// cut to the smaller of the two, keeping the separator a BERT tokenizer closes it with.
    /// </summary>
    public int BatchTokens { get; init; } = 2048;

    public int Threads { get; init; }

    /// <summary>Text put before every input (some models want "search_query: " and the like).</summary>
    public string Prefix { get; init; } = "";
}

/// <summary>
/// Embeds many texts per <c>llama_decode</c>, one sequence each, pooled and L2-normalized, in one
/// context kept for the embedder's life. Not thread-safe.
/// </summary>
public sealed class LlamaEmbedder : IDisposable
{
    private readonly LlamaContext _ctx;
    private readonly LlamaBatch _batch;
    private readonly EmbedderOptions _options;

    public LlamaEmbedder(LlamaModel model, EmbedderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _options = options ?? new EmbedderOptions();
        var tokens = Math.Min(_options.BatchTokens, Math.Max(64, model.TrainingContextLength));
        // A model that declares no pooling (a chat model used for embeddings) gets mean pooling.
        var declared = model.Metadata.ContainsKey(model.Architecture + ".pooling_type");
        _ctx = LlamaContext.Create(model, new LlamaContextOptions
        {
            ContextSize = tokens,
            BatchSize = tokens,
            MicroBatchSize = tokens,
            Sequences = Math.Clamp(_options.MaxSequences, 1, 64),
            Embeddings = true,
            Pooling = declared ? PoolingType.Unspecified : PoolingType.Mean,
            UnifiedKv = true,
            Threads = _options.Threads,
        });
        if (_ctx.Pooling == PoolingType.None)
            throw new ModelFileException($"Model '{model.Path}' produces per-token embeddings only (pooling none).", "Use an embedding model such as bge-small-en-v1.5.");
        _batch = new LlamaBatch(_ctx.BatchSize);
        Dimensions = model.EmbeddingLength;
    }

    public int Dimensions { get; }

    public LlamaModel Model => _ctx.Model;

    /// <summary>Decode calls made so far (batched embedding makes few).</summary>
    public int DecodeCalls { get; private set; }

    /// <summary>Embeds texts; returns one unit-length vector per text, in order.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        var tokenized = new int[texts.Count][];
        var max = _ctx.BatchSize;
        for (var i = 0; i < texts.Count; i++)
        {
            var t = _ctx.Model.Tokenize(_options.Prefix + (texts[i] ?? ""), addSpecial: true);
            if (t.Length == 0) t = [_ctx.Model.BosToken >= 0 ? _ctx.Model.BosToken : 0];
            tokenized[i] = t.Length > max ? Cut(t, max) : t;
        }

        var start = 0;
        while (start < texts.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _batch.Clear();
            var end = start;
            while (end < texts.Count && end - start < _ctx.Sequences && _batch.Count + tokenized[end].Length <= max)
            {
                var seq = end - start;
                var toks = tokenized[end];
                for (var k = 0; k < toks.Length; k++) _batch.Add(toks[k], k, seq, output: true);
                end++;
            }
            _ctx.Decode(_batch, cancellationToken);
            DecodeCalls++;
            for (var i = start; i < end; i++)
            {
                var v = _ctx.GetSequenceEmbedding(i - start).ToArray();
                Normalize(v);
                result[i] = v;
            }
            _ctx.ClearMemory();
            start = end;
        }
        return result;
    }

    // Tokenizing leaves text that reads like a control token as plain text, so a control token at
    // the end was added by the tokenizer (BERT's [SEP]): the cut text keeps it, as Hugging Face's
    // truncation does, and ends the way the model saw every text end in training.
    private int[] Cut(int[] tokens, int length)
    {
        var cut = tokens[..length];
        if (_ctx.Model.IsControl(tokens[^1])) cut[^1] = tokens[^1];
        return cut;
    }

    internal static void Normalize(Span<float> v)
    {
        var norm = TensorPrimitives.Norm(v);
        if (norm > 0 && float.IsFinite(norm)) TensorPrimitives.Divide(v, norm, v);
    }

    public void Dispose()
    {
        _batch.Dispose();
        _ctx.Dispose();
    }
}
