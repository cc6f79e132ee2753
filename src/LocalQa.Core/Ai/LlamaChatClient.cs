using System.Runtime.CompilerServices;
using System.Text;
using LocalQa.Llama;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Ai;

/// <summary>
/// <see cref="IChatClient"/> over an in-process llama.cpp model. It keeps the KV cache of the last
/// conversation, so a follow-up that repeats the earlier prompt (a chat history, or a question over
/// the same passages) evaluates only the new tokens. Usage reports the reuse as
/// <see cref="UsageDetails.CachedInputTokenCount"/>.
/// Thread-safety: calls may come from any thread; they run one at a time (one context, one owner).
/// </summary>
public sealed class LlamaChatClient : IChatClient
{
    private readonly LlamaModel _model;
    private readonly LlamaContext _context;
    private readonly LlamaGenerator _generator;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly bool _ownsModel;

    public LlamaChatClient(LlamaModel model, LlamaContextOptions? contextOptions = null, bool ownsModel = false)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        if (model.IsEmbeddingModel)
            throw new InvalidInputException($"'{model.Path}' is an embedding model ({model.Architecture}); it cannot chat.", "Use a chat/instruct model with --model, and this file with --embed-model.");
        _context = LlamaContext.Create(model, contextOptions);
        _generator = new LlamaGenerator(_context);
        _ownsModel = ownsModel;
        Metadata = new ChatClientMetadata("llama.cpp", null, Path.GetFileName(model.Path));
    }

    public ChatClientMetadata Metadata { get; }

    public LlamaModel Model => _model;

    public LlamaContext Context => _context;

    /// <summary>The cost of the last request (prompt, reuse, timings).</summary>
    public GenerationStats? LastStats => _generator.LastStats;

    /// <summary>Forgets the cached conversation (the chat's /reset).</summary>
    public void ResetCache()
    {
        _gate.Wait();
        try { _generator.Reset(); }
        finally { _gate.Release(); }
    }

    /// <summary>Renders messages through the model's chat template and tokenizes them; template
    /// markers are parsed as special tokens (callers neutralize untrusted text before).</summary>
    public int[] RenderPrompt(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = messages.Select(m => new ChatTurn(m.Role.Value, m.Text)).ToArray();
        if (turns.Length == 0) throw new ArgumentException("No messages.", nameof(messages));
        var text = _model.ApplyChatTemplate(turns, addAssistantPrompt: true);
        var tokens = _model.Tokenize(text, addSpecial: true, parseSpecial: true);
        // Templates that spell out BOS themselves would otherwise get a second one.
        if (tokens.Length > 1 && tokens[0] == _model.BosToken && tokens[1] == _model.BosToken) tokens = tokens[1..];
        return tokens;
    }

    public static GenerationOptions MapOptions(ChatOptions? options, int defaultMaxTokens = 512)
    {
        if (options is null) return new GenerationOptions { MaxTokens = defaultMaxTokens };
        var sampling = new SamplingOptions
        {
            Temperature = options.Temperature ?? 0f,
            TopP = options.TopP ?? 0.95f,
            TopK = options.TopK ?? 40,
            Seed = options.Seed is { } s ? unchecked((uint)s) : 0xC0FFEE,
        };
        return new GenerationOptions
        {
            MaxTokens = options.MaxOutputTokens ?? defaultMaxTokens,
            StopStrings = options.StopSequences?.ToArray() ?? [],
            Sampling = sampling,
        };
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            text.Append(update.Text);
            finish ??= update.FinishReason;
            foreach (var c in update.Contents) if (c is UsageContent u) usage = u.Details;
        }
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString()))
        {
            FinishReason = finish,
            Usage = usage,
            ModelId = Metadata.DefaultModelId,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = RenderPrompt(messages);
        var gen = MapOptions(options);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var piece in _generator.GenerateAsync(prompt, gen, cancellationToken).ConfigureAwait(false))
                yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = Metadata.DefaultModelId };
            var stats = _generator.LastStats!;
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
            {
                InputTokenCount = stats.PromptTokens,
                CachedInputTokenCount = stats.ReusedTokens,
                OutputTokenCount = stats.GeneratedTokens,
                TotalTokenCount = stats.PromptTokens + stats.GeneratedTokens,
            })])
            {
                FinishReason = stats.StopReason is StopReason.MaxTokens or StopReason.ContextFull ? ChatFinishReason.Length : ChatFinishReason.Stop,
            };
        }
        finally
        {
            _gate.Release();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        if (serviceType.IsInstanceOfType(this)) return this;
        if (serviceType == typeof(LlamaModel)) return _model;
        return null;
    }

    public void Dispose()
    {
        _generator.Dispose();
        _context.Dispose();
        if (_ownsModel) _model.Dispose();
        _gate.Dispose();
    }
}
