namespace LocalQa.Core.Gguf;

/// <summary>
/// Where one tensor lives in a GGUF file and what it holds. Dimensions are in ggml order: the
/// first is the length of a row (ne[0]), so token_embd.weight is [n_embd, n_vocab].
/// </summary>
public sealed class GgufTensorInfo
{
    internal GgufTensorInfo(string name, GgufTensorType type, long[] dimensions, long elementCount, long offset, long byteSize, long dataOffset)
    {
        Name = name;
        Type = type;
        Dimensions = dimensions;
        ElementCount = elementCount;
        Offset = offset;
        ByteSize = byteSize;
        FilePosition = dataOffset + offset;
    }

    /// <summary>The tensor's name, as llama.cpp knows it ("token_embd.weight", "blk.0.attn_q.weight").</summary>
    public string Name { get; }

    /// <summary>How the elements are stored: plain floats or a quantization.</summary>
    public GgufTensorType Type { get; }

    /// <summary>1 to 4 dimensions, each at least 1, row length first.</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>The product of the dimensions: the number of parameters.</summary>
    public long ElementCount { get; }

    /// <summary>Start of the data relative to the data section (as stored in the file).</summary>
    public long Offset { get; }

    /// <summary>Absolute position of the first byte of data in the file.</summary>
    public long FilePosition { get; }

    /// <summary>Bytes of data, without alignment padding.</summary>
    public long ByteSize { get; }

    /// <summary>Name, type and dimensions: "token_embd.weight Q8_0 [896, 151936]".</summary>
    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dimensions)}]";
}
