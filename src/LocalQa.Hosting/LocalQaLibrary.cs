using LocalQa.Core;
using LocalQa.Core.Ai;
using LocalQa.Core.Answering;
using LocalQa.Core.Chunking;
using LocalQa.Core.Index;
using LocalQa.Core.Ingest;
using LocalQa.Core.Prompts;
using LocalQa.Core.Summarizing;
using LocalQa.Core.Text;
using LocalQa.Core.Tokenization;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Remote;
using LocalQa.Llama;
using Microsoft.Extensions.AI;

namespace LocalQa.Hosting;

/// <summary>What a verb needs resolved: paths and engine settings (flags over env over config).</summary>
public sealed record LibraryOptions
{
    /// <summary>The data folder (the model-hash cache lives there); null for <see cref="LocalQaPaths.Home"/>.</summary>
    public string? Home { get; init; }

    /// <summary>A llama.cpp build of the same commit to load instead of the bundled runtime; null for the bundled one.</summary>
    public string? NativeDirectory { get; init; }

    public string? IndexPath { get; init; }
    public string? ChatModel { get; init; }
    public string? EmbedModel { get; init; }
    public string? PromptsDirectory { get; init; }

    /// <summary>What renders the prompt files; null for Core's own (the command line passes Semantic Kernel's).</summary>
    public IPromptRenderer? PromptRenderer { get; init; }

    /// <summary>Context size for the chat model as the user asked; null picks 4096 or the model's own, whichever is smaller.</summary>
    public int? ContextSize { get; init; }
    public int Threads { get; init; }
    public int GpuLayers { get; init; }

    /// <summary><c>local</c> (llama.cpp in this process) or <c>openai</c> (a server at <see cref="Endpoint"/>; the models are its names).</summary>
    public string Engine { get; init; } = LocalQaSettings.LocalEngine;

    /// <summary>The remote engine's base URL.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The API key sent to a remote engine (and required by serve).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Requests sent to a remote engine at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>
    /// Slots of the in-process chat model: requests decoded together in one context, each with the
    /// context setting's room (a server's clients). 0, the console's way, keeps one context for one
    /// conversation and a second for a summary's parts.
    /// </summary>
    public int Slots { get; init; }

    /// <summary>Slots decode every request bit-identically to the request alone (flash attention off, F32 KV,
    /// twice the KV memory): for tests that compare concurrent answers with in-process ones.</summary>
    internal bool ExactSlots { get; init; }

    /// <summary>Most slots chosen when none are asked for: past four, a laptop's cores gain little.</summary>
    public const int MaxDefaultSlots = 4;

    /// <summary>Tokens of KV memory all default slots together are sized to hold.</summary>
    public const int DefaultSlotTokens = 16384;

    /// <summary>The slots a server takes unless told: as many contexts of the context setting as fit <see cref="DefaultSlotTokens"/>, one to <see cref="MaxDefaultSlots"/>.</summary>
    public int DefaultSlots()
    {
        // The model's own context (0) is not known before it loads: counted as the largest default.
        var perSlot = ContextSize switch { null => 4096, 0 => LlamaContextOptions.DefaultMaxContext, var set => set.Value };
        return Math.Clamp(DefaultSlotTokens / Math.Max(1, perSlot), 1, MaxDefaultSlots);
    }

    /// <summary>How long a remote engine may take over one request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>A GGUF of the remote chat model whose managed tokenizer counts its tokens; null to estimate them.</summary>
    public string? Tokenizer { get; init; }

    /// <summary>A GGUF of the remote embedding model whose tokenizer sizes the chunks it embeds; null to estimate them.</summary>
    public string? EmbedTokenizer { get; init; }

    /// <summary>Whether the models are a remote server's.</summary>
    public bool IsRemote => Engine == LocalQaSettings.OpenAiEngine;

