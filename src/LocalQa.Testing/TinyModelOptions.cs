using LocalQa.Core.Gguf;

namespace LocalQa.Testing;

/// <summary>Options of <see cref="SyntheticModel.WriteTiny"/>; the defaults make the standard test model.</summary>
public sealed record TinyModelOptions
{
    /// <summary>Width, layers, heads, FFN, context and vocabulary; <see cref="ModelShape.Tiny"/> by default.</summary>
    public ModelShape Shape { get; init; } = ModelShape.Tiny;

    /// <summary>Type of the weight matrices: F32 (default), F16, Q8_0 or Q4_0. Norms stay F32.</summary>
    public GgufTensorType TensorType { get; init; } = GgufTensorType.F32;

    /// <summary>Seed of the weights: the same seed and options give a byte-identical file.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Writes {arch}.pooling_type, which makes llama.cpp pool embeddings this way when the context
    /// leaves pooling unspecified: set <see cref="GgufPoolingType.Mean"/> for an embedding model.
    /// Null writes nothing (llama.cpp then does no pooling unless the context asks for it).
    /// </summary>
    public GgufPoolingType? PoolingType { get; init; }

    /// <summary>The chat template stored in tokenizer.chat_template; null stores none.</summary>
    public string? ChatTemplate { get; init; } = SyntheticModel.ChatMlTemplate;

    /// <summary>
    /// False writes a model whose greedy decoding never picks an end-of-generation token (their
    /// output rows are zero), so a generation runs to its token limit: for tests that must
    /// interrupt a generation on a machine of any speed.
    /// </summary>
    public bool EndsGeneration { get; init; } = true;

    /// <summary>The tiny model as an embedding model: mean pooling, no chat template.</summary>
    public static TinyModelOptions Embedding { get; } = new()
    {
        Shape = ModelShape.Tiny with { Name = "LocalQa tiny random llama embedding" },
        PoolingType = GgufPoolingType.Mean,
        ChatTemplate = null,
        Seed = 7,
    };
}
