using System.Runtime.InteropServices;
using LLama.Exceptions;
using LLama.Native;
using LocalQa.Llama.Native;

namespace LocalQa.Llama;

/// <summary>
/// One llama.cpp context (LLamaSharp's <see cref="SafeLLamaContextHandle"/>): KV memory for up to
/// <see cref="Sequences"/> sequences, and the decode call. Not thread-safe: one owner decodes at a
/// time. There is no process-wide lock (LLamaSharp's own Decode has one; see LlamaImports): two
/// contexts decode at the same time.
/// Every argument is checked here before llama.cpp sees it, because llama.cpp aborts the process
/// on many invalid batches rather than returning an error.
/// </summary>
public sealed unsafe class LlamaContext : IDisposable
{
    private readonly SafeLLamaContextHandle _handle;
    private readonly AbortFlag _abort = new();
    private GCHandle _abortHandle;
    // Scratch for per-decode validation: next expected position of each sequence touched.
    private readonly int[] _seqNext;
    private readonly int[] _seqSeenStamp;
    private int _stamp;

    private LlamaContext(LlamaModel model, SafeLLamaContextHandle handle, LlamaContextOptions options)
    {
        Model = model;
        _handle = handle;
        Options = options;
        ContextSize = (int)handle.ContextSize;
        SequenceContextSize = LlamaImports.SequenceContextSize(handle);
        BatchSize = (int)handle.BatchSize;
        MicroBatchSize = (int)handle.UBatchSize;
        Sequences = (int)handle.MaxSeq;
        Pooling = (PoolingType)(int)handle.PoolingType;
        _seqNext = new int[Sequences];
        _seqSeenStamp = new int[Sequences];
        _abortHandle = GCHandle.Alloc(_abort);
        delegate* unmanaged<nint, byte> onAbort = &OnAbort;
        NativeApi.llama_set_abort_callback(handle, (nint)onAbort, GCHandle.ToIntPtr(_abortHandle));
    }

    public LlamaModel Model { get; }
    public LlamaContextOptions Options { get; }
    public int ContextSize { get; }

    /// <summary>Positions available to one sequence (the context divided among sequences unless KV is unified).</summary>
    public int SequenceContextSize { get; }
    public int BatchSize { get; }
    public int MicroBatchSize { get; }
    public int Sequences { get; }
    public PoolingType Pooling { get; }

    public static LlamaContext Create(LlamaModel model, LlamaContextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new LlamaContextOptions();
        if (model.VocabOnly)
            throw new InvalidOperationException($"Model '{model.Path}' was loaded vocabulary-only and cannot decode; load it without VocabOnly to generate or embed.");
        var train = model.TrainingContextLength;
        // A model that claims fewer tokens than any context needs cannot be helped by a context size:
        // checked first, so the two checks below never give a fix the other refuses.
        if (train < 16)
            throw new ContextSizeException($"'{Path.GetFileName(model.Path)}' says it was trained for a context of {train} tokens (its context_length), fewer than the 16 any context needs.", "Use another model file: this one's metadata is damaged, or it was not made for text.");
        var ctx = options.ContextSize == 0 ? Math.Min(train, LlamaContextOptions.DefaultMaxContext) : options.ContextSize;
        if (ctx < 16)
            throw new ContextSizeException($"Context size {options.ContextSize} is too small.", "Use at least 16 tokens, or 0 for the model's own size.");
        // Each sequence gets ctx / sequences positions unless the KV buffer is unified: that share is
        // what must fit the model's training window.
        var perSequence = options.UnifiedKv ? ctx : ctx / Math.Max(1, options.Sequences);
        if (perSequence > train)
            throw new ContextSizeException($"Context size {perSequence} is larger than '{Path.GetFileName(model.Path)}' was trained for ({train} tokens).", $"Use a context of {train} tokens or less.");
        var maxSeq = (int)NativeApi.llama_max_parallel_sequences();
        if (options.Sequences < 1 || options.Sequences > maxSeq)
            throw new ArgumentOutOfRangeException(nameof(options), options.Sequences, $"Sequences must be 1..{maxSeq}.");
        if (options.BatchSize < 1 || options.MicroBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"Batch {options.BatchSize} and micro-batch {options.MicroBatchSize} must be positive.");
        var est = EstimateKvBytes(model, ctx, options.KvCache);
        var avail = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (avail > 0 && est > avail)
            throw new ContextSizeException($"A context of {ctx} tokens needs about {est >> 20} MiB of KV memory, more than this machine's {avail >> 20} MiB.", "Use a smaller context.");

        if (options.Threads > LlamaContextOptions.MaxThreads || options.BatchThreads > LlamaContextOptions.MaxThreads)
            throw new LlamaException($"{Math.Max(options.Threads, options.BatchThreads)} threads are more than llama.cpp can run ({LlamaContextOptions.MaxThreads}).", $"Use {LlamaContextOptions.MaxThreads} threads or fewer; the physical core count is fastest.");
        var threads = options.Threads > 0 ? options.Threads : DefaultThreads();
        var p = LLamaContextParams.Default();
        p.n_ctx = (uint)ctx;
        p.n_batch = (uint)Math.Min(options.BatchSize, ctx);
        p.n_ubatch = (uint)Math.Min(options.MicroBatchSize, (int)p.n_batch);
        p.n_seq_max = (uint)options.Sequences;
        p.n_threads = threads;
        p.n_threads_batch = options.BatchThreads > 0 ? options.BatchThreads : threads;
        p.llama_flash_attn_type = (LLamaFlashAttentionType)(int)options.FlashAttention;
        p.embeddings = options.Embeddings;
        p.llama_pooling_type = (LLamaPoolingType)(int)options.Pooling;
        p.kv_unified = options.UnifiedKv;
        p.no_perf = false;
        p.type_k = (GGMLType)(int)options.KvCache;
        p.type_v = (GGMLType)(int)options.KvCache;
        if (options.Embeddings)
        {
            // Embedding models attend both ways over the whole input: it must fit one micro-batch.
            p.n_ubatch = p.n_batch;
        }
        NativeLog.Clear();
        SafeLLamaContextHandle handle;
        try
        {
            handle = SafeLLamaContextHandle.Create(model.Handle, p);
        }
        catch (RuntimeError)
        {
            var why = NativeLog.TakeRecent();
            throw new ContextSizeException($"llama.cpp could not create a context of {ctx} tokens for '{model.Path}'{(why.Length > 0 ? ": " + why : ".")}", "Try a smaller context.");
        }
        return new LlamaContext(model, handle, options);
    }

