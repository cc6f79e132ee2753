using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace LocalQa.Llama;

/// <summary>What one request to <see cref="LlamaSlots"/> produced, once it ended.</summary>
public sealed record SlotResult(int Slot, int[] Tokens, string Text, GenerationStats Stats);

/// <summary>A request in flight: its text as it is generated, and its end.</summary>
public sealed class SlotRun
{
    internal SlotRun(ChannelReader<string> text, Task<SlotResult> completion)
    {
        Text = text;
        Completion = completion;
    }

    /// <summary>Text pieces in order; a character split across tokens comes out whole. Ends when the
    /// request ends, with the request's exception when it failed or was cancelled.</summary>
    public ChannelReader<string> Text { get; }

    /// <summary>The request's result; faulted or cancelled as <see cref="Text"/> is.</summary>
    public Task<SlotResult> Completion { get; }
}

/// <summary>
/// The slots of one context, shared by concurrent requests as llama.cpp's server shares them: each
/// request is a sequence, every running sequence adds its next token to one <c>llama_decode</c>, a
/// new request joins at the next step (its prompt riding in the batch beside the others' steps), and
/// a request that ends or is cancelled frees its slot for the next one at once. A free slot keeps the
/// tokens it last held, and a request whose prompt goes on from what a free slot holds goes there,
/// so a conversation's next turn evaluates only what it appends when its slot still holds it.
/// One thread of its own makes every native call on the context; <see cref="Submit"/> may be called
/// from any thread.
/// </summary>
public sealed class LlamaSlots : IDisposable
{
    private readonly LlamaContext _ctx;
    private readonly LlamaBatch _batch;
    private readonly Slot[] _slots;
    private readonly Lock _lock = new();
    // Requests not yet in a slot, oldest first; guarded by _lock.
    private readonly LinkedList<Request> _waiting = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _loop;
    private long _stamp;
    private int _active;
    private int _peak;
    private long _decodeCalls;
    private bool _disposed;

    /// <summary>Serves requests on every sequence of <paramref name="context"/>, which the caller keeps and disposes after this.</summary>
    public LlamaSlots(LlamaContext context) : this(context, start: true)
    {
    }

    /// <summary>With <paramref name="start"/> false the decode thread waits for <see cref="Start"/>, so a
    /// test can queue requests that must be admitted at the same step.</summary>
    internal LlamaSlots(LlamaContext context, bool start)
    {
        _ctx = context ?? throw new ArgumentNullException(nameof(context));
        _batch = new LlamaBatch(context.BatchSize);
        _slots = new Slot[context.Sequences];
        for (var s = 0; s < _slots.Length; s++) _slots[s] = new Slot(s);
        _ctx.ClearMemory();
        // Decoding holds its thread for the life of the slots: a thread of its own, never the pool's.
        _loop = new Thread(Loop) { IsBackground = true, Name = "llama slots" };
        if (start) _loop.Start();
    }

    internal void Start() => _loop.Start();

    /// <summary>Requests decoded side by side at most.</summary>
    public int Count => _slots.Length;

    /// <summary>Positions one request may use: its prompt and its answer.</summary>
    public int SequenceContextSize => _ctx.SequenceContextSize;

    public LlamaModel Model => _ctx.Model;

    /// <summary>Requests in a slot now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Most requests that shared one decode so far.</summary>
    public int PeakParallel => Volatile.Read(ref _peak);

    /// <summary><c>llama_decode</c> calls so far.</summary>
    public long DecodeCalls => Interlocked.Read(ref _decodeCalls);

    /// <summary>Test hook: runs on the decode thread after each step with the requests in a slot.</summary>
    internal Action<int>? AfterStep { get; set; }

    /// <summary>Test hook: runs on the submitting thread once a request is queued.</summary>
    internal Action? OnSubmitted { get; set; }

    /// <summary>Test hook: runs when a request's token is cancelled (a client hung up), on the cancelling thread.</summary>
    internal Action? OnCancelRequested { get; set; }

    /// <summary>Test hook: runs on the decode thread when a request leaves its slot, with the slot and whether it was cancelled.</summary>
    internal Action<int, bool>? OnReleased { get; set; }

