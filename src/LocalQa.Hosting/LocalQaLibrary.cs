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
using LocalQa.Llama;

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
        };
    }

    /// <summary>The cache folder under <see cref="Home"/>.</summary>
    public string CacheDirectory => Home is null ? LocalQaPaths.CacheDirectory : Path.Combine(Home, "cache");
}

/// <summary>
/// The open library a verb works on: the index, prompts and whichever models are configured,
/// created once and shared by the verb's work (one chat session keeps one of these).
/// </summary>
public sealed class LocalQaLibrary : IDisposable
{
    private LocalQaLibrary(LibraryOptions options, LocalQaIndex index)
    {
        Options = options;
        Index = index;
    }

    public LibraryOptions Options { get; }
    public LocalQaIndex Index { get; }
    public string IndexPath => Index.FilePath;
    private LlamaModel? _chatModel;
    private LlamaChatClient? _chat;
    private LlamaBatchChatClient? _batch;

    /// <summary>The chat model for answers, with its conversation context; built on first use, so a verb that only summarizes never allocates it.</summary>
    public LlamaChatClient? Chat => _chatModel is null ? null : _chat ??= SizedByContextSetting(() => new LlamaChatClient(_chatModel, new LlamaContextOptions
    {
        ContextSize = Options.ContextSize ?? Math.Min(4096, _chatModel.TrainingContextLength),
        Threads = Options.Threads,
    }));

    /// <summary>
    /// The chat model as parallel sequences for summaries; built on first use and kept, so a chat
    /// that summarizes again reuses its context. The context setting sizes each sequence.
    /// </summary>
    public LlamaBatchChatClient? Batch => _chatModel is null ? null : _batch ??= SizedByContextSetting(() => new LlamaBatchChatClient(_chatModel, new BatchChatOptions
    {
        SequenceContext = Options.ContextSize ?? 0,
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
    public LlamaEmbeddingGenerator? Embedder { get; private set; }
    public string? EmbedModelId { get; private set; }
    public PromptLibrary? Prompts { get; private set; }
    public Chunker Chunker { get; private set; } = new();

    /// <summary>Opens the index (creating it) and loads the models the verb needs.</summary>
    public static LocalQaLibrary Open(LibraryOptions options, bool loadChat, bool loadEmbedder, bool loadPrompts)
    {
        ArgumentNullException.ThrowIfNull(options);
        LlamaRuntime.UseNativeDirectory(options.NativeDirectory);
        // LocalQaIndex.Open refuses a folder and creates the file's folder, with the setting named.
        var lib = new LocalQaLibrary(options, LocalQaIndex.Open(options.IndexPath ?? LocalQaPaths.DefaultIndex));
        try
        {
            if (loadPrompts) lib.Prompts = PromptLibrary.Load(options.PromptsDirectory ?? LocalQaPaths.PromptsDirectory, options.PromptRenderer);
            if (loadEmbedder && options.EmbedModel is { } embedPath)
            {
                var model = LlamaModel.Load(embedPath, new LlamaModelOptions { GpuLayers = options.GpuLayers });
                lib.Embedder = new LlamaEmbeddingGenerator(model, new EmbedderOptions { Threads = options.Threads }, ownsModel: true);
                lib.EmbedModelId = ModelIdentity.Of(embedPath, options.CacheDirectory);
                // Chunks sized by the embedding model's own tokenizer (managed when it reproduces
                // llama.cpp, so chunking never waits on the native side while the model embeds), and
                // never longer than the model's trained context with its CLS/SEP or BOS around it.
                var counter = ModelTokenCounter.For(model);
                lib.Chunker = new Chunker(counter, ChunkingFor(model, counter, new EmbedderOptions().BatchTokens));
            }
            if (loadChat && options.ChatModel is { } chatPath)
            {
                lib._chatModel = LlamaModel.Load(chatPath, new LlamaModelOptions { GpuLayers = options.GpuLayers });
                // Refused here, with the file's name, rather than when a context is first built for it.
                LlamaPrompts.EnsureChatModel(lib._chatModel);
            }
        }
        catch
        {
            lib.Dispose();
            throw;
        }
        return lib;
    }

    /// <summary>The default chunking, narrowed so every chunk and its special tokens fit the embedding model's trained context.</summary>
    internal static ChunkingOptions ChunkingFor(LlamaModel model, ITokenCounter counter, int batchTokens)
    {
        var specials = counter is GgufTokenizer managed ? managed.SpecialTokenCount : 2;
        var fit = Math.Min(model.TrainingContextLength > 0 ? model.TrainingContextLength : int.MaxValue, batchTokens) - specials;
        var options = ChunkingOptions.Default;
        if (fit >= options.MaxTokens) return options;
        if (fit < 16)
            throw new InvalidInputException(
                $"Embedding model '{model.Path}' is trained on {model.TrainingContextLength} tokens, too few for a chunk of text.",
                "Use an embedding model with a context of at least 32 tokens, such as bge-small-en-v1.5.");
        return options with { MaxTokens = fit, OverlapTokens = Math.Min(options.OverlapTokens, (fit - 1) / 2) };
    }

    /// <summary>When the index is empty, ingests the bundled seeds/ so a first question has something to
    /// answer from; returns the report, or null when nothing was needed.</summary>
    public IngestReport? EnsureSeeded(IProgress<IngestProgress>? progress = null, CancellationToken ct = default)
    {
        if (Index.Stats().Documents > 0) return null;
        var seeds = LocalQaPaths.SeedsDirectory;
        if (seeds is null || !Directory.Exists(seeds)) return null;
        return CreateIngestor().Ingest([seeds], new IngestOptions(), progress, ct);
    }

    public Ingestor CreateIngestor() => new(Index, Chunker, Embedder, EmbedModelId);

    public Answerer CreateAnswerer() =>
        new(Index, Prompts ?? throw new InvalidOperationException("Prompts were not loaded."), Chat, Embedder, EmbedModelId);

    /// <summary>A summarizer over the library: generative with the chat model, extractive without one.</summary>
    public Summarizer CreateSummarizer(SummarizeOptions? options = null) =>
        new(Prompts ?? throw new InvalidOperationException("Prompts were not loaded."), Batch, Index, options);

    public void Dispose()
    {
        _chat?.Dispose();
        _batch?.Dispose();
        _chatModel?.Dispose();
        Embedder?.Dispose();
        Index.Dispose();
    }
}