    /// <summary>The options of resolved settings: every setting the library uses comes from there.</summary>
    public static LibraryOptions From(LocalQaSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new LibraryOptions
        {
            Home = settings.Home,
            NativeDirectory = settings.NativeDir,
            IndexPath = settings.Index,
            ChatModel = settings.ChatModel,
            EmbedModel = settings.EmbedModel,
            PromptsDirectory = settings.PromptsDir,
            ContextSize = settings.ContextSize,
            Threads = settings.Threads ?? 0,
            GpuLayers = settings.GpuLayers ?? 0,
            Engine = settings.Engine,
            Endpoint = settings.Endpoint,
            ApiKey = settings.ApiKey,
            Concurrency = settings.Concurrency ?? 4,
            Timeout = TimeSpan.FromSeconds(settings.Timeout ?? 300),
            Tokenizer = settings.Tokenizer,
            EmbedTokenizer = settings.EmbedTokenizer,
        };
    }

    /// <summary>The cache folder under <see cref="Home"/>.</summary>
    public string CacheDirectory => Home is null ? LocalQaPaths.CacheDirectory : Path.Combine(Home, "cache");
}

/// <summary>Which models a verb loads: a verb that only ingests never pays for the chat model, one that only summarizes never for the embedder.</summary>
[Flags]
public enum LibraryModels
{
    None = 0,
    Chat = 1,
    Embedding = 2,
    Both = Chat | Embedding,
}

/// <summary>
/// LocalQa composed from settings for a host (the command line, a server): the index, the prompts
/// (rendered by <see cref="LibraryOptions.PromptRenderer"/>), and the llama.cpp models the settings
/// name, as one <see cref="ILocalQa"/> (<see cref="Qa"/>). Created once and shared by a verb's work
/// (one chat session keeps one of these); disposing it releases the models and closes the index.
/// </summary>
public sealed class LocalQaLibrary : IDisposable
{
    private LlamaModel? _chatModel;
    private LlamaModel? _embedModel;
    private LlamaChatClient? _chat;
    private LlamaSlotChatClient? _slotChat;
    private LlamaEmbeddingGenerator? _embedder;
    private RemoteChatClient? _remoteChat;
    private RemoteEmbeddingGenerator? _remoteEmbedder;

    private LocalQaLibrary(LibraryOptions options, LocalQaIndex index)
    {
        Options = options;
        Index = index;
    }

    public LibraryOptions Options { get; }

    /// <summary>LocalQa over this library's index and models.</summary>
    public ILocalQa Qa { get; private set; } = null!;

    public LocalQaIndex Index { get; }

    public string IndexPath => Index.FilePath;

    /// <summary>The chat model's file name, or null when none is loaded (answers are extractive).</summary>
    public string? ChatModelName => _remoteChat is not null ? Options.ChatModel : _chatModel is null ? null : Path.GetFileName(_chatModel.Path);

    /// <summary>The embedding model's file name, or null when none is loaded (search is full-text only).</summary>
    public string? EmbedModelName => _remoteEmbedder is not null ? Options.EmbedModel : _embedModel is null ? null : Path.GetFileName(_embedModel.Path);

    /// <summary>The chat model's context in tokens (as the context setting sizes it, or as the remote engine says), or null without a chat model.</summary>
    public int? ChatContextTokens => _remoteChat is not null ? _remoteContext
        : _chatModel is null ? null : Options.ContextSize switch { null => Math.Min(4096, _chatModel.TrainingContextLength), 0 => _chatModel.TrainingContextLength, var set => set };

    private int? _remoteContext;

    /// <summary>With a remote engine: where it is, its models, the context and where that came from, and how tokens are counted; null in process.</summary>
    public string? EngineNote { get; private set; }

    /// <summary>
    /// The chat model as Microsoft.Extensions.AI's client (for Semantic Kernel's services, say); made
    /// on first use and shared with <see cref="Qa"/>, so prompts that start alike reuse its KV cache.
    /// </summary>
    public IChatClient? ChatClient => (IChatClient?)_remoteChat ?? (Options.Slots > 0 ? SlotChatOrNull() : ChatClientOrNull());

