using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LocalQa.Core.Ai;
using LocalQa.Core.Answering;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Ingest;
using LocalQa.Core.Prompts;
using LocalQa.Core.Retrieval;
using LocalQa.Core.Summarizing;
using Microsoft.Extensions.AI;

namespace LocalQa.Core;

/// <summary>
/// The <see cref="ILocalQa"/> that <see cref="LocalQaBuilder"/> builds: one answerer (so a chat keeps
/// its KV cache and the loaded vectors between questions) and a summarizer per call, over one index;
/// calls take turns at each resource they use (<see cref="FaceTurns"/>), so answers run side by side
/// as far as the chat client allows.
/// </summary>
internal sealed class LocalQaService : ILocalQa
{
    private readonly bool _ownsIndex;
    private readonly bool _ownsChat;
    private readonly Lazy<PromptLibrary> _prompts;
    private readonly Lazy<IChatClient?> _chat;
    private readonly Lazy<IBatchChatClient?> _batch;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly string? _embedModelId;
    private readonly Chunker _chunker;
    private readonly Lazy<Answerer> _answerer;
    private readonly FaceTurns _turns;
    private bool _disposed;

    internal LocalQaService(LocalQaIndex index, bool ownsIndex, Func<PromptLibrary> prompts, Func<IChatClient>? chat, bool ownsChat, Func<IBatchChatClient>? batch,
        IEmbeddingGenerator<string, Embedding<float>>? embedder, string? embedModelId, Chunker chunker, int chatConcurrency = 1)
    {
        _turns = new FaceTurns(chatConcurrency);
        Index = index;
        _ownsIndex = ownsIndex;
        _ownsChat = ownsChat;
        _prompts = new(prompts);
        _chat = new(() => chat?.Invoke());
        // Without a batch client, summaries go to the chat client one prompt at a time: an
        // in-process model takes one request at a time, and a server's client gets its own batch.
        _batch = new(() => batch is not null ? batch() : _chat.Value is { } c ? new ChatClientBatch(c, concurrency: 1) : null);
        _embedder = embedder;
        _embedModelId = embedModelId;
        _chunker = chunker;
        CanGenerate = chat is not null;
        _answerer = new(() => new Answerer(Index, _prompts.Value, _chat.Value, _embedder, _embedModelId) { Turns = _turns });
    }

    public LocalQaIndex Index { get; }

    public bool CanGenerate { get; }

    public async Task<IngestReport> IngestAsync(IEnumerable<string> paths, IngestOptions? options = null, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using (await _turns.LibraryAsync(cancellationToken).ConfigureAwait(false))
        {
            var report = await new Ingestor(Index, _chunker, _embedder, _embedModelId).IngestAsync(paths, options, progress, cancellationToken).ConfigureAwait(false);
            if (_answerer.IsValueCreated) _answerer.Value.Refresh();
            return report;
        }
    }

    public async Task<IReadOnlyList<RetrievedPassage>> SearchAsync(string query, int top = 5, CancellationToken cancellationToken = default)
    {
        query = (query ?? "").Trim();
        if (query.Length == 0)
            throw new InvalidInputException("The search query is empty.", "Search for some words, e.g. \"FAIR founders\".");
        var options = new AskOptions { TopK = top };
        Answerer.CheckLength(query, options);
        Answerer.CheckOptions(options);
        using (await _turns.LibraryAsync(cancellationToken).ConfigureAwait(false))
            return await _answerer.Value.RetrieveAsync(query, options, cancellationToken).ConfigureAwait(false);
    }

    // A question takes the library's turn to retrieve and the chat client's to generate (Answerer).
    public Task<AskResult> AskAsync(string question, AskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _answerer.Value.AskAsync(question, null, options, null, cancellationToken);
    }

    public IAsyncEnumerable<AnswerUpdate> AskStreamingAsync(string question, AskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var answerer = _answerer.Value;
        return Stream(
            (onText, ct) => answerer.AskAsync(question, null, options, onText, ct),
            result => new AnswerUpdate { Result = result },
            cancellationToken);
    }

    public Conversation StartConversation()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new Conversation(_answerer.Value);
    }

    public async Task<IReadOnlyList<SummaryResult>> SummarizeAsync(IReadOnlyList<Document> documents, SummarizeOptions? options = null, IProgress<SummarizeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        // One summary's parts at a time go to the batch client (each summary is parallel inside);
        // its related documents are looked up in the library's turn.
        using (await _turns.BatchAsync(cancellationToken).ConfigureAwait(false))
            return await new Summarizer(_prompts.Value, _batch.Value, Index, options) { Turns = _turns }.SummarizeAsync(documents, progress, cancellationToken).ConfigureAwait(false);
    }

    public async Task<T> UseIndexAsync<T>(Func<LocalQaIndex, T> work, bool changes = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        using (await _turns.LibraryAsync(cancellationToken).ConfigureAwait(false))
        {
            var result = work(Index);
            // Removed or changed documents: the vectors are read again when next needed.
            if (changes && _answerer.IsValueCreated) _answerer.Value.Refresh();
            return result;
        }
    }

    /// <summary>
    /// Turns an answer that reports its text to a callback into a stream: the answer runs on the
    /// pool and hands each piece over through a small bounded channel, so the reader sees text as
    /// soon as it is generated and a slow reader holds the generation back rather than buffering it.
    /// A reader that stops early cancels the answer and waits for it to end before the turn is given up.
    /// </summary>
    internal static async IAsyncEnumerable<AnswerUpdate> Stream<T>(Func<Func<string, ValueTask>, CancellationToken, Task<T>> run, Func<T, AnswerUpdate> last,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pieces = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var answer = Task.Run(async () =>
        {
            try
            {
                return await run(piece => pieces.Writer.WriteAsync(piece, stop.Token), stop.Token).ConfigureAwait(false);
            }
            finally
            {
                pieces.Writer.TryComplete();
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var piece in pieces.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return new AnswerUpdate { Text = piece };
            yield return last(await answer.ConfigureAwait(false));
        }
        finally
        {
            if (!answer.IsCompleted)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await ((Task)answer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Waits for the calls in progress: their engine and index must not go away under them.
        _turns.Close();
        if (_batch.IsValueCreated) (_batch.Value as IDisposable)?.Dispose();
        if (_ownsChat && _chat.IsValueCreated) _chat.Value?.Dispose();
        if (_ownsIndex) Index.Dispose();
    }
}
