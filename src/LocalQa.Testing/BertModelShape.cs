using LocalQa.Core.Gguf;

namespace LocalQa.Testing;

/// <summary>
/// The hyperparameters of a BERT-architecture embedding model (llama.cpp's "bert": learned
/// positions, post-attention layer norms, a GELU FFN with biases, bidirectional attention), enough
/// to write a file whose tensors have exactly the shapes of a real embedder.
/// </summary>
public sealed record BertModelShape
{
    /// <summary>general.name of the generated file.</summary>
    public required string Name { get; init; }

    public required int EmbeddingLength { get; init; }

    public required int BlockCount { get; init; }

    public required int FeedForwardLength { get; init; }

    public required int HeadCount { get; init; }

    /// <summary>
    /// Tokens in the WordPiece vocabulary; null for the small built-in one (special tokens, letters,
    /// digits, punctuation and a few hundred English words). Larger ones are padded with generated pieces.
    /// </summary>
    public int? VocabSize { get; init; }

    /// <summary>The trained context: position_embd has one row per position, so no input may be longer.</summary>
    public int ContextLength { get; init; } = 512;

    public float LayerNormEpsilon { get; init; } = 1e-12f;

    /// <summary>How llama.cpp pools the token vectors into one per text (bert.pooling_type).</summary>
    public GgufPoolingType Pooling { get; init; } = GgufPoolingType.Mean;

    /// <summary>Rows of token_types.weight (BERT's "sentence A/B"); llama.cpp only ever adds row 0.</summary>
    public int TokenTypeCount { get; init; } = 2;

    /// <summary>The test model: width 64, 2 layers, 4 heads, FFN 128, a 128-token context, the built-in vocabulary, mean pooling.</summary>
    public static BertModelShape Tiny { get; } = new()
    {
        Name = "LocalQa tiny random bert",
        EmbeddingLength = 64,
        BlockCount = 2,
        FeedForwardLength = 128,
        HeadCount = 4,
        ContextLength = 128,
    };

    /// <summary>
    /// bge-small-en-v1.5: 12 layers, width 384, 12 heads, FFN 1536, 30522 tokens, a 512-token
    /// context and CLS pooling (its sentence-transformers config pools the first token, and
    /// llama.cpp's converter writes that as pooling type 2).
    /// </summary>
    public static BertModelShape BgeSmallEnV15 { get; } = new()
    {
        Name = "LocalQa random bert, bge-small-en-v1.5 shape",
        EmbeddingLength = 384,
        BlockCount = 12,
        FeedForwardLength = 1536,
        HeadCount = 12,
        VocabSize = 30522,
        ContextLength = 512,
        Pooling = GgufPoolingType.Cls,
    };

    internal void Validate(GgufTensorType type)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(EmbeddingLength, 1, nameof(EmbeddingLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockCount, 1, nameof(BlockCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(FeedForwardLength, 1, nameof(FeedForwardLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(HeadCount, 1, nameof(HeadCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(ContextLength, 1, nameof(ContextLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(TokenTypeCount, 1, nameof(TokenTypeCount));
        if (float.IsNaN(LayerNormEpsilon) || LayerNormEpsilon < 0)
        {
            throw new ArgumentException($"The layer norm epsilon {LayerNormEpsilon} is not a small positive number.");
        }
        if (Pooling is not (GgufPoolingType.Mean or GgufPoolingType.Cls))
        {
            throw new ArgumentException($"A BERT embedder pools by mean or by its CLS token, not {Pooling}.");
        }
        if (EmbeddingLength % HeadCount != 0)
        {
            throw new ArgumentException($"The width {EmbeddingLength} must split into {HeadCount} heads of equal size.");
        }
        var block = GgufTensorTypes.BlockSize(type);
        if (EmbeddingLength % block != 0 || FeedForwardLength % block != 0)
        {
            throw new ArgumentException($"{type} needs the width and FFN length to be multiples of {block}.");
        }
    }
}
