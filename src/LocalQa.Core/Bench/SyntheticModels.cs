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
        var type = quant.ToLowerInvariant() switch
        {
            "f32" => GgufTensorType.F32,
            "f16" => GgufTensorType.F16,
            "q8_0" => GgufTensorType.Q8_0,
            "q4_0" => GgufTensorType.Q4_0,
            _ => throw new InvalidInputException($"Unknown quantization '{quant}'.", "Use f32, f16, q8_0 or q4_0."),
        };
        var dir = Path.Combine(LocalQaPaths.CacheDirectory, "synthetic");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{name.ToLowerInvariant()}-{quant.ToLowerInvariant()}.gguf");
        if (File.Exists(path)) return path;
        // Written under a temporary name and renamed, so an interrupted run never leaves a half model.
        var tmp = path + $".{Environment.ProcessId}.partial";
        if (shape == ModelShape.Tiny) SyntheticModel.WriteTiny(tmp, new TinyModelOptions { TensorType = type });
        else SyntheticModel.WriteShaped(tmp, shape, type, seed: 1);
        File.Move(tmp, path, overwrite: true);
        return path;
    }
}