    /// <summary>Physical cores: llama.cpp decode is memory-bound, and hyper-threads only contend.</summary>
    public static int DefaultThreads() => Math.Max(1, PhysicalCores.Count);

    /// <summary>The KV cache's size: K and V for every layer and position, at the cache type's bytes per value.</summary>
    internal static long EstimateKvBytes(LlamaModel model, int ctx, KvCacheType type)
    {
        var headDim = model.HeadCount > 0 ? model.EmbeddingLength / model.HeadCount : model.EmbeddingLength;
        var kvWidth = (long)headDim * Math.Max(1, model.HeadCountKv);
        var values = 2L * model.LayerCount * kvWidth * ctx;
        // Q8_0 stores 32 values in 34 bytes (the values and an F16 scale).
        return type switch
        {
            KvCacheType.F32 => values * 4,
            KvCacheType.Q8_0 => (values * 34 + 31) / 32,
            _ => values * 2,
        };
    }

    /// <summary>Decodes a batch. Throws <see cref="OperationCanceledException"/> when cancelled (the
    /// abort callback stops llama.cpp between graph nodes) and <see cref="ContextFullException"/>
    /// when the KV memory has no room.</summary>
    public void Decode(LlamaBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ValidateBatch(batch);
        cancellationToken.ThrowIfCancellationRequested();
        int rc;
        if (cancellationToken.CanBeCanceled)
        {
            using var reg = cancellationToken.UnsafeRegister(static s => ((AbortFlag)s!).Requested = true, _abort);
            rc = LlamaImports.Decode(_handle, in batch.Native);
            _abort.Requested = false;
        }
        else
        {
            rc = LlamaImports.Decode(_handle, in batch.Native);
        }
        switch (rc)
        {
            case 0:
                return;
            case 1:
                throw new ContextFullException($"The context ({ContextSize} tokens) has no room left for {batch.Count} more tokens.");
            case 2:
                // The processed micro-batches stay in memory; callers that continue must trim them.
                throw new OperationCanceledException("Decoding was cancelled.", cancellationToken);
            default:
                var why = NativeLog.TakeRecent();
                throw new InvalidOperationException($"llama_decode failed with code {rc}{(why.Length > 0 ? ": " + why : "")}.");
        }
    }

