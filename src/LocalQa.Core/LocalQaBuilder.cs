using LocalQa.Core.Ai;
using LocalQa.Core.Chunking;
using LocalQa.Core.Index;
using LocalQa.Core.Prompts;
using Microsoft.Extensions.AI;

namespace LocalQa.Core;

/// <summary>
/// Builds an <see cref="ILocalQa"/> from an index and whichever clients the program has: any
/// <see cref="IChatClient"/> (LocalQa's llama.cpp one, an OpenAI-compatible server's, a test double)
/// and any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>. Without a chat client answers and
/// summaries are extractive; without an embedding generator retrieval is full text only.
/// </summary>
/// <example>
/// <code>
/// using var qa = new LocalQaBuilder()
///     .WithIndex("index.db")
///     .WithPrompts("prompts")
///     .WithChatClient(chat, contextTokens: 8192)
///     .Build();
/// var answer = await qa.AskAsync("Who founded FAIR?");
/// </code>
/// </example>
public sealed class LocalQaBuilder
{
    private Func<LocalQaIndex>? _index;
    private bool _ownsIndex;
    private Func<PromptLibrary>? _prompts;
    private Func<IChatClient>? _chat;
    private bool _ownsChat;
    private int _chatConcurrency = 1;
    private Func<IBatchChatClient>? _batch;
    private Func<IEmbeddingGenerator<string, Embedding<float>>>? _embedder;
    private string? _embedModelId;
    private Chunker? _chunker;

    /// <summary>The index file to open (created when absent); the built face closes it.</summary>
    public LocalQaBuilder WithIndex(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _index = () => LocalQaIndex.Open(path);
        _ownsIndex = true;
        return this;
    }

    /// <summary>An index the caller opened and keeps: the built face never closes it.</summary>
    public LocalQaBuilder WithIndex(LocalQaIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = () => index;
        _ownsIndex = false;
        return this;
    }

    /// <summary>The prompt files (<c>system.txt</c>, <c>answer.txt</c> …) in <paramref name="directory"/>, rendered by <paramref name="renderer"/> (Core's own when null).</summary>
    public LocalQaBuilder WithPrompts(string? directory, IPromptRenderer? renderer = null)
    {
        // Null is refused by PromptLibrary.Load with the fix (the folder is a user's setting).
        _prompts = () => PromptLibrary.Load(directory, renderer);
        return this;
    }

    /// <summary>Prompts already loaded.</summary>
    public LocalQaBuilder WithPrompts(PromptLibrary prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = () => prompts;
        return this;
    }

    /// <summary>
    /// The chat client for answers, which must offer an <see cref="IPromptBudget"/> through
    /// <c>GetService</c> (LocalQa's llama.cpp client does). The caller keeps it and disposes it.
    /// </summary>
    public LocalQaBuilder WithChatClient(IChatClient chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        WithChatClient(() => chat);
        _ownsChat = false;
        return this;
    }

    /// <summary>
    /// A chat client that cannot count its own tokens (a server's), given what answering needs to
    /// lay out prompts: its context size, and its tokenizer when known (an estimate otherwise).
    /// Answers, and a summary's parts, go to it as up to <paramref name="concurrency"/> requests at a
    /// time, which a server batches on its side; the client must then take concurrent calls (HTTP clients do).
    /// </summary>
    public LocalQaBuilder WithChatClient(IChatClient chat, int contextTokens, Text.ITokenCounter? tokens = null, int concurrency = 1)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        // Checked now, where the caller passed it, not on the first question.
        var budget = new PromptBudgetChatClient(chat, contextTokens, tokens);
        // Disposing the wrapper would dispose the caller's client.
        WithChatClient(() => budget, disposeWithFace: false, concurrency);
        _batch = () => new ChatClientBatch(budget, concurrency);
        return this;
    }

    /// <summary>
    /// A chat client made on first use (a model's context is memory a verb that never answers should
    /// not pay for); the face disposes what the factory made unless <paramref name="disposeWithFace"/> is false.
    /// Up to <paramref name="concurrency"/> answers are generated at once (a client with several slots,
    /// or a server's); the client must then take concurrent calls.
    /// </summary>
    public LocalQaBuilder WithChatClient(Func<IChatClient> factory, bool disposeWithFace = true, int concurrency = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _chat = factory ?? throw new ArgumentNullException(nameof(factory));
        _ownsChat = disposeWithFace;
        _chatConcurrency = concurrency;
        return this;
    }

    /// <summary>
    /// What summaries complete their map and reduce prompts with, made on first use (disposed by the
    /// face when disposable). Without one, summaries send them to the chat client one at a time.
    /// </summary>
    public LocalQaBuilder WithBatchChatClient(Func<IBatchChatClient> factory)
    {
        _batch = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>
    /// The embedding generator for ingest and search; <paramref name="modelId"/> names its model in
    /// the index, so vectors of different models are never compared. The caller keeps it.
    /// </summary>
    public LocalQaBuilder WithEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> generator, string modelId)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        _embedder = () => generator;
        _embedModelId = modelId;
        return this;
    }

    /// <summary>How documents are cut into chunks (by default about 256 estimated tokens, in the embedding model's tokens when the chunker is given them).</summary>
    public LocalQaBuilder WithChunker(Chunker chunker)
    {
        _chunker = chunker ?? throw new ArgumentNullException(nameof(chunker));
        return this;
    }

    /// <summary>Opens the index; the prompts load, and the clients are made, when first needed.</summary>
    /// <exception cref="InvalidOperationException">No index or no prompts were given.</exception>
    public ILocalQa Build()
    {
        if (_index is null) throw new InvalidOperationException("Name the index with WithIndex before Build.");
        if (_prompts is null) throw new InvalidOperationException("Name the prompts with WithPrompts before Build.");
        var index = _index();
        try
        {
            var embedder = _embedder?.Invoke();
            return new LocalQaService(index, _ownsIndex, _prompts, _chat, _ownsChat, _batch, embedder, _embedModelId, _chunker ?? new Chunker(), _chatConcurrency);
        }
        catch
        {
            if (_ownsIndex) index.Dispose();
            throw;
        }
    }
}
