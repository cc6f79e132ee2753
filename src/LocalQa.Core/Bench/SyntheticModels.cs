using LocalQa.Llama;
using LocalQa.Llama.Gguf;

namespace LocalQa.Core.Bench;

/// <summary>
/// Random-weight models with the exact tensor shapes of real ones, generated once into the cache:
/// speed depends on shapes and quantization, not on weight values, and no weights can be downloaded.
/// </summary>
public static class SyntheticModels
{
    public static IReadOnlyList<string> Names { get; } = ["tiny", "tinyllama-1.1b", "llama-3.2-1b"];

    /// <summary>Generated embedding models: the tiny test one, and one shaped like bge-small-en-v1.5.</summary>
    public static IReadOnlyList<string> EmbeddingNames { get; } = ["tiny", "bge-small"];

    public static IReadOnlyList<string> Quantizations { get; } = ["f32", "f16", "q8_0", "q4_0"];

    /// <summary>
    /// bge-small-en-v1.5's size as a llama-architecture model (BERT is not writable here): 12 layers,
    /// width 384, 12 heads, FFN 1536, a 30522-token vocabulary and a 512-token context, mean-pooled.
    /// Attention is causal rather than bidirectional, which costs the same.
    /// </summary>
    public static ModelShape BgeSmallShape { get; } = new()
    {
        Name = "LocalQa random llama embedding, bge-small shape",
        EmbeddingLength = 384,
        BlockCount = 12,
        FeedForwardLength = 1536,
        HeadCount = 12,
        HeadCountKv = 12,
        VocabSize = 30522,
        ContextLength = 512,
    };

    /// <summary>The path of the generated model, writing it first if the cache lacks it.</summary>
    public static string Get(string name, string quant = "f16")
    {
        ArgumentNullException.ThrowIfNull(name);
        var shape = name.ToLowerInvariant() switch
        {
            "tiny" => ModelShape.Tiny,
            "tinyllama-1.1b" => ModelShape.TinyLlama1_1B,
            "llama-3.2-1b" => ModelShape.Llama32_1B,
            _ => throw new InvalidInputException($"Unknown synthetic model '{name}'.", $"Use one of: {string.Join(", ", Names)}."),
        };
        var type = ParseQuantization(quant);
        return Cached($"{name.ToLowerInvariant()}-{quant.ToLowerInvariant()}.gguf", tmp =>
        {
            if (shape == ModelShape.Tiny) SyntheticModel.WriteTiny(tmp, new TinyModelOptions { TensorType = type });
            else SyntheticModel.WriteShaped(tmp, shape, type, seed: 1);
        });
    }

    /// <summary>The path of a generated mean-pooling embedding model (see <see cref="EmbeddingNames"/>), writing it first if the cache lacks it.</summary>
    public static string GetEmbedding(string name, string quant = "f16")
    {
        ArgumentNullException.ThrowIfNull(name);
        var options = name.ToLowerInvariant() switch
        {
            "tiny" => TinyModelOptions.Embedding,
            "bge-small" => TinyModelOptions.Embedding with { Shape = BgeSmallShape },
            _ => throw new InvalidInputException($"Unknown synthetic embedding model '{name}'.", $"Use one of: {string.Join(", ", EmbeddingNames)}."),
        };
        options = options with { TensorType = ParseQuantization(quant) };
        return Cached($"embed-{name.ToLowerInvariant()}-{quant.ToLowerInvariant()}.gguf", tmp => SyntheticModel.WriteTiny(tmp, options));
    }

    private static GgufTensorType ParseQuantization(string quant)
    {
        ArgumentNullException.ThrowIfNull(quant);
        return quant.ToLowerInvariant() switch
        {
            "f32" => GgufTensorType.F32,
            "f16" => GgufTensorType.F16,
            "q8_0" => GgufTensorType.Q8_0,
            "q4_0" => GgufTensorType.Q4_0,
            _ => throw new InvalidInputException($"Unknown quantization '{quant}'.", "Use f32, f16, q8_0 or q4_0."),
        };
    }

    private static string Cached(string fileName, Action<string> write)
    {
        var dir = Path.Combine(LocalQaPaths.CacheDirectory, "synthetic");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, fileName);
        if (File.Exists(path)) return path;
        // Written under a temporary name and renamed, so an interrupted run never leaves a half model.
        var tmp = path + $".{Environment.ProcessId}.partial";
        write(tmp);
        File.Move(tmp, path, overwrite: true);
        return path;
    }
}