    /// <summary>
    /// Queues <paramref name="prompt"/>; it starts at the next step a slot is free. Cancelling
    /// <paramref name="cancellationToken"/> ends it at the next step and frees its slot.
    /// </summary>
    public SlotRun Submit(int[] prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= new GenerationOptions();
        if (prompt.Length == 0) throw new ArgumentException("The prompt is empty.", nameof(prompt));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTokens, 1);
        foreach (var t in prompt) _ctx.Model.ValidateToken(t);
        if (prompt.Length >= _ctx.SequenceContextSize)
            throw new ContextFullException($"The prompt is {prompt.Length} tokens, but each slot holds {_ctx.SequenceContextSize}.");
        var request = new Request(prompt, options, cancellationToken);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _waiting.AddLast(request);
        }
        // A request cancelled while it waits, or while the loop is idle, must be seen at once.
        request.Registration = cancellationToken.Register(() =>
        {
            _wake.Release();
            OnCancelRequested?.Invoke();
        });
        _wake.Release();
        OnSubmitted?.Invoke();
        return new SlotRun(request.Pieces.Reader, request.Done.Task);
    }

    private sealed class Request(int[] prompt, GenerationOptions options, CancellationToken cancellationToken)
    {
        public readonly int[] Prompt = prompt;
        public readonly GenerationOptions Options = options;
        public readonly CancellationToken Cancellation = cancellationToken;
        public readonly Channel<string> Pieces = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        // Continuations run on the pool: the decode thread never runs a caller's code.
        public readonly TaskCompletionSource<SlotResult> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly long Submitted = Stopwatch.GetTimestamp();
        public CancellationTokenRegistration Registration;

        public void Fail(Exception e)
        {
            Registration.Dispose();
            Pieces.Writer.TryComplete(e);
            if (e is OperationCanceledException oce) Done.TrySetCanceled(oce.CancellationToken);
            else Done.TrySetException(e);
        }
    }

    private sealed class Slot(int id)
    {
        public readonly int Id = id;
        // Tokens whose keys and values this sequence holds, position by position.
        public readonly List<int> Cached = [];
        public Request? Request;
        public long LastUsed;
        public int Fed;
        public int Reused;
        // The token sampled last, to be decoded at the next step; then the one being decoded.
        public int PendingToken = -1;
        public int StepToken = -1;
        public int OutputRow = -1;
        public int BatchFrom;
        public int BatchCount;
        public int Limit;
        public long Started;
        public long FirstToken;
        public readonly List<int> Tokens = [];
        public readonly StringBuilder Text = new();
        public LlamaSampler? Sampler;
        public TokenTextDecoder? Decoder;
        public StopStringFilter? Filter;
    }

    private void Loop()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            DropCancelled();
            Admit();
            if (!FillBatch())
            {
                // Idle: a submit, a cancellation or Dispose wakes it.
                _wake.Wait();
                continue;
            }
            try
            {
                _ctx.Decode(_batch, stop);
            }
            catch (Exception e)
            {
                // A decode that failed or was aborted leaves the sequences' memory unknown: every
                // request in a slot ends with the error, and no slot claims a prefix any more.
                var error = e is OperationCanceledException && stop.IsCancellationRequested ? new ObjectDisposedException(nameof(LlamaSlots)) : e;
                foreach (var slot in _slots)
                {
                    if (slot.Request is not null) End(slot, error);
                    slot.Cached.Clear();
                }
                _ctx.ClearMemory();
                continue;
            }
            Interlocked.Increment(ref _decodeCalls);
            Sample();
            AfterStep?.Invoke(Active);
        }
        lock (_lock)
        {
            foreach (var r in _waiting) r.Fail(new ObjectDisposedException(nameof(LlamaSlots)));
            _waiting.Clear();
        }
        foreach (var slot in _slots)
            if (slot.Request is not null) End(slot, new ObjectDisposedException(nameof(LlamaSlots)));
    }

    /// <summary>Moves waiting requests into free slots, oldest first, each to the free slot whose tokens share most of its prompt.</summary>
    private void Admit()
    {
        while (true)
        {
            Request? request;
            lock (_lock)
            {
                if (_waiting.First is null) return;
                request = _waiting.First.Value;
                if (!request.Cancellation.IsCancellationRequested && !_slots.Any(s => s.Request is null)) return;
                _waiting.RemoveFirst();
            }
            if (request.Cancellation.IsCancellationRequested)
            {
                request.Fail(new OperationCanceledException(request.Cancellation));
                continue;
            }
            // A prompt that goes on with most of what a slot holds is that slot's conversation coming
            // back: it goes there. Anything else goes to the slot used longest ago (an empty one
            // first), so one client's new question does not evict another's conversation for the
            // sake of a shared system prompt.
            Slot? best = null;
            var bestShared = -1;
            Slot? oldest = null;
            foreach (var slot in _slots)
            {
                if (slot.Request is not null) continue;
                if (oldest is null || slot.LastUsed < oldest.LastUsed) oldest = slot;
                var shared = SharedPrefix(slot.Cached, request.Prompt);
                if (shared * 2 < slot.Cached.Count) continue;
                if (shared > bestShared || (shared == bestShared && slot.LastUsed < best!.LastUsed)) (best, bestShared) = (slot, shared);
            }
            best ??= oldest!;
            Start(best, request, SharedPrefix(best.Cached, request.Prompt));
        }
    }

    private static int SharedPrefix(List<int> cached, int[] prompt)
    {
        var n = Math.Min(cached.Count, prompt.Length);
        var i = 0;
        while (i < n && cached[i] == prompt[i]) i++;
        return i;
    }

    private void Start(Slot slot, Request request, int shared)
    {
        // The last prompt token is always evaluated: its logits start the answer.
        if (shared == request.Prompt.Length) shared--;
        if (shared < slot.Cached.Count)
        {
            _ctx.RemoveTokens(slot.Id, shared);
            slot.Cached.RemoveRange(shared, slot.Cached.Count - shared);
        }
        slot.Request = request;
        slot.LastUsed = ++_stamp;
        slot.Fed = shared;
        slot.Reused = shared;
        slot.PendingToken = -1;
        slot.Limit = Math.Min(request.Options.MaxTokens, _ctx.SequenceContextSize - request.Prompt.Length);
        slot.Started = Stopwatch.GetTimestamp();
        slot.FirstToken = 0;
        slot.Tokens.Clear();
        slot.Text.Clear();
        slot.Sampler = new LlamaSampler(_ctx.Model, request.Options.Sampling);
        slot.Decoder = new TokenTextDecoder(_ctx.Model);
        slot.Filter = new StopStringFilter(request.Options.StopStrings);
        Interlocked.Increment(ref _active);
    }

    // A cancelled request (its client hung up) leaves at the next step; what it decoded stays cached.
    private void DropCancelled()
    {
        foreach (var slot in _slots)
            if (slot.Request is { } r && r.Cancellation.IsCancellationRequested)
                End(slot, new OperationCanceledException(r.Cancellation));
    }

    /// <summary>One step: each generating slot's next token first, so no running answer waits on a prefill, then prompt tokens as room allows.</summary>
    private bool FillBatch()
    {
        _batch.Clear();
        var running = 0;
        foreach (var slot in _slots)
        {
            slot.OutputRow = -1;
            slot.BatchCount = 0;
            if (slot.Request is null || slot.PendingToken < 0) continue;
            slot.OutputRow = _batch.Add(slot.PendingToken, slot.Cached.Count, slot.Id, output: true);
            slot.StepToken = slot.PendingToken;
            slot.PendingToken = -1;
            running++;
        }
        foreach (var slot in _slots)
        {
            if (_batch.Count >= _batch.Capacity) break;
            if (slot.Request is not { } r || slot.Fed >= r.Prompt.Length || slot.OutputRow >= 0) continue;
            var take = Math.Min(r.Prompt.Length - slot.Fed, _batch.Capacity - _batch.Count);
            var last = slot.Fed + take == r.Prompt.Length;
            slot.BatchFrom = slot.Fed;
            slot.BatchCount = take;
            for (var k = 0; k < take; k++)
            {
                var output = last && k == take - 1;
                var row = _batch.Add(r.Prompt[slot.Fed + k], slot.Fed + k, slot.Id, output);
                if (output) slot.OutputRow = row;
            }
            slot.Fed += take;
            running++;
        }
        if (running > Volatile.Read(ref _peak)) Volatile.Write(ref _peak, running);
        return _batch.Count > 0;
    }

    private void Sample()
    {
        foreach (var slot in _slots)
        {
            if (slot.Request is not { } r) continue;
            // What the decode just stored for this sequence.
            if (slot.StepToken >= 0) slot.Cached.Add(slot.StepToken);
            slot.StepToken = -1;
            for (var k = 0; k < slot.BatchCount; k++) slot.Cached.Add(r.Prompt[slot.BatchFrom + k]);
            if (slot.OutputRow < 0) continue;
            var token = slot.Sampler!.Sample(_ctx, slot.OutputRow);
            if (slot.FirstToken == 0) slot.FirstToken = Stopwatch.GetTimestamp();
            StopReason? reason = null;
            if (_ctx.Model.IsEndOfGeneration(token)) reason = StopReason.EndOfGeneration;
            else
            {
                slot.Tokens.Add(token);
                var chars = slot.Decoder!.Append(token);
                string emit;
                if (slot.Filter!.IsEmpty) emit = chars.Length == 0 ? "" : new string(chars);
                else
                {
                    (emit, var stopped) = slot.Filter.Push(chars);
                    if (stopped) reason = StopReason.StopString;
                }
                if (emit.Length > 0)
                {
                    slot.Text.Append(emit);
                    r.Pieces.Writer.TryWrite(emit);
                }
                if (reason is null && slot.Tokens.Count >= slot.Limit)
                    reason = slot.Limit < r.Options.MaxTokens ? StopReason.ContextFull : StopReason.MaxTokens;
            }
            if (reason is { } stop) Finish(slot, stop);
            else slot.PendingToken = token;
        }
    }

    private void Finish(Slot slot, StopReason reason)
    {
        var r = slot.Request!;
        if (reason != StopReason.StopString)
        {
            var tail = slot.Filter!.Flush() + new string(slot.Decoder!.Flush());
            if (tail.Length > 0)
            {
                slot.Text.Append(tail);
                r.Pieces.Writer.TryWrite(tail);
            }
        }
        var result = new SlotResult(slot.Id, slot.Tokens.ToArray(), slot.Text.ToString(), Stats(slot, reason));
        Release(slot, cancelled: false);
        r.Registration.Dispose();
        r.Pieces.Writer.TryComplete();
        r.Done.TrySetResult(result);
    }

    private void End(Slot slot, Exception error)
    {
        var r = slot.Request!;
        Release(slot, error is OperationCanceledException);
        r.Fail(error);
    }

    private void Release(Slot slot, bool cancelled)
    {
        slot.Sampler?.Dispose();
        slot.Sampler = null;
        slot.Request = null;
        slot.PendingToken = -1;
        slot.StepToken = -1;
        slot.OutputRow = -1;
        slot.BatchCount = 0;
        Interlocked.Decrement(ref _active);
        OnReleased?.Invoke(slot.Id, cancelled);
    }

    private static GenerationStats Stats(Slot slot, StopReason reason)
    {
        var r = slot.Request!;
        var first = slot.FirstToken == 0 ? Stopwatch.GetTimestamp() : slot.FirstToken;
        return new GenerationStats
        {
            PromptTokens = r.Prompt.Length,
            ReusedTokens = slot.Reused,
            PromptMs = Stopwatch.GetElapsedTime(slot.Started, first).TotalMilliseconds,
            // From the request's arrival: a wait for a slot is part of what its client waited.
            FirstTokenMs = Stopwatch.GetElapsedTime(r.Submitted, first).TotalMilliseconds,
            GeneratedTokens = slot.Tokens.Count,
            DecodeMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds,
            StopReason = reason,
        };
    }

    /// <summary>Ends every request (they fail with <see cref="ObjectDisposedException"/>) and stops the decode thread.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _stop.Cancel();
        _wake.Release();
        if (_loop.IsAlive) _loop.Join();
        lock (_lock)
        {
            // Requests queued to slots that never started (a test's) end too.
            foreach (var r in _waiting) r.Fail(new ObjectDisposedException(nameof(LlamaSlots)));
            _waiting.Clear();
        }
        _batch.Dispose();
        _stop.Dispose();
    }
}
