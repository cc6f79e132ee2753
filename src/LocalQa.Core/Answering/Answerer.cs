using System.Diagnostics;
using System.Text;
using LocalQa.Core.Ai;
using LocalQa.Core.Index;
using LocalQa.Core.Prompts;
using LocalQa.Core.Retrieval;
using LocalQa.Core.Text;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Answering;

/// <summary>How a question is answered. A value out of range is an <see cref="InvalidInputException"/> that names the property.</summary>
public sealed record AskOptions
{
    /// <summary>The most passages a question may retrieve (<see cref="TopK"/>).</summary>
    public const int MaxTopK = 50;

    /// <summary>The most tokens an answer may be given (<see cref="MaxTokens"/>).</summary>
    public const int MaxAnswerTokens = 8192;

    /// <summary>The most neighbouring chunks added on each side of a passage (<see cref="NeighbourChunks"/>).</summary>
    public const int MaxNeighbourChunks = 5;

    /// <summary>Passages to retrieve, 1 to <see cref="MaxTopK"/>; a generated answer is given those that fit in the context.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>Most tokens a generated answer may take, 1 to <see cref="MaxAnswerTokens"/>; the context must hold them beside the prompt.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Answer by quoting sentences even when a chat model is configured.</summary>
    public bool Extractive { get; init; }

    /// <summary>Chunks added on each side of a retrieved chunk, 0 to <see cref="MaxNeighbourChunks"/>.</summary>
    public int NeighbourChunks { get; init; }

    /// <summary>Longest question accepted, in characters; longer ones are the user's to shorten.</summary>
    public int MaxQuestionChars { get; init; } = 4000;
}

/// <summary>
/// Answers questions over the index: retrieval (BM25, plus dense when the index has vectors of the
/// embedding model), then a generated answer with citations when a chat model is present, else the
/// best sentences quoted. One instance serves a whole chat: the chat client keeps its KV cache and
/// passages are laid out canonically, so follow-ups reuse the shared prompt prefix. The models are
/// reached only through <see cref="IChatClient"/> (with the <see cref="IPromptBudget"/> it offers)
/// and <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>, so any engine that speaks them answers.
/// Not thread-safe (the index connection and the model context have one owner).
/// </summary>
internal sealed partial class Answerer
{
    private readonly LocalQaIndex _index;
    private readonly PromptLibrary _prompts;
    private readonly IChatClient? _chat;
    private readonly IPromptBudget? _budget;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly string? _embedModelId;
    private VectorStore? _vectors;
    private bool _vectorsLoaded;

    /// <param name="index">The index questions are answered from.</param>
    /// <param name="prompts">The prompt texts.</param>
    /// <param name="chat">The chat model, or null for extractive answers; it must offer an <see cref="IPromptBudget"/>
    /// (LocalQa's llama.cpp client does; wrap another in <see cref="PromptBudgetChatClient"/>).</param>
    /// <param name="embedder">Embeds the question for dense search, or null for full-text search alone.</param>
    /// <param name="embedModelId">The embedding model's id (SHA-256 of its file), whose vectors the index is searched by; null without one.</param>
    public Answerer(LocalQaIndex index, PromptLibrary prompts, IChatClient? chat = null, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, string? embedModelId = null)
    {
        _index = index ?? throw new ArgumentNullException(nameof(index));
        _prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        _chat = chat;
        _budget = chat is null ? null : chat.GetService<IPromptBudget>()
            ?? throw new ArgumentException("The chat client offers no IPromptBudget to fit passages into its context; wrap it with PromptBudgetChatClient.", nameof(chat));
        _embedder = embedder;
        _embedModelId = embedModelId;
    }

    public bool CanGenerate => _chat is not null;

    /// <summary>The face's turns: retrieval in the library's, generation in the chat client's; none when used alone.</summary>
    internal FaceTurns? Turns { get; init; }

    private ValueTask<FaceTurns.Turn> LibraryTurnAsync(CancellationToken ct) => Turns?.LibraryAsync(ct) ?? default;

    private ValueTask<FaceTurns.Turn> ChatTurnAsync(CancellationToken ct) => Turns?.ChatAsync(ct) ?? default;

