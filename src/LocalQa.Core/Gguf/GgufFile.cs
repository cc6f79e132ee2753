using System.Globalization;
using System.Text.Json.Nodes;

namespace LocalQa.Core.Gguf;

/// <summary>
/// The header of a GGUF file, validated: metadata and tensor layout, no tensor data.
/// Read one with <see cref="GgufReader.Read(string)"/>. Immutable and safe to share between threads.
/// </summary>
public sealed class GgufFile
{
    // llama.h enum llama_ftype, indexed by value; null marks values removed from llama.cpp.
    private static readonly string?[] FileTypeNames =
    [
        "ALL_F32", "MOSTLY_F16", "MOSTLY_Q4_0", "MOSTLY_Q4_1", null, null, null, "MOSTLY_Q8_0",
        "MOSTLY_Q5_0", "MOSTLY_Q5_1", "MOSTLY_Q2_K", "MOSTLY_Q3_K_S", "MOSTLY_Q3_K_M", "MOSTLY_Q3_K_L",
        "MOSTLY_Q4_K_S", "MOSTLY_Q4_K_M", "MOSTLY_Q5_K_S", "MOSTLY_Q5_K_M", "MOSTLY_Q6_K",
        "MOSTLY_IQ2_XXS", "MOSTLY_IQ2_XS", "MOSTLY_Q2_K_S", "MOSTLY_IQ3_XS", "MOSTLY_IQ3_XXS",
        "MOSTLY_IQ1_S", "MOSTLY_IQ4_NL", "MOSTLY_IQ3_S", "MOSTLY_IQ3_M", "MOSTLY_IQ2_S", "MOSTLY_IQ2_M",
        "MOSTLY_IQ4_XS", "MOSTLY_IQ1_M", "MOSTLY_BF16", null, null, null, "MOSTLY_TQ1_0", "MOSTLY_TQ2_0",
        "MOSTLY_MXFP4_MOE", "MOSTLY_NVFP4", "MOSTLY_Q1_0", "MOSTLY_Q2_0",
    ];

    internal GgufFile(
        string path, uint version, IReadOnlyDictionary<string, GgufValue> metadata,
        IReadOnlyList<GgufTensorInfo> tensors, int alignment, long dataOffset, long fileLength)
    {
        Path = path;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        Alignment = alignment;
        DataOffset = dataOffset;
        FileLength = fileLength;
        ParameterCount = tensors.Sum(t => t.ElementCount);
        TensorTypes = [.. tensors
            .GroupBy(t => t.Type)
            .Select(g => new GgufTensorTypeStats(g.Key, g.Count(), g.Sum(t => t.ElementCount), g.Sum(t => t.ByteSize)))
            .OrderByDescending(s => s.ElementCount)
            .ThenBy(s => s.Type)];
    }

    /// <summary>The path the file was read from (or the name given for a stream).</summary>
    public string Path { get; }

    /// <summary>GGUF format version: 2 or 3.</summary>
    public uint Version { get; }

    /// <summary>Every metadata key and value, enumerated in file order.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    /// <summary>Every tensor, in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Alignment of tensor data (general.alignment, 32 when absent).</summary>
    public int Alignment { get; }

    /// <summary>Position of the tensor data section: tensor offsets are relative to it.</summary>
    public long DataOffset { get; }

    /// <summary>Length of the file in bytes.</summary>
    public long FileLength { get; }

    /// <summary>Total number of tensor elements: the model's parameter count.</summary>
    public long ParameterCount { get; }

    /// <summary>Tensor types used, the one holding most parameters first.</summary>
    public IReadOnlyList<GgufTensorTypeStats> TensorTypes { get; }

    /// <summary>The tensor type holding most parameters (the effective quantization), null without tensors.</summary>
    public GgufTensorType? PredominantTensorType => TensorTypes.Count > 0 ? TensorTypes[0].Type : null;

    /// <summary>general.architecture: "llama", "qwen2", "bert", ...</summary>
    public string? Architecture => GetString("general.architecture");

    /// <summary>general.name.</summary>
    public string? Name => GetString("general.name");

    /// <summary>general.file_type as a llama_ftype name without its prefix ("MOSTLY_Q4_0", "ALL_F32").</summary>
    public string? FileType => GetInt64("general.file_type") switch
    {
        null => null,
        { } v when v >= 0 && v < FileTypeNames.Length && FileTypeNames[v] is { } name => name,
        1024 => "GUESSED",
        { } v => string.Create(CultureInfo.InvariantCulture, $"UNKNOWN({v})"),
    };

    /// <summary>{arch}.context_length: the context the model was trained for, in tokens; null when absent.</summary>
    public long? ContextLength => GetArchInt64("context_length");

    /// <summary>{arch}.embedding_length: the width of the hidden state, as a rule an embedding model's vector length; null when absent.</summary>
    public long? EmbeddingLength => GetArchInt64("embedding_length");

