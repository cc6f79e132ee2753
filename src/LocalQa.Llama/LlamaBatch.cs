using LLama.Native;

namespace LocalQa.Llama;

/// <summary>
/// A native llama_batch reused for the life of a context: filling it never allocates. Each token
/// belongs to one sequence; sharing a prefix between sequences goes through KV copies instead.
/// </summary>
/// <remarks>
/// Not LLamaSharp's managed <c>LLamaBatch</c>: that one grows managed arrays and is pinned and
/// converted on every decode, and its decode takes LLamaSharp's process-wide lock. This writes
/// straight into llama.cpp's own batch (allocated by <c>llama_batch_init</c> through LLamaSharp).
/// </remarks>
public sealed unsafe class LlamaBatch : IDisposable
{
    private LLamaNativeBatch _native;
    private bool _disposed;

    public LlamaBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 20);
        LocalQa.Llama.Native.NativeRuntime.Ensure();
        _native = NativeApi.llama_batch_init(capacity, 0, 1);
        if (_native.tokens == null) throw new InvalidOperationException($"llama_batch_init could not allocate {capacity} tokens.");
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count => _native.n_tokens;

    /// <summary>Number of tokens whose logits (or embeddings) were requested.</summary>
    public int OutputCount { get; private set; }

    internal ref readonly LLamaNativeBatch Native => ref _native;

    public void Clear()
    {
        _native.n_tokens = 0;
        OutputCount = 0;
    }

    /// <summary>Appends a token; returns its index in the batch (the row to read logits from).</summary>
    public int Add(int token, int position, int sequence, bool output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var i = _native.n_tokens;
        if (i >= Capacity) throw new InvalidOperationException($"The batch is full ({Capacity} tokens); decode it before adding more.");
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ((int*)_native.tokens)[i] = token;
        ((int*)_native.pos)[i] = position;
        _native.n_seq_id[i] = 1;
        ((int*)_native.seq_id[i])[0] = sequence;
        _native.logits[i] = output ? (byte)1 : (byte)0;
        if (output) OutputCount++;
        _native.n_tokens = i + 1;
        return i;
    }

    /// <summary>Appends a run of tokens of one sequence at consecutive positions; only the last may output.</summary>
    public void AddRange(ReadOnlySpan<int> tokens, int firstPosition, int sequence, bool outputLast)
    {
        for (var k = 0; k < tokens.Length; k++)
            Add(tokens[k], firstPosition + k, sequence, outputLast && k == tokens.Length - 1);
    }

    public int TokenAt(int index) => ((int*)_native.tokens)[CheckIndex(index)];

    public int PositionAt(int index) => ((int*)_native.pos)[CheckIndex(index)];

    public int SequenceAt(int index) => ((int*)_native.seq_id[CheckIndex(index)])[0];

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)_native.n_tokens) throw new ArgumentOutOfRangeException(nameof(index), index, $"The batch holds {_native.n_tokens} tokens.");
        return index;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        NativeApi.llama_batch_free(_native);
        _native = default;
    }
}