    /// <summary>The chat model's slots when it has them (<see cref="LibraryOptions.Slots"/>), made on first use.</summary>
    public LlamaSlots? Slots => Options.Slots > 0 && _remoteChat is null ? SlotChatOrNull()?.Slots : null;

    private LlamaSlotChatClient? SlotChatOrNull() => _chatModel is null ? null : _slotChat ??= SizedByContextSetting(() => new LlamaSlotChatClient(_chatModel, new SlotChatOptions
    {
        Slots = Options.Slots,
        SequenceContext = ChatContextTokens!.Value,
        Threads = Options.Threads,
        FlashAttention = Options.ExactSlots ? FlashAttention.Off : FlashAttention.Auto,
        KvCache = Options.ExactSlots ? KvCacheType.F32 : KvCacheType.F16,
    }));

    /// <summary>The embedding model as Microsoft.Extensions.AI's generator, or null when none is configured.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator => (IEmbeddingGenerator<string, Embedding<float>>?)_remoteEmbedder ?? _embedder;

    private LlamaChatClient? ChatClientOrNull() => _chatModel is null ? null : _chat ??= SizedByContextSetting(() => new LlamaChatClient(_chatModel, new LlamaContextOptions
    {
        ContextSize = Options.ContextSize ?? Math.Min(4096, _chatModel.TrainingContextLength),
        Threads = Options.Threads,
    }));