    private void ValidateBatch(LlamaBatch batch)
    {
        var n = batch.Count;
        if (n == 0) throw new ArgumentException("The batch is empty.", nameof(batch));
        if (n > BatchSize) throw new ArgumentException($"The batch holds {n} tokens, more than this context's batch size {BatchSize}.", nameof(batch));
        if (Options.Embeddings && n > MicroBatchSize)
            throw new ArgumentException($"An embedding batch of {n} tokens exceeds the micro-batch size {MicroBatchSize}.", nameof(batch));
        var vocab = Model.VocabSize;
        var stamp = ++_stamp;
        for (var i = 0; i < n; i++)
        {
            var token = batch.TokenAt(i);
            if ((uint)token >= (uint)vocab)
                throw new ArgumentOutOfRangeException(nameof(batch), token, $"Token id {token} at batch index {i} is outside the vocabulary (0..{vocab - 1}).");
            var seq = batch.SequenceAt(i);
            if ((uint)seq >= (uint)Sequences)
                throw new ArgumentOutOfRangeException(nameof(batch), seq, $"Sequence id {seq} at batch index {i} is outside 0..{Sequences - 1}.");
            var pos = batch.PositionAt(i);
            if (pos >= SequenceContextSize)
                throw new ContextFullException($"Position {pos} is past the end of the context ({SequenceContextSize} tokens per sequence).");
            if (_seqSeenStamp[seq] != stamp)
            {
                _seqSeenStamp[seq] = stamp;
                _seqNext[seq] = _handle.MemorySequenceMaxPosition((LLamaSeqId)seq).Value + 1;
            }
            // llama.cpp requires each sequence to continue exactly where its memory ends.
            if (pos != _seqNext[seq])
                throw new ArgumentException($"Token at batch index {i} has position {pos} in sequence {seq}, but that sequence continues at {_seqNext[seq]}.", nameof(batch));
            _seqNext[seq] = pos + 1;
        }
    }

    /// <summary>Logits of the batch row <paramref name="batchIndex"/> (which must have requested output).</summary>
    public ReadOnlySpan<float> GetLogits(int batchIndex)
    {
        try
        {
            return _handle.GetLogitsIth(batchIndex);
        }
        catch (GetLogitsInvalidIndexException)
        {
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, "No logits for that batch row: it did not request output.");
        }
    }

    /// <summary>Pooled embedding of a sequence (pooling other than None), as llama.cpp computed it (not normalized).</summary>
    public ReadOnlySpan<float> GetSequenceEmbedding(int sequence)
    {
        if ((uint)sequence >= (uint)Sequences) throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"Sequence must be 0..{Sequences - 1}.");
        // LLamaSharp hands back a span over a null pointer when there is no pooled embedding
        // (pooling None): a NullReferenceException on first read. Refuse before asking.
        if (Pooling is PoolingType.None or PoolingType.Unspecified || !Options.Embeddings)
            throw new InvalidOperationException($"No pooled embedding for sequence {sequence}: the context has pooling {Pooling}.");
        var span = _handle.GetEmbeddingsSeq((LLamaSeqId)sequence);
        fixed (float* p = span)
        {
            if (p == null) throw new InvalidOperationException($"No pooled embedding for sequence {sequence}: the sequence was not decoded.");
        }
        return span;
    }

    // ---- KV memory ----

    /// <summary>Removes positions [from, to) of a sequence (to = -1: to the end).</summary>
    public void RemoveTokens(int sequence, int from, int to = -1)
    {
        CheckSequence(sequence);
        if (from < 0) from = 0;
        _handle.MemorySequenceRemove((LLamaSeqId)sequence, (LLamaPos)from, (LLamaPos)to);
        // llama.cpp reports a refused partial removal (recurrent memory) only by its return value,
        // which LLamaSharp drops: check that the tail is really gone.
        if (to < 0 && LastPosition(sequence) >= from)
            throw new InvalidOperationException($"llama.cpp could not remove positions {from}..{to} of sequence {sequence}.");
    }

    /// <summary>Makes <paramref name="destination"/> share <paramref name="source"/>'s KV cells in [from, to).</summary>
    public void CopySequence(int source, int destination, int from = 0, int to = -1)
    {
        CheckSequence(source);
        CheckSequence(destination);
        if (source == destination) return;
        _handle.MemorySequenceCopy((LLamaSeqId)source, (LLamaSeqId)destination, (LLamaPos)from, (LLamaPos)to);
    }

    /// <summary>Last position stored for the sequence, or -1 when it is empty.</summary>
    public int LastPosition(int sequence)
    {
        CheckSequence(sequence);
        return _handle.MemorySequenceMaxPosition((LLamaSeqId)sequence).Value;
    }

    public void ClearMemory() => _handle.MemoryClear(true);

    internal SafeLLamaContextHandle Handle => _handle;

    private void CheckSequence(int sequence)
    {
        if ((uint)sequence >= (uint)Sequences)
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"Sequence must be 0..{Sequences - 1}.");
    }

    /// <summary>Runs on llama.cpp's compute thread between graph nodes, while a decode is inside
    /// native code: lets a test prove that another context decodes meanwhile (no global lock).</summary>
    internal Action? DuringDecode
    {
        get => _abort.During;
        set => _abort.During = value;
    }

    [UnmanagedCallersOnly]
    private static byte OnAbort(nint data)
    {
        if (GCHandle.FromIntPtr(data).Target is not AbortFlag flag) return 0;
        flag.During?.Invoke();
        return flag.Requested ? (byte)1 : (byte)0;
    }

    public void Dispose()
    {
        _handle.Dispose();
        if (_abortHandle.IsAllocated) _abortHandle.Free();
    }

    private sealed class AbortFlag
    {
        public volatile bool Requested;
        public Action? During;
    }
}
