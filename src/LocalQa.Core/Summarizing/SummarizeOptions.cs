using LocalQa.Llama;

namespace LocalQa.Core.Summarizing;

public sealed record SummarizeOptions
{
    public int MaxWords { get; init; } = 150;
    public int KeyPoints { get; init; } = 5;

    /// <summary>Related library documents to list.</summary>
    public int Related { get; init; } = 3;

    /// <summary>Parallel sequences for the map step (one batch); 0 picks 4.</summary>
    public int Parallel { get; init; }

    /// <summary>Tokens per sequence of the summarizing context; 0 picks min(model, 2048).</summary>
    public int SequenceContext { get; init; }

    /// <summary>Attention and KV precision. Flash attention and an F16 cache round through half precision,
    /// so only Off with F32 makes a batched map bit-identical to a sequential one.</summary>
    public FlashAttention FlashAttention { get; init; } = FlashAttention.Auto;

    public KvCacheType KvCache { get; init; } = KvCacheType.F16;
}