    /// <summary>
    /// Builds a context the context setting sized: the engine's refusal (too large for the model or
    /// the memory) becomes the user's setting to change, named as such for front ends to spell.
    /// </summary>
    private static T SizedByContextSetting<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ContextSizeException e)
        {
            throw new InvalidInputException(e.Message, e.Fix, e) { Setting = SettingKeys.ContextSize };
        }
    }

    /// <summary>Opens the index (creating it) and loads the <paramref name="models"/> the settings name; prompts load when first needed.</summary>
    public static LocalQaLibrary Open(LibraryOptions options, LibraryModels models)
    {
        ArgumentNullException.ThrowIfNull(options);
        LlamaRuntime.UseNativeDirectory(options.NativeDirectory);
        // LocalQaIndex.Open refuses a folder and creates the file's folder, with the setting named.
        var lib = new LocalQaLibrary(options, LocalQaIndex.Open(options.IndexPath ?? LocalQaPaths.DefaultIndex));
        try
        {
            var builder = new LocalQaBuilder()
                .WithIndex(lib.Index)
                .WithPrompts(options.PromptsDirectory ?? LocalQaPaths.PromptsDirectory, options.PromptRenderer);
            if (options.IsRemote)
            {
                lib.Qa = lib.OpenRemote(builder, models);
                return lib;
            }
            if (models.HasFlag(LibraryModels.Embedding) && options.EmbedModel is { } embedPath)
            {
                lib._embedModel = LlamaModel.Load(embedPath, new LlamaModelOptions { GpuLayers = options.GpuLayers });
                lib._embedder = new LlamaEmbeddingGenerator(lib._embedModel, new EmbedderOptions { Threads = options.Threads });
                // Chunks sized by the embedding model's own tokenizer (managed when it reproduces
                // llama.cpp, so chunking never waits on the native side while the model embeds), and
                // never longer than the model's trained context with its CLS/SEP or BOS around it.
                var counter = ModelTokenCounter.For(lib._embedModel);
                builder.WithEmbeddingGenerator(lib._embedder, ModelIdentity.Of(embedPath, options.CacheDirectory))
                    .WithChunker(new Chunker(counter, ChunkingFor(lib._embedModel, counter, new EmbedderOptions().BatchTokens)));
            }
            if (models.HasFlag(LibraryModels.Chat) && options.ChatModel is { } chatPath)
            {
                lib._chatModel = LlamaModel.Load(chatPath, new LlamaModelOptions { GpuLayers = options.GpuLayers });
                // Refused here, with the file's name, rather than when a context is first built for it.
                LlamaPrompts.EnsureChatModel(lib._chatModel);
                var chatModel = lib._chatModel;
                // The library owns the chat client (Semantic Kernel may share it): the face gets it
                // without ownership, and the batch context for summaries is the face's to dispose.
                if (options.Slots > 0)
                {
                    // A server's clients, their conversations and a summary's parts all share the
                    // slots: one context, every request decoded in the same batches.
                    builder.WithChatClient(() => lib.SlotChatOrNull()!, disposeWithFace: false, concurrency: options.Slots)
                        .WithBatchChatClient(() => new ChatClientBatch(lib.SlotChatOrNull()!, options.Slots));
                }
                else
                {
                    builder.WithChatClient(() => lib.ChatClientOrNull()!, disposeWithFace: false)
                        .WithBatchChatClient(() => SizedByContextSetting(() => new LlamaBatchChatClient(chatModel, new BatchChatOptions
                        {
                            SequenceContext = options.ContextSize ?? 0,
                            Threads = options.Threads,
                        })));
                }
            }
            lib.Qa = builder.Build();
        }
        catch
        {
            lib.Dispose();
            throw;
        }
        return lib;
    }

    /// <summary>
    /// The face over a server speaking the OpenAI API: its chat model (context from the settings, else
    /// as the server says, else assumed; token counts estimated; a summary's parts as concurrent
    /// requests) and its embedding model (vectors kept under the endpoint and model name).
    /// </summary>
    private ILocalQa OpenRemote(LocalQaBuilder builder, LibraryModels models)
    {
        var endpoint = RemoteEngine.EndpointOf(Options);
        var client = RemoteEngine.Client(Options, endpoint);
        var notes = new List<string>();
        if (models.HasFlag(LibraryModels.Embedding) && Options.EmbedModel is { } embedName)
        {
            var id = RemoteEngine.EmbedModelId(endpoint, embedName);
            _remoteEmbedder = new RemoteEmbeddingGenerator(client.GetEmbeddingClient(embedName).AsIEmbeddingGenerator(), endpoint.ToString(), embedName,
                Options.Timeout, Index.EmbeddingDimensions(id), Options.Concurrency);
            builder.WithEmbeddingGenerator(_remoteEmbedder, id);
            if (Options.EmbedTokenizer is { } embedGguf)
            {
                // Chunks sized in the embedding model's own tokens and kept within its trained
                // context, as in process: the server would otherwise cut or refuse a longer one.
                var (counter, trained) = TokenizerOf(embedGguf, SettingKeys.EmbedTokenizer, "embedding");
                builder.WithChunker(new Chunker(counter, ChunkingFor(embedGguf, trained, counter.SpecialTokenCount, new EmbedderOptions().BatchTokens)));
            }
            notes.Add($"embedding model '{embedName}'{(Options.EmbedTokenizer is null ? "" : $" (chunks sized by the tokenizer of {Path.GetFileName(Options.EmbedTokenizer)})")}");
        }
        if (models.HasFlag(LibraryModels.Chat) && Options.ChatModel is { } chatName)
        {
            int context;
            string source;
            if (Options.ContextSize is > 0 and var set)
                (context, source) = (set, "the context setting");
            else
            {
                var probe = RemoteEngine.Probe(Options, chatName);
                (context, source) = probe.ContextSize is { } said
                    ? (said, probe.ContextSource!)
                    : (RemoteEngine.AssumedContext, "assumed: the server does not say; set the context setting");
            }
            _remoteContext = context;
            _remoteChat = new RemoteChatClient(client.GetChatClient(chatName).AsIChatClient(), endpoint.ToString(), chatName, Options.Timeout);
            var tokens = Options.Tokenizer is { } gguf ? TokenizerOf(gguf, SettingKeys.Tokenizer, "chat").Tokenizer : null;
            builder.WithChatClient(_remoteChat, context, tokens, concurrency: Options.Concurrency);
            notes.Insert(0, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"chat model '{chatName}', context {context} tokens ({source}), {(tokens is null ? "token counts estimated (no GGUF of the model is named)" : $"token counts by the tokenizer of {Path.GetFileName(Options.Tokenizer)}")}"));
        }
        EngineNote = $"remote engine at {endpoint}{(notes.Count == 0 ? "" : ": " + string.Join("; ", notes))}";
        return builder.Build();
    }

    /// <summary>The managed tokenizer of a GGUF file (its vocabulary only; no weights load) and the context the model was trained for (null when the file does not say).</summary>
    private static (GgufTokenizer Tokenizer, long? TrainedContext) TokenizerOf(string gguf, string setting, string kind)
    {
        if (!File.Exists(gguf))
            throw new InvalidInputException($"The tokenizer file '{gguf}' does not exist.", $"Name a GGUF file of the remote {kind} model, or leave the setting out to estimate token counts.") { Setting = setting };
        var file = Core.Gguf.GgufReader.Read(gguf);
        var tokenizer = GgufTokenizer.TryCreate(file, out var whyNot)
            ?? throw new InvalidInputException($"LocalQa cannot run the tokenizer of '{gguf}' in managed code: {whyNot}", "Leave the setting out: token counts are then estimated.") { Setting = setting };
        return (tokenizer, file.ContextLength);
    }

    /// <summary>The default chunking, narrowed so every chunk and its special tokens fit the embedding model's trained context.</summary>
    internal static ChunkingOptions ChunkingFor(LlamaModel model, ITokenCounter counter, int batchTokens) =>
        ChunkingFor(model.Path, model.TrainingContextLength, counter is GgufTokenizer managed ? managed.SpecialTokenCount : 2, batchTokens);

    /// <summary>The default chunking, narrowed so every chunk and its <paramref name="specials"/> fit <paramref name="trainedContext"/> and <paramref name="batchTokens"/>.</summary>
    private static ChunkingOptions ChunkingFor(string model, long? trainedContext, int specials, int batchTokens)
    {
        var fit = (int)Math.Min(trainedContext is > 0 and var trained ? trained : int.MaxValue, batchTokens) - specials;
        var options = ChunkingOptions.Default;
        if (fit >= options.MaxTokens) return options;
        if (fit < 16)
            throw new InvalidInputException(
                $"Embedding model '{model}' is trained on {trainedContext} tokens, too few for a chunk of text.",
                "Use an embedding model with a context of at least 32 tokens, such as bge-small-en-v1.5.");
        return options with { MaxTokens = fit, OverlapTokens = Math.Min(options.OverlapTokens, (fit - 1) / 2) };
    }

    /// <summary>When the index is empty, ingests the bundled seeds/ so a first question has something to
    /// answer from; returns the report, or null when nothing was needed.</summary>
    public async Task<IngestReport?> EnsureSeededAsync(IProgress<IngestProgress>? progress = null, CancellationToken ct = default)
    {
        if (Index.Stats().Documents > 0) return null;
        var seeds = LocalQaPaths.SeedsDirectory;
        if (seeds is null || !Directory.Exists(seeds)) return null;
        return await Qa.IngestAsync([seeds], new IngestOptions(), progress, ct).ConfigureAwait(false);
    }

    public void Dispose()
    {
        Qa?.Dispose();
        _chat?.Dispose();
        _slotChat?.Dispose();
        _chatModel?.Dispose();
        _embedder?.Dispose();
        _embedModel?.Dispose();
        _remoteChat?.Dispose();
        _remoteEmbedder?.Dispose();
        Index.Dispose();
    }
}
