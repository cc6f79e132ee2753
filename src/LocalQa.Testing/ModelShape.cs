using LocalQa.Core.Gguf;

namespace LocalQa.Testing;

/// <summary>
/// The hyperparameters of a llama-architecture model: enough to write a file whose tensors have
/// exactly the shapes of a real model, so speed measured on it is the real model's speed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores",
    Justification = "TinyLlama1_1B reads as 1.1B and Llama32_1B as 3.2-1B: the names of the models they imitate.")]
public sealed record ModelShape
{
    /// <summary>general.name of the generated file.</summary>
    public required string Name { get; init; }

    public required int EmbeddingLength { get; init; }

    public required int BlockCount { get; init; }

    public required int FeedForwardLength { get; init; }

    public required int HeadCount { get; init; }

    public required int HeadCountKv { get; init; }

    /// <summary>
    /// Tokens in the vocabulary; null for the small built-in one (special tokens, 256 byte tokens
    /// and a few hundred English pieces). Larger vocabularies are padded with generated pieces.
    /// </summary>
    public int? VocabSize { get; init; }

    public int ContextLength { get; init; } = 2048;

    /// <summary>Whether the output projection reuses token_embd.weight (no output.weight tensor), as Llama 3.2 does.</summary>
    public bool TiedEmbeddings { get; init; }

    public float RopeFreqBase { get; init; } = 10000f;

    public float RmsNormEpsilon { get; init; } = 1e-5f;

    /// <summary>The test model: width 64, 2 layers, 4 heads sharing 2 KV heads, FFN 128, the built-in vocabulary.</summary>
    public static ModelShape Tiny { get; } = new()
    {
        Name = "LocalQa tiny random llama",
        EmbeddingLength = 64,
        BlockCount = 2,
        FeedForwardLength = 128,
        HeadCount = 4,
        HeadCountKv = 2,
    };

    /// <summary>TinyLlama 1.1B: 22 layers, width 2048, FFN 5632, 32 heads, 4 KV heads, 32000 tokens.</summary>
    public static ModelShape TinyLlama1_1B { get; } = new()
    {
        Name = "LocalQa random llama, TinyLlama-1.1B shape",
        EmbeddingLength = 2048,
        BlockCount = 22,
        FeedForwardLength = 5632,
        HeadCount = 32,
        HeadCountKv = 4,
        VocabSize = 32000,
    };

    /// <summary>Llama 3.2 1B: 16 layers, width 2048, FFN 8192, 32 heads, 8 KV heads, 128256 tokens, tied output.</summary>
    public static ModelShape Llama32_1B { get; } = new()
    {
        Name = "LocalQa random llama, Llama-3.2-1B shape",
        EmbeddingLength = 2048,
        BlockCount = 16,
        FeedForwardLength = 8192,
        HeadCount = 32,
        HeadCountKv = 8,
        VocabSize = 128256,
        TiedEmbeddings = true,
        RopeFreqBase = 500000f,
    };

    internal int HeadDimension => EmbeddingLength / HeadCount;

    internal void Validate(GgufTensorType type)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(EmbeddingLength, 2, nameof(EmbeddingLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockCount, 1, nameof(BlockCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(FeedForwardLength, 1, nameof(FeedForwardLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(HeadCount, 1, nameof(HeadCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(HeadCountKv, 1, nameof(HeadCountKv));
        ArgumentOutOfRangeException.ThrowIfLessThan(ContextLength, 1, nameof(ContextLength));
        if (EmbeddingLength % HeadCount != 0 || HeadDimension % 2 != 0)
        {
            throw new ArgumentException($"The width {EmbeddingLength} must split into {HeadCount} heads of an even size (RoPE rotates pairs).");
        }
        if (HeadCount % HeadCountKv != 0)
        {
            throw new ArgumentException($"{HeadCount} heads cannot share {HeadCountKv} KV heads evenly.");
        }
        var block = GgufTensorTypes.BlockSize(type);
        if (EmbeddingLength % block != 0 || FeedForwardLength % block != 0)
        {
            throw new ArgumentException($"{type} needs the width and FFN length to be multiples of {block}.");
        }
    }
}