    /// <summary>Re-reads vectors after the index changed (the chat's /ingest).</summary>
    public void Refresh()
    {
        _vectors = null;
        _vectorsLoaded = false;
    }

    /// <summary>Forgets the chat model's cached prompt (the chat's /reset).</summary>
    public void ResetCache() => _chat?.GetService<IPromptCache>()?.ResetCache();

    /// <summary>Retrieves the passages for a question (for /sources and --json).</summary>
    public async Task<IReadOnlyList<RetrievedPassage>> RetrieveAsync(string question, AskOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        float[]? queryVector = null;
        var vectors = Vectors();
        if (vectors is not null && _embedder is not null)
            queryVector = (await _embedder.EmbedAsync([question], cancellationToken).ConfigureAwait(false))[0];
        var retriever = new Retriever(_index, vectors, new RetrieverOptions { NeighbourChunks = options.NeighbourChunks });
        return retriever.Search(question, options.TopK, queryVector);
    }

    private VectorStore? Vectors()
    {
        if (!_vectorsLoaded)
        {
            _vectorsLoaded = true;
            _vectors = _embedModelId is null ? null : VectorStore.Load(_index, _embedModelId);
            if (_vectors is { Count: 0 }) _vectors = null;
        }
        return _vectors;
    }

    /// <summary>Answers one question; <paramref name="onText"/> receives the answer as it is generated.</summary>
    public Task<AskResult> AskAsync(string question, AskOptions? options = null, Func<string, ValueTask>? onText = null, CancellationToken cancellationToken = default) =>
        AskAsync(question, null, options, onText, cancellationToken);

