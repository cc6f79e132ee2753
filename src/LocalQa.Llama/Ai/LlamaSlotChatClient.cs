using System.Runtime.CompilerServices;
using System.Text;
using LocalQa.Core.Ai;
using LocalQa.Core.Text;
using Microsoft.Extensions.AI;

namespace LocalQa.Llama;

/// <summary>The context a <see cref="LlamaSlotChatClient"/> builds: how many requests are decoded side by side, and each one's room.</summary>
public sealed record SlotChatOptions
{
    /// <summary>Requests decoded together (sequences of one context); at least 1.</summary>
    public int Slots { get; init; } = 4;

    /// <summary>Tokens each request may use, its prompt and answer together; at least 16.</summary>
    public int SequenceContext { get; init; } = 4096;

    /// <summary>CPU threads; 0 lets the engine choose.</summary>
    public int Threads { get; init; }

    /// <summary>Attention and KV precision. Flash attention and an F16 cache round through half precision,
    /// so a request's greedy answer can change with what is decoded beside it; only Off with F32 makes
    /// every answer bit-identical to the same request decoded alone.</summary>
    public FlashAttention FlashAttention { get; init; } = FlashAttention.Auto;

    public KvCacheType KvCache { get; init; } = KvCacheType.F16;
}

/// <summary>
/// <see cref="IChatClient"/> for many callers at once over an in-process llama.cpp model: each call
/// takes a slot of one context (<see cref="LlamaSlots"/>), and the calls in flight are decoded in the
/// same batches, so a server's clients, or a summary's parts, share each step's pass over the
/// weights. A call joins at the next step; one that is cancelled frees its slot at the next step; a
/// call whose prompt starts like what a free slot holds (the next turn of a conversation) evaluates
/// only the rest. Calls beyond the slots wait, in order of arrival. Thread-safe.
/// </summary>
public sealed class LlamaSlotChatClient : IChatClient, IPromptBudget
{
    private readonly LlamaModel _model;
    private readonly LlamaContext _context;
    private readonly LlamaSlots _slots;

    public LlamaSlotChatClient(LlamaModel model, SlotChatOptions? options = null)
    {
        LlamaPrompts.EnsureChatModel(model);
        options ??= new SlotChatOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SequenceContext, 16);
        _model = model;
        _context = LlamaContext.Create(model, new LlamaContextOptions
        {
            ContextSize = options.SequenceContext * options.Slots,
            Sequences = options.Slots,
            Threads = options.Threads,
            FlashAttention = options.FlashAttention,
            KvCache = options.KvCache,
        });
        try
        {
            _slots = new LlamaSlots(_context);
        }
        catch
        {
            _context.Dispose();
            throw;
        }
        Metadata = new ChatClientMetadata("llama.cpp", null, Path.GetFileName(model.Path));
    }

    public ChatClientMetadata Metadata { get; }

    /// <summary>The slots the calls share (their count, and what they have decoded so far).</summary>
    public LlamaSlots Slots => _slots;

    /// <summary>Tokens one call holds: a slot's room.</summary>
    public int ContextTokens => _slots.SequenceContextSize;

    public ITokenCounter TextTokens => ModelTokenCounter.For(_model);

    public int CountPromptTokens(IEnumerable<ChatMessage> messages) => Tokens(messages).Length;

    private int[] Tokens(IEnumerable<ChatMessage> messages) => LlamaPrompts.Tokenize(_model, LlamaPrompts.Render(_model, messages));

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        LlamaPrompts.CollectAsync(GetStreamingResponseAsync(messages, options, cancellationToken), Metadata.DefaultModelId);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var prompt = Tokens(messages);
        // The slot is held until the answer ends or the reader lets go: a reader that stops early
        // (a client that hung up) cancels it, and the slot is free at the next step.
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = _slots.Submit(prompt, LlamaPrompts.Options(options), leave.Token);
        SlotResult? result = null;
        try
        {
            await foreach (var piece in run.Text.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = Metadata.DefaultModelId };
            result = await run.Completion.ConfigureAwait(false);
        }
        finally
        {
            if (result is null)
            {
                await leave.CancelAsync().ConfigureAwait(false);
                await ((Task)run.Completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        yield return LlamaPrompts.UsageUpdate(result!.Stats, Metadata.DefaultModelId);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        if (serviceType.IsInstanceOfType(this)) return this;
        if (serviceType == typeof(LlamaModel)) return _model;
        if (serviceType == typeof(LlamaSlots)) return _slots;
        return null;
    }

    public void Dispose()
    {
        _slots.Dispose();
        _context.Dispose();
    }
}
