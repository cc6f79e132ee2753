namespace LocalQa.Llama;

/// <summary>How to create a context. Defaults are llama.cpp's, which measured fastest on CPU.</summary>
public sealed record LlamaContextOptions
{
    /// <summary>Context size in tokens; 0 means the model's training context, capped at <see cref="DefaultMaxContext"/>.</summary>
    public int ContextSize { get; init; }

    /// <summary>Most tokens one <c>Decode</c> may carry.</summary>
    public int BatchSize { get; init; } = 2048;

    /// <summary>Tokens per physical compute step.</summary>
    public int MicroBatchSize { get; init; } = 512;

    /// <summary>Independent sequences (parallel generations or embeddings) the context can hold.</summary>
    public int Sequences { get; init; } = 1;

    /// <summary>
    /// The most threads a context takes: ggml's GGML_MAX_N_THREADS. Past it ggml's thread pool fails
    /// natively (libgomp's "Thread creation failed", or a stack overflow in a decode), and no machine
    /// LocalQa runs on has more cores than this.
    /// </summary>
    public const int MaxThreads = 512;

    /// <summary>
    /// The largest context asked for: 2^20 tokens, the longest any open model is trained for. Beyond
    /// it the KV cache alone would need far more memory than a laptop, and llama.cpp's sizes overflow.
    /// </summary>
    public const int MaxContext = 1 << 20;

    /// <summary>Threads for single-token decode steps; 0 picks the physical core count.</summary>
    public int Threads { get; init; }

    /// <summary>Threads for prompt batches; 0 picks the same as <see cref="Threads"/>.</summary>
    public int BatchThreads { get; init; }

    public FlashAttention FlashAttention { get; init; } = FlashAttention.Auto;

    /// <summary>Produce embeddings instead of (in addition to) logits.</summary>
    public bool Embeddings { get; init; }

    public PoolingType Pooling { get; init; } = PoolingType.Unspecified;

    /// <summary>One KV buffer for all sequences: best when sequences share a long prefix.</summary>
    public bool UnifiedKv { get; init; }

    /// <summary>F16 halves KV memory at a small precision cost; F32 is exact (tests), Q8_0 halves it again.</summary>
    public KvCacheType KvCache { get; init; } = KvCacheType.F16;

    public const int DefaultMaxContext = 8192;
}
