using LocalQa.Core.Ai;

namespace LocalQa.Llama;

/// <summary>The context a <see cref="LlamaBatchChatClient"/> builds: how many prompts run side by side, and each one's room.</summary>
public sealed record BatchChatOptions
{
    /// <summary>Sequences of one batch; 0 picks 4.</summary>
    public int Parallel { get; init; }

    /// <summary>Tokens per sequence (a prompt and its answer); 0 picks the model's trained context or 2048, whichever is smaller.</summary>
    public int SequenceContext { get; init; }

    /// <summary>CPU threads; 0 lets the engine choose.</summary>
    public int Threads { get; init; }

    /// <summary>Attention and KV precision. Flash attention and an F16 cache round through half precision,
    /// so only Off with F32 makes a batched run bit-identical to a sequential one.</summary>
    public FlashAttention FlashAttention { get; init; } = FlashAttention.Auto;

    public KvCacheType KvCache { get; init; } = KvCacheType.F16;
}
