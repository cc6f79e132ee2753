using LocalQa.Core.Ai;
using LocalQa.Core.Text;
using Microsoft.Extensions.AI;

namespace LocalQa.Llama;

/// <summary>
/// <see cref="IBatchChatClient"/> over an in-process llama.cpp model: one context of
/// <see cref="BatchChatOptions.Parallel"/> sequences, every prompt of a call decoded in the same
/// batches, and a finished sequence's slot taking the next prompt at once (continuous batching, see
/// <see cref="BatchedGenerator"/>). Not thread-safe: one batch at a time.
/// </summary>
public sealed class LlamaBatchChatClient : IBatchChatClient, IPromptBudget, IDisposable
{
    // A summary counts each prompt to see that it fits, then sends it: the tokens counted are kept
    // for the send, up to this many, so a long article is not tokenized twice.
    private const int KeptTokenizations = 64;

    private readonly LlamaModel _model;
    private readonly LlamaContext _context;
    private readonly BatchedGenerator _batched;
    private readonly Dictionary<string, int[]> _tokenized = new(StringComparer.Ordinal);

    public LlamaBatchChatClient(LlamaModel model, BatchChatOptions? options = null)
    {
        LlamaPrompts.EnsureChatModel(model);
        options ??= new BatchChatOptions();
        var parallel = options.Parallel > 0 ? options.Parallel : 4;
        var perSequence = options.SequenceContext > 0 ? options.SequenceContext : Math.Min(2048, model.TrainingContextLength);
        _model = model;
        _context = LlamaContext.Create(model, new LlamaContextOptions
        {
            ContextSize = perSequence * parallel,
            Sequences = parallel,
            Threads = options.Threads,
            FlashAttention = options.FlashAttention,
            KvCache = options.KvCache,
        });
        _batched = new BatchedGenerator(_context);
    }

    public IPromptBudget Budget => this;

    public int ContextTokens => _context.SequenceContextSize;

    // Looked up when a prompt is laid out, not built with the client: a caller that sends ready
    // messages never pays for the managed tokenizer.
    public ITokenCounter TextTokens => ModelTokenCounter.For(_model);

    public int CountPromptTokens(IEnumerable<ChatMessage> messages) => Tokens(messages).Length;

    private int[] Tokens(IEnumerable<ChatMessage> messages)
    {
        var text = LlamaPrompts.Render(_model, messages);
        if (_tokenized.TryGetValue(text, out var kept)) return kept;
        var tokens = LlamaPrompts.Tokenize(_model, text);
        if (_tokenized.Count < KeptTokenizations) _tokenized[text] = tokens;
        return tokens;
    }

    public Task<IReadOnlyList<ChatResponse>> CompleteAsync(IReadOnlyList<IReadOnlyList<ChatMessage>> prompts, ChatOptions? options = null,
        Action<int>? onCompleted = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) return Task.FromResult<IReadOnlyList<ChatResponse>>([]);
        // The decode loop is native work that holds a thread for seconds to minutes: it runs on a
        // thread of its own, so the caller's (a server's request thread, a UI) stays free and the
        // pool is not starved. Cancellation reaches llama.cpp's abort callback from the token.
        return Task.Factory.StartNew<IReadOnlyList<ChatResponse>>(() => Complete(prompts, options, onCompleted, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private ChatResponse[] Complete(IReadOnlyList<IReadOnlyList<ChatMessage>> prompts, ChatOptions? options,
        Action<int>? onCompleted, CancellationToken cancellationToken)
    {
        try
        {
            var tokens = prompts.Select(Tokens).ToArray();
            var results = _batched.Generate(tokens, LlamaPrompts.Options(options), r => onCompleted?.Invoke(r.Index), cancellationToken);
            return results.Select(r => new ChatResponse(new ChatMessage(ChatRole.Assistant, r.Text))
            {
                FinishReason = LlamaPrompts.FinishReason(r.StopReason),
                ModelId = Path.GetFileName(_model.Path),
                Usage = new UsageDetails
                {
                    InputTokenCount = r.PromptTokens,
                    OutputTokenCount = r.Tokens.Length,
                    TotalTokenCount = r.PromptTokens + r.Tokens.Length,
                },
            }).ToArray();
        }
        finally
        {
            _tokenized.Clear();
        }
    }

    public void Dispose()
    {
        _batched.Dispose();
        _context.Dispose();
    }
}