    /// <summary>
    /// Answers <paramref name="question"/> (the standalone form, which retrieval sees); with a
    /// <paramref name="turn"/>, a generated answer continues that conversation's prompt.
    /// </summary>
    internal async Task<AskResult> AskAsync(string question, ConversationTurnRequest? turn, AskOptions? options, Func<string, ValueTask>? onText, CancellationToken cancellationToken)
    {
        options ??= new AskOptions();
        question = (question ?? "").Trim();
        if (question.Length == 0)
            throw new InvalidInputException("The question is empty.", "Ask something, e.g. localqa ask \"Who founded FAIR?\"");
        CheckLength(question, options);
        CheckOptions(options);
        var total = Stopwatch.StartNew();
        IReadOnlyList<RetrievedPassage> passages;
        using (await LibraryTurnAsync(cancellationToken).ConfigureAwait(false))
            passages = await RetrieveAsync(question, options, cancellationToken).ConfigureAwait(false);
        var retrievalMs = total.Elapsed.TotalMilliseconds;
        var extractive = ExtractiveAnswerer.Answer(question, passages);

        if (_chat is null || options.Extractive)
        {
            var note = _chat is null
                ? "extractive answer: no chat model is configured (run `localqa models download` for generated answers)"
                : "extractive answer, as asked";
            var result = Extractive(passages, extractive, retrievalMs, total, note);
            if (onText is not null) await onText(result.Answer).ConfigureAwait(false);
            return result;
        }
        if (passages.Count == 0 || extractive.Abstained)
        {
            // Nothing relevant enough: the model is not asked to invent from weak passages.
            if (onText is not null) await onText(_prompts.Abstain).ConfigureAwait(false);
            return new AskResult
            {
                Answer = _prompts.Abstain,
                Mode = AnswerMode.Generative,
                Abstained = true,
                Sources = passages.Select(ToSource).ToArray(),
                Timings = new AskTimings { RetrievalMs = retrievalMs, TotalMs = total.Elapsed.TotalMilliseconds },
                Note = "no passage in the library is relevant enough",
            };
        }
        // Counting a prompt's tokens reads the client's cache: the whole generation is in its turn.
        using (await ChatTurnAsync(cancellationToken).ConfigureAwait(false))
        {
            if (turn is not null)
                return await GenerateTurnAsync(turn, passages, options, retrievalMs, total, onText, cancellationToken).ConfigureAwait(false);
            return await GenerateAsync(question, passages, options, retrievalMs, total, onText, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AskResult> GenerateAsync(string question, IReadOnlyList<RetrievedPassage> passages, AskOptions options,
        double retrievalMs, Stopwatch total, Func<string, ValueTask>? onText, CancellationToken ct)
    {
        var budget = _budget!;
        var system = await SystemPromptAsync(ct).ConfigureAwait(false);
        var safeQuestion = UntrustedText.Neutralize(question);
        var skeleton = budget.CountPromptTokens(await MessagesAsync(system, "", safeQuestion, ct).ConfigureAwait(false));
        var room = budget.ContextTokens - options.MaxTokens - skeleton - 8;
        if (room < 32) throw NoRoom(budget.ContextTokens, options);
        var (packed, passageText) = await ContextPacker.PackAsync(passages, room, budget.TextTokens, _prompts, cancellationToken: ct).ConfigureAwait(false);

        var streamed = await StreamAsync(await MessagesAsync(system, passageText, safeQuestion, ct).ConfigureAwait(false), options, onText, ct).ConfigureAwait(false);
        var answer = streamed.Text.Trim();
        var (cited, invalid) = Citations.Parse(answer, packed.Count);
        return new AskResult
        {
            Answer = answer,
            Mode = AnswerMode.Generative,
            Abstained = IsAbstention(answer),
            Sources = packed.Select(p => ToSource(p.Passage) with { Rank = p.Number }).ToArray(),
            Cited = cited,
            InvalidCitations = invalid,
            Timings = streamed.Timings(retrievalMs, total),
        };
    }

    private static InvalidInputException NoRoom(int context, AskOptions options) => new(
        $"The context ({context} tokens) leaves no room for passages after the question and {options.MaxTokens} answer tokens.",
        "Ask a shorter question, fewer answer tokens or fewer passages, or use a larger context.")
    {
        Setting = SettingKeys.ContextSize,
    };

    /// <summary>What one streamed answer said and cost: the engine's usage, and the stream as the user saw it.</summary>
    private sealed record Streamed(string Text, UsageDetails? Usage, double FirstTextMs, double StreamMs)
    {
        /// <summary>The engine's own timings where it reports them (prompt evaluation apart from sampling); the stream's otherwise.</summary>
        public AskTimings Timings(double retrievalMs, Stopwatch total) => new()
        {
            RetrievalMs = retrievalMs,
            PromptTokens = (int)(Usage?.InputTokenCount ?? 0),
            ReusedTokens = (int)(Usage?.CachedInputTokenCount ?? 0),
            PromptMs = Usage.Milliseconds(UsageTimings.PromptMicroseconds) ?? FirstTextMs,
            TtftMs = Usage.Milliseconds(UsageTimings.FirstTokenMicroseconds) ?? FirstTextMs,
            GeneratedTokens = (int)(Usage?.OutputTokenCount ?? 0),
            DecodeMs = Usage.Milliseconds(UsageTimings.DecodeMicroseconds) ?? StreamMs - FirstTextMs,
            TotalMs = total.Elapsed.TotalMilliseconds,
        };
    }

    /// <summary>Streams the answer to <paramref name="messages"/> to <paramref name="onText"/>, greedily, within the answer budget.</summary>
    private async Task<Streamed> StreamAsync(IEnumerable<ChatMessage> messages, AskOptions options, Func<string, ValueTask>? onText, CancellationToken ct)
    {
        var text = new StringBuilder();
        UsageDetails? usage = null;
        var chatOptions = new ChatOptions { MaxOutputTokens = options.MaxTokens, Temperature = 0 };
        var started = Stopwatch.StartNew();
        double? firstText = null;
        await foreach (var update in _chat!.GetStreamingResponseAsync(messages, chatOptions, ct).ConfigureAwait(false))
        {
            foreach (var content in update.Contents)
                if (content is UsageContent u) usage = u.Details;
            if (string.IsNullOrEmpty(update.Text)) continue;
            firstText ??= started.Elapsed.TotalMilliseconds;
            text.Append(update.Text);
            if (onText is not null) await onText(update.Text).ConfigureAwait(false);
        }
        var streamMs = started.Elapsed.TotalMilliseconds;
        return new Streamed(text.ToString(), usage, firstText ?? streamMs, streamMs);
    }

    /// <summary>Options out of range are the caller's to change, named by their property.</summary>
    internal static void CheckOptions(AskOptions options)
    {
        if (options.TopK is < 1 or > AskOptions.MaxTopK)
            throw new InvalidInputException($"{options.TopK} passages to retrieve is out of range.", $"Use a value from 1 to {AskOptions.MaxTopK}.") { Setting = nameof(AskOptions.TopK) };
        if (options.NeighbourChunks is < 0 or > AskOptions.MaxNeighbourChunks)
            throw new InvalidInputException($"{options.NeighbourChunks} neighbouring chunks per passage is out of range.", $"Use a value from 0 to {AskOptions.MaxNeighbourChunks}.") { Setting = nameof(AskOptions.NeighbourChunks) };
        if (options.MaxTokens is < 1 or > AskOptions.MaxAnswerTokens)
            throw new InvalidInputException($"{options.MaxTokens} answer tokens is out of range.", $"Use a value from 1 to {AskOptions.MaxAnswerTokens}.") { Setting = nameof(AskOptions.MaxTokens) };
    }

    /// <summary>A question longer than <see cref="AskOptions.MaxQuestionChars"/> is the user's to shorten.</summary>
    internal static void CheckLength(string question, AskOptions options)
    {
        if (question.Length > options.MaxQuestionChars)
            throw new InvalidInputException($"The question is {question.Length} characters long; the limit is {options.MaxQuestionChars}.", "Ask a shorter question; to summarize a text, use `localqa summarize`.");
    }

    private ValueTask<string> SystemPromptAsync(CancellationToken ct) =>
        _prompts.RenderAsync("system", new Dictionary<string, string> { ["abstain"] = _prompts.Abstain }, ct);

    private async Task<ChatMessage[]> MessagesAsync(string system, string passages, string question, CancellationToken ct) =>
    [
        new ChatMessage(ChatRole.System, system),
        new ChatMessage(ChatRole.User, await _prompts.RenderAsync("answer", new Dictionary<string, string> { ["passages"] = passages, ["question"] = question }, ct).ConfigureAwait(false)),
    ];

    private bool IsAbstention(string answer)
    {
        static string Norm(string s) => new(s.ToLowerInvariant().Replace('’', '\'').Where(c => char.IsLetter(c) || c == '\'' || c == ' ').ToArray());
        var a = Norm(answer);
        return a.Length == 0 || a.Contains(Norm(_prompts.Abstain).Trim(), StringComparison.Ordinal)
            || a.StartsWith("i don't know", StringComparison.Ordinal) || a.Contains("cannot tell", StringComparison.Ordinal)
            || a.Contains("can't tell", StringComparison.Ordinal);
    }

    private AskResult Extractive(IReadOnlyList<RetrievedPassage> passages, ExtractiveAnswer extractive, double retrievalMs, Stopwatch total, string note)
    {
        string answer;
        var cited = new List<int>();
        if (extractive.Abstained || extractive.Sentences.Count == 0)
        {
            answer = _prompts.Abstain;
        }
        else
        {
            var sb = new StringBuilder();
            foreach (var s in extractive.Sentences)
            {
                var n = s.PassageIndex + 1;
                if (!cited.Contains(n)) cited.Add(n);
                if (sb.Length > 0) sb.Append(' ');
                sb.Append(s.Text.Trim()).Append(" [").Append(n).Append(']');
            }
            answer = sb.ToString();
        }
        return new AskResult
        {
            Answer = answer,
            Mode = AnswerMode.Extractive,
            Abstained = extractive.Abstained || extractive.Sentences.Count == 0,
            Sources = passages.Select(ToSource).ToArray(),
            Cited = cited,
            Quoted = extractive.Abstained ? [] : extractive.Sentences,
            Timings = new AskTimings { RetrievalMs = retrievalMs, TotalMs = total.Elapsed.TotalMilliseconds },
            Note = note,
        };
    }

    private static AnswerSource ToSource(RetrievedPassage p) => new(p.Rank, p.DocumentPath, p.Title, p.Ordinal, Math.Round(p.Score, 6), p.Text) { Page = p.Page };
}