    /// <summary>{arch}.block_count: the number of transformer layers; null when absent.</summary>
    public long? BlockCount => GetArchInt64("block_count");

    /// <summary>{arch}.attention.head_count: attention heads (the most of any layer when it varies); null when absent.</summary>
    public long? HeadCount => GetArchInt64("attention.head_count");

    /// <summary>{arch}.attention.head_count_kv: key/value heads, fewer than <see cref="HeadCount"/> under grouped-query attention; null when absent.</summary>
    public long? HeadCountKv => GetArchInt64("attention.head_count_kv");

    /// <summary>{arch}.feed_forward_length: the width of the feed-forward layers (the most of any layer when it varies); null when absent.</summary>
    public long? FeedForwardLength => GetArchInt64("feed_forward_length");

    /// <summary>Number of tokens in the vocabulary (length of tokenizer.ggml.tokens).</summary>
    public long? VocabSize =>
        Metadata.TryGetValue("tokenizer.ggml.tokens", out var v) && v.IsArray ? v.ArrayLength : null;

    /// <summary>tokenizer.chat_template, the Jinja template of the model's chat format.</summary>
    public string? ChatTemplate => GetString("tokenizer.chat_template");

    /// <summary>{arch}.pooling_type of an embedding model, null when the file does not say.</summary>
    public GgufPoolingType? PoolingType => GetArchInt64("pooling_type") is { } v && v is >= 0 and <= int.MaxValue ? (GgufPoolingType)v : null;

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public GgufValue? GetValue(string key) => Metadata.GetValueOrDefault(key);

    /// <summary>The string value of <paramref name="key"/>; null when absent or not a string.</summary>
    public string? GetString(string key) => GetValue(key)?.Value as string;

    /// <summary>
    /// The integer value of <paramref name="key"/> (any integer width); null when absent or not an
    /// integer. A per-layer array (some models vary head counts by layer) gives its largest element.
    /// </summary>
    public long? GetInt64(string key)
    {
        var value = GetValue(key);
        if (value is null)
        {
            return null;
        }
        if (!value.IsArray)
        {
            return value.AsInt64OrNull();
        }
        long? max = null;
        foreach (var item in (Array)value.Value)
        {
            if (GgufValue.OfScalar(value.ElementType!.Value, item).AsInt64OrNull() is not { } n)
            {
                return null;
            }
            max = max is { } m ? Math.Max(m, n) : n;
        }
        return max;
    }

    /// <summary>
    /// The metadata as a JSON object in file order, printable: arrays longer than
    /// <paramref name="maxArrayElements"/> (tokens, scores, merges) become "[array of 32000 string]".
    /// </summary>
    public JsonObject DescribeMetadata(int maxArrayElements = 16)
    {
        var json = new JsonObject();
        foreach (var (key, value) in Metadata)
        {
            json[key] = value.ToJson(maxArrayElements);
        }
        return json;
    }

    /// <summary>
    /// What <c>localqa models inspect</c> prints: architecture, parameters, file_type,
    /// context_length, embedding_length, block_count, vocab_size, chat_template (whether there is
    /// one) and the summarized metadata.
    /// </summary>
    public JsonObject Describe(int maxArrayElements = 16) => new()
    {
        ["architecture"] = Architecture,
        ["parameters"] = ParameterCount,
        ["file_type"] = FileType ?? GuessFileType(),
        ["context_length"] = ContextLength,
        ["embedding_length"] = EmbeddingLength,
        ["block_count"] = BlockCount,
        ["vocab_size"] = VocabSize,
        ["chat_template"] = ChatTemplate is not null,
        ["metadata"] = DescribeMetadata(maxArrayElements),
    };

    // Without general.file_type, llama.cpp names the type from the tensors and says it guessed.
    private string? GuessFileType() => PredominantTensorType switch
    {
        null => null,
        GgufTensorType.F32 => "ALL_F32 (guessed)",
        { } type => $"MOSTLY_{type} (guessed)",
    };

    private long? GetArchInt64(string suffix) =>
        Architecture is { } arch ? GetInt64($"{arch}.{suffix}") : null;
}

/// <summary>How many tensors, parameters and bytes of one type a file holds.</summary>
public sealed record GgufTensorTypeStats(GgufTensorType Type, int TensorCount, long ElementCount, long ByteSize);

/// <summary>llama.h <c>enum llama_pooling_type</c>: how an embedding model turns token vectors into one.</summary>
public enum GgufPoolingType
{
    /// <summary>No pooling: one vector per token.</summary>
    None = 0,
    /// <summary>The average of the token vectors.</summary>
    Mean = 1,
    /// <summary>The vector of the first token (BERT's [CLS]).</summary>
    Cls = 2,
    /// <summary>The vector of the last token.</summary>
    Last = 3,
    /// <summary>A reranker's relevance score from its classification head, not an embedding.</summary>
    Rank = 4,
}
