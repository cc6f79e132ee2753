using LocalQa.Llama.Native;

namespace LocalQa.Llama;

/// <summary>
/// A native llama_batch reused for the life of a context: filling it never allocates. Each token
/// belongs to one sequence; sharing a prefix between sequences goes through KV copies instead.
/// </summary>
public sealed unsafe class LlamaBatch : IDisposable
{
    private LlamaBatchNative _native;
    private bool _disposed;

    public LlamaBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 20);
        NativeRuntime.Ensure();
        _native = LlamaNative.llama_batch_init(capacity, 0, 1);
        if (_native.Token == null) throw new InvalidOperationException($"llama_batch_init could not allocate {capacity} tokens.");
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count => _native.NTokens;

    /// <summary>Number of tokens whose logits (or embeddings) were requested.</summary>
    public int OutputCount { get; private set; }

    internal LlamaBatchNative Native => _native;

    public void Clear()
    {
        _native.NTokens = 0;
        OutputCount = 0;
    }

    /// <summary>Appends a token; returns its index in the batch (the row to read logits from).</summary>
    public int Add(int token, int position, int sequence, bool output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var i = _native.NTokens;
        if (i >= Capacity) throw new InvalidOperationException($"The batch is full ({Capacity} tokens); decode it before adding more.");
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        _native.Token[i] = token;
        _native.Pos[i] = position;
        _native.NSeqId[i] = 1;
        _native.SeqId[i][0] = sequence;
        _native.Logits[i] = output ? (sbyte)1 : (sbyte)0;
        if (output) OutputCount++;
        _native.NTokens = i + 1;
        return i;
    }

    /// <summary>Appends a run of tokens of one sequence at consecutive positions; only the last may output.</summary>
    public void AddRange(ReadOnlySpan<int> tokens, int firstPosition, int sequence, bool outputLast)
    {
        for (var k = 0; k < tokens.Length; k++)
            Add(tokens[k], firstPosition + k, sequence, outputLast && k == tokens.Length - 1);
    }

    public int TokenAt(int index) => _native.Token[CheckIndex(index)];

    public int PositionAt(int index) => _native.Pos[CheckIndex(index)];

    public int SequenceAt(int index) => _native.SeqId[CheckIndex(index)][0];

    public bool OutputAt(int index) => _native.Logits[CheckIndex(index)] != 0;

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)_native.NTokens) throw new ArgumentOutOfRangeException(nameof(index), index, $"The batch holds {_native.NTokens} tokens.");
        return index;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        LlamaNative.llama_batch_free(_native);
        _native = default;
    }
}
