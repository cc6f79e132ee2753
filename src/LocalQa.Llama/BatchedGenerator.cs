using System.Text;

namespace LocalQa.Llama;

/// <summary>One finished sequence of a batched run.</summary>
public sealed record BatchedResult(int Index, int[] Tokens, string Text, StopReason StopReason, int PromptTokens);

/// <summary>
/// Generates for many prompts at once: every active sequence contributes its next token to one
/// <c>llama_decode</c>, and a finished sequence's slot takes the next waiting prompt at once
/// (continuous batching), its prompt tokens riding in the same batch as the others' decode steps.
/// Not thread-safe; owns all sequences of its context.
/// </summary>
public sealed class BatchedGenerator : IDisposable
{
    private readonly LlamaContext _ctx;
    private readonly LlamaBatch _batch;

    public BatchedGenerator(LlamaContext context)
    {
        _ctx = context ?? throw new ArgumentNullException(nameof(context));
        _batch = new LlamaBatch(context.BatchSize);
    }

    /// <summary>Decode steps of the last run (each one <c>llama_decode</c>), for tests and benchmarks.</summary>
    public int LastDecodeCalls { get; private set; }

    /// <summary>Most sequences that shared one decode in the last run.</summary>
    public int LastPeakParallel { get; private set; }

    /// <summary>Tokens generated (sampled) in the last run, all sequences together.</summary>
    public int LastGeneratedTokens { get; private set; }

    private sealed class Slot
    {
        public int Index = -1;
        public int[] Prompt = [];
        public int Fed;
        public int Position;
        public int PendingToken = -1;
        public int OutputRow = -1;
        public int Limit;
        public readonly List<int> Tokens = [];
        public readonly StringBuilder Text = new();
        public LlamaSampler? Sampler;
        public TokenTextDecoder? Decoder;
        public StopStringFilter? Filter;
        public bool Active => Index >= 0;
    }

    /// <summary>Generates for every prompt; results come back in prompt order. <paramref name="onCompleted"/>
    /// is called as each one finishes (for progress).</summary>
    public IReadOnlyList<BatchedResult> Generate(IReadOnlyList<int[]> prompts, GenerationOptions? options = null,
        Action<BatchedResult>? onCompleted = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        options ??= new GenerationOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTokens, 1);
        for (var i = 0; i < prompts.Count; i++)
        {
            var p = prompts[i] ?? throw new ArgumentException($"Prompt {i} is null.", nameof(prompts));
            if (p.Length == 0) throw new ArgumentException($"Prompt {i} is empty.", nameof(prompts));
            foreach (var t in p) _ctx.Model.ValidateToken(t);
            if (p.Length >= _ctx.SequenceContextSize)
                throw new ContextFullException($"Prompt {i} is {p.Length} tokens, but each sequence of the context holds {_ctx.SequenceContextSize}.");
        }

        var results = new BatchedResult?[prompts.Count];
        var slots = new Slot[_ctx.Sequences];
        for (var s = 0; s < slots.Length; s++) slots[s] = new Slot();
        var next = 0;
        LastDecodeCalls = 0;
        LastPeakParallel = 0;
        LastGeneratedTokens = 0;
        _ctx.ClearMemory();
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var s = 0; s < slots.Length && next < prompts.Count; s++)
                {
                    if (!slots[s].Active) Start(slots[s], next++, prompts, options);
                }

                _batch.Clear();
                var active = 0;
                // Decode steps first: one token each, so no running sequence ever waits on a prefill.
                for (var s = 0; s < slots.Length; s++)
                {
                    var slot = slots[s];
                    slot.OutputRow = -1;
                    if (!slot.Active || slot.PendingToken < 0) continue;
                    slot.OutputRow = _batch.Add(slot.PendingToken, slot.Position++, s, output: true);
                    slot.PendingToken = -1;
                    active++;
                }
                for (var s = 0; s < slots.Length && _batch.Count < _batch.Capacity; s++)
                {
                    var slot = slots[s];
                    if (!slot.Active || slot.Fed >= slot.Prompt.Length || slot.OutputRow >= 0) continue;
                    var take = Math.Min(slot.Prompt.Length - slot.Fed, _batch.Capacity - _batch.Count);
                    var last = slot.Fed + take == slot.Prompt.Length;
                    for (var k = 0; k < take; k++)
                    {
                        var row = _batch.Add(slot.Prompt[slot.Fed + k], slot.Position++, s, output: last && k == take - 1);
                        if (last && k == take - 1) slot.OutputRow = row;
                    }
                    slot.Fed += take;
                    active++;
                }
                if (_batch.Count == 0) break;
                LastPeakParallel = Math.Max(LastPeakParallel, active);
                _ctx.Decode(_batch, cancellationToken);
                LastDecodeCalls++;

                for (var s = 0; s < slots.Length; s++)
                {
                    var slot = slots[s];
                    if (!slot.Active || slot.OutputRow < 0) continue;
                    var token = slot.Sampler!.Sample(_ctx, slot.OutputRow);
                    var reason = (StopReason?)null;
                    if (_ctx.Model.IsEndOfGeneration(token)) reason = StopReason.EndOfGeneration;
                    else
                    {
                        slot.Tokens.Add(token);
                        LastGeneratedTokens++;
                        var chars = slot.Decoder!.Append(token);
                        if (slot.Filter!.IsEmpty) slot.Text.Append(chars);
                        else
                        {
                            var (emit, stopped) = slot.Filter.Push(chars);
                            slot.Text.Append(emit);
                            if (stopped) reason = StopReason.StopString;
                        }
                        if (reason is null && slot.Tokens.Count >= slot.Limit)
                            reason = slot.Limit < options.MaxTokens ? StopReason.ContextFull : StopReason.MaxTokens;
                    }
                    if (reason is { } r)
                    {
                        var result = Finish(slot, s, r);
                        results[result.Index] = result;
                        onCompleted?.Invoke(result);
                    }
                    else
                    {
                        slot.PendingToken = token;
                    }
                }
            }
        }
        finally
        {
            foreach (var slot in slots) slot.Sampler?.Dispose();
            _ctx.ClearMemory();
        }
        return results.Select(r => r!).ToArray();
    }

    private void Start(Slot slot, int index, IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        slot.Index = index;
        slot.Prompt = prompts[index];
        slot.Fed = 0;
        slot.Position = 0;
        slot.PendingToken = -1;
        slot.Tokens.Clear();
        slot.Text.Clear();
        slot.Limit = Math.Min(options.MaxTokens, _ctx.SequenceContextSize - slot.Prompt.Length);
        slot.Sampler?.Dispose();
        slot.Sampler = new LlamaSampler(_ctx.Model, options.Sampling);
        slot.Decoder = new TokenTextDecoder(_ctx.Model);
        slot.Filter = new StopStringFilter(options.StopStrings);
    }

    private BatchedResult Finish(Slot slot, int sequence, StopReason reason)
    {
        if (reason != StopReason.StopString)
        {
            slot.Text.Append(slot.Filter!.Flush());
            slot.Text.Append(slot.Decoder!.Flush());
        }
        var result = new BatchedResult(slot.Index, slot.Tokens.ToArray(), slot.Text.ToString(), reason, slot.Prompt.Length);
        _ctx.RemoveTokens(sequence, 0);
        slot.Index = -1;
        return result;
    }

    public void Dispose() => _batch.Dispose();
}
