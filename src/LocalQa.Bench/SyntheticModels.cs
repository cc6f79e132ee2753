using LocalQa.Core;
using LocalQa.Core.Gguf;
using LocalQa.Hosting;
using LocalQa.Llama;
using LocalQa.Testing;

namespace LocalQa.Bench;

/// <summary>
/// Random-weight models with the exact tensor shapes of real ones, generated once into the cache:
/// speed depends on shapes and quantization, not on weight values, and no weights can be downloaded.
/// </summary>
public static class SyntheticModels
{
    public static IReadOnlyList<string> Names { get; } = ["tiny", "tinyllama-1.1b", "llama-3.2-1b"];

    /// <summary>
    /// Generated embedding models: the tiny test one (llama.cpp's llama-embed architecture: no LM
    /// head, bidirectional attention, mean pooling), and a BERT with bge-small-en-v1.5's exact shape,
    /// which llama.cpp runs through the same graph as the real model.
    /// </summary>
    public static IReadOnlyList<string> EmbeddingNames { get; } = ["tiny", "bge-small"];

    public static IReadOnlyList<string> Quantizations { get; } = ["f32", "f16", "q8_0", "q4_0"];

    /// <summary>The path of the generated model, writing it first if the cache lacks it.</summary>
    /// <param name="cacheDirectory">The data folder's cache/ (null: <see cref="LocalQaPaths.CacheDirectory"/>).</param>
    public static string Get(string name, string quant = "f16", string? cacheDirectory = null)
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
        return Cached(cacheDirectory, $"{name.ToLowerInvariant()}-{quant.ToLowerInvariant()}.gguf", tmp =>
        {
            if (shape == ModelShape.Tiny) SyntheticModel.WriteTiny(tmp, new TinyModelOptions { TensorType = type });
            else SyntheticModel.WriteShaped(tmp, shape, type, seed: 1);
        });
    }

    /// <summary>The path of a generated embedding model (see <see cref="EmbeddingNames"/>), writing it first if the cache lacks it.</summary>
    public static string GetEmbedding(string name, string quant = "f16", string? cacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var type = ParseQuantization(quant);
        var q = quant.ToLowerInvariant();
        return name.ToLowerInvariant() switch
        {
            "tiny" => Cached(cacheDirectory, $"embed-tiny-{q}.gguf", tmp => WriteTinyEmbedding(tmp, type)),
            // "bert" in the name: caches from before hold a llama-embed bge-small under the old one.
            "bge-small" => Cached(cacheDirectory, $"embed-bge-small-bert-{q}.gguf", tmp => SyntheticModel.WriteBert(tmp, BertModelShape.BgeSmallEnV15, type, seed: 1)),
            _ => throw new InvalidInputException($"Unknown synthetic embedding model '{name}'.", $"Use one of: {string.Join(", ", EmbeddingNames)}."),
        };
    }

    private static void WriteTinyEmbedding(string path, GgufTensorType type)
    {
        var llama = path + ".llama";
        try
        {
            SyntheticModel.WriteTiny(llama, TinyModelOptions.Embedding with { TensorType = type });
            WriteAsEmbeddingArchitecture(llama, path);
        }
        finally
        {
            File.Delete(llama);
        }
    }

    /// <summary>
    /// Copies a llama-architecture model as llama.cpp's "llama-embed" architecture: the same blocks
    /// without the output projection (llama.cpp skips the LM head only for this architecture, and
    /// computing a vocabulary-wide projection for every token would add half again to a small
    /// embedder's cost) and with bidirectional attention, as BERT-style embedders have.
    /// </summary>
    internal static void WriteAsEmbeddingArchitecture(string source, string destination)
    {
        const string from = "llama";
        const string to = "llama-embed";
        var file = GgufReader.Read(source);
        if (file.Architecture != from)
            throw new ArgumentException($"'{source}' is a {file.Architecture} model, not {from}.", nameof(source));
        using var writer = new GgufWriter(destination, file.Alignment);
        foreach (var (key, value) in file.Metadata)
        {
            if (key == "general.alignment") continue;
            if (key == "general.architecture") writer.AddMetadata(key, GgufValue.FromString(to));
            else if (key.StartsWith(from + ".", StringComparison.Ordinal)) writer.AddMetadata(to + key[from.Length..], value);
            else writer.AddMetadata(key, value);
        }
        writer.AddMetadata(to + ".attention.causal", GgufValue.FromBool(false));
        var kept = file.Tensors.Where(t => t.Name != "output.weight").ToList();
        foreach (var t in kept) writer.AddTensor(t.Name, t.Type, [.. t.Dimensions]);
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[kept.Max(t => t.ByteSize)];
        foreach (var t in kept)
        {
            input.Position = t.FilePosition;
            var bytes = buffer.AsSpan(0, checked((int)t.ByteSize));
            input.ReadExactly(bytes);
            writer.WriteTensorBytes(bytes);
        }
        writer.Complete();
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

    private static string Cached(string? cacheDirectory, string fileName, Action<string> write)
    {
        var dir = Path.Combine(cacheDirectory ?? LocalQaPaths.CacheDirectory, "synthetic");
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
