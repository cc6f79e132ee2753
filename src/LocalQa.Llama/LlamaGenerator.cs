using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace LocalQa.Llama;

/// <summary>
/// Streams text for prompts on one sequence of a context, keeping the KV cache between calls: a
/// follow-up prompt evaluates only the tokens after its longest common prefix with the previous one.
/// Not thread-safe (it owns its sequence of the context).
/// </summary>
public sealed class LlamaGenerator : IDisposable
{
    private readonly LlamaContext _ctx;
    private readonly LlamaBatch _batch;
    private readonly List<int> _cached = [];
    private readonly List<int> _generated = [];

    public LlamaGenerator(LlamaContext context, int sequence = 0)
    {
        _ctx = context ?? throw new ArgumentNullException(nameof(context));
        if ((uint)sequence >= (uint)context.Sequences)
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"Sequence must be 0..{context.Sequences - 1}.");
        Sequence = sequence;
        _batch = new LlamaBatch(context.BatchSize);
    }

    public int Sequence { get; }

    public LlamaContext Context => _ctx;

    /// <summary>Tokens whose keys and values are in the cache for this sequence, in order.</summary>
    public IReadOnlyList<int> CachedTokens => _cached;

    public GenerationStats? LastStats { get; private set; }

    /// <summary>The tokens the last generation produced, end-of-generation excluded, in order: a
    /// chat that puts the answer back into its next prompt can reuse exactly these (a re-tokenized
    /// answer need not match what the model sampled, and would be evaluated again).</summary>
    public IReadOnlyList<int> LastAnswerTokens => _generated;

    /// <summary>Forgets the cache (the chat's /reset).</summary>
    public void Reset()
    {
        _ctx.RemoveTokens(Sequence, 0);
        _cached.Clear();
    }

    /// <summary>Evaluates <paramref name="prompt"/>, reusing the cached prefix; returns the batch row
    /// holding the last token's logits and how many tokens were reused.</summary>
    public (int LogitsRow, int Reused) Prefill(ReadOnlySpan<int> prompt, CancellationToken cancellationToken = default)
    {
        if (prompt.IsEmpty) throw new ArgumentException("The prompt is empty.", nameof(prompt));
        foreach (var t in prompt) _ctx.Model.ValidateToken(t);
        if (prompt.Length >= _ctx.SequenceContextSize)
            throw new ContextFullException($"The prompt is {prompt.Length} tokens, but the context holds {_ctx.SequenceContextSize}.");

        var lcp = 0;
        var max = Math.Min(prompt.Length, _cached.Count);
        while (lcp < max && _cached[lcp] == prompt[lcp]) lcp++;
        // The last prompt token is always evaluated: its logits start the answer.
        if (lcp == prompt.Length) lcp--;
        if (lcp < _cached.Count)
        {
            _ctx.RemoveTokens(Sequence, lcp);
            _cached.RemoveRange(lcp, _cached.Count - lcp);
        }

        var row = -1;
        var next = lcp;
        try
        {
            while (next < prompt.Length)
            {
                _batch.Clear();
                var take = Math.Min(_ctx.BatchSize, prompt.Length - next);
                _batch.AddRange(prompt.Slice(next, take), next, Sequence, outputLast: next + take == prompt.Length);
                _ctx.Decode(_batch, cancellationToken);
                for (var k = 0; k < take; k++) _cached.Add(prompt[next + k]);
                next += take;
                row = take - 1;
            }
        }
        catch (OperationCanceledException)
        {
            SyncCacheWithMemory(prompt);
            throw;
        }
        return (row, lcp);
    }

    // After an abort llama.cpp keeps the micro-batches it finished: trust its memory, not our list.
    private void SyncCacheWithMemory(ReadOnlySpan<int> prompt)
    {
        var kept = _ctx.LastPosition(Sequence) + 1;
        _cached.Clear();
        for (var i = 0; i < kept && i < prompt.Length; i++) _cached.Add(prompt[i]);
        if (kept > _cached.Count) _ctx.RemoveTokens(Sequence, _cached.Count);
    }

    /// <summary>Generates token ids (greedy by default), synchronously: the allocation-free core.</summary>
    public IEnumerable<int> GenerateTokens(int[] prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        foreach (var piece in Run(prompt, options ?? new GenerationOptions(), emitText: false, cancellationToken))
        {
            if (piece.Token >= 0) yield return piece.Token;
        }
    }

    /// <summary>Streams text pieces; a character split across tokens comes out whole.</summary>
    public IEnumerable<string> Generate(int[] prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        foreach (var piece in Run(prompt, options ?? new GenerationOptions(), emitText: true, cancellationToken))
        {
            if (piece.Text.Length > 0) yield return piece.Text;
        }
    }

    /// <summary>Streams text pieces asynchronously. Cancelling stops within one decode step.</summary>
    public async IAsyncEnumerable<string> GenerateAsync(int[] prompt, GenerationOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Decoding is CPU-bound: leave the caller's thread (a UI or console loop) before the prefill.
        await Task.Yield();
        foreach (var piece in Generate(prompt, options, cancellationToken))
            yield return piece;
    }

    private readonly record struct Piece(int Token, string Text);

    private IEnumerable<Piece> Run(int[] prompt, GenerationOptions options, bool emitText, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxTokens);
        var total = Stopwatch.StartNew();
        _generated.Clear();
        var (row, reused) = Prefill(prompt, ct);
        var promptMs = total.Elapsed.TotalMilliseconds;
        var firstMs = 0.0;
        var generated = 0;
        var stop = StopReason.MaxTokens;
        var room = _ctx.SequenceContextSize - prompt.Length;
        var limit = Math.Min(options.MaxTokens, room);
        if (limit < options.MaxTokens) stop = StopReason.ContextFull;

        using var sampler = new LlamaSampler(_ctx.Model, options.Sampling);
        var decoder = emitText ? new TokenTextDecoder(_ctx.Model) : null;
        var filter = new StopStringFilter(options.StopStrings);
        var pos = prompt.Length;
        try
        {
            while (generated < limit)
            {
                var token = sampler.Sample(_ctx, row);
                if (generated == 0) firstMs = total.Elapsed.TotalMilliseconds;
                if (_ctx.Model.IsEndOfGeneration(token)) { stop = StopReason.EndOfGeneration; break; }
                generated++;
                _generated.Add(token);
                var text = "";
                var stopped = false;
                if (decoder is not null)
                {
                    var chars = decoder.Append(token);
                    if (filter.IsEmpty) text = chars.Length == 0 ? "" : new string(chars);
                    else (text, stopped) = filter.Push(chars);
                }
                yield return new Piece(token, text);
                if (stopped) { stop = StopReason.StopString; break; }
                if (generated == limit) break;
                _batch.Clear();
                row = _batch.Add(token, pos, Sequence, output: true);
                try
                {
                    _ctx.Decode(_batch, ct);
                }
                catch (OperationCanceledException)
                {
                    stop = StopReason.Cancelled;
                    _ctx.RemoveTokens(Sequence, pos);
                    throw;
                }
                _cached.Add(token);
                pos++;
            }
            if (decoder is not null && stop != StopReason.StopString)
            {
                var tail = filter.IsEmpty ? new string(decoder.Flush()) : filter.Flush() + new string(decoder.Flush());
                if (tail.Length > 0) yield return new Piece(-1, tail);
            }
        }
        finally
        {
            LastStats = new GenerationStats
            {
                PromptTokens = prompt.Length,
                ReusedTokens = reused,
                PromptMs = promptMs,
                FirstTokenMs = firstMs,
                GeneratedTokens = generated,
                DecodeMs = total.Elapsed.TotalMilliseconds - promptMs,
                StopReason = stop,
            };
        }
    }

    public void Dispose() => _batch.Dispose();
}
