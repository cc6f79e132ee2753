using LocalQa.Core;
using LocalQa.Core.Gguf;

namespace LocalQa.Hosting.Models;

/// <summary>
/// A GGUF file found in a models folder, as its header describes it (read with the managed
/// <see cref="GgufReader"/>: no native code, milliseconds even for gigabytes). A file that is not
/// valid GGUF is still listed, with <see cref="Error"/> saying why.
/// </summary>
public sealed record LocalModel
{
    public required string Path { get; init; }

    public string FileName => System.IO.Path.GetFileName(Path);

    public required long SizeBytes { get; init; }

    /// <summary>general.architecture: "llama", "qwen2", "bert", ...</summary>
    public string? Architecture { get; init; }

    /// <summary>general.name, the name the model's authors gave it.</summary>
    public string? DisplayName { get; init; }

    public long? Parameters { get; init; }

    /// <summary>The quantization: general.file_type ("MOSTLY_Q4_K_M"), else the predominant tensor type.</summary>
    public string? Quantization { get; init; }

    /// <summary>The context the model was trained with, in tokens.</summary>
    public long? ContextLength { get; init; }

    public long? EmbeddingLength { get; init; }

    public bool HasChatTemplate { get; init; }

    /// <summary>The file declares a pooling type, or its architecture is an encoder (BERT-like).</summary>
    public bool IsEmbeddingCapable { get; init; }

    /// <summary>The catalog entry this file is, matched by file name; null for other files.</summary>
    public CatalogModel? Catalog { get; init; }

    /// <summary>Why the header could not be read; null for a valid GGUF file.</summary>
    public string? Error { get; init; }
}
