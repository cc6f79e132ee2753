using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Ingest;
using LocalQa.Core.Retrieval;
using LocalQa.Core.Summarizing;

namespace LocalQa.Core;

/// <summary>
/// LocalQa as one asynchronous face, as Kernel Memory's <c>IKernelMemory</c> is one: ingest, search,
/// ask (whole or streaming), conversations and summaries over one index, through whatever chat and
/// embedding clients it was built with (<see cref="LocalQaBuilder"/>). The command line, the Semantic
/// Kernel plugin and the servers all go through it.
/// </summary>
/// <remarks>
/// Calls may come from any thread at any time. Each takes its turn at what it uses, in the order
/// calls arrive: the library (index connection, embedder) has one owner at a time, and the chat
/// client takes as many answers at once as it was built for (one for a single in-process context,
/// its slots for a slotted one, the concurrency given for a server's), so one caller's search never
/// waits for another's answer to finish. A streaming answer holds the chat client's turn until it is
/// enumerated to the end or disposed. Cancelling a call's token stops it where it is: between files
/// of an ingest, or inside the engine's decode. One <see cref="Conversation"/> is asked one turn at a time.
/// </remarks>
public interface ILocalQa : IDisposable
{
    /// <summary>The index the face reads and writes. Reading it directly is safe while nothing else
    /// uses the face; a host that shares the face between callers goes through <see cref="UseIndexAsync"/>.</summary>
    LocalQaIndex Index { get; }

    /// <summary>
    /// Runs <paramref name="work"/> on the index in the library's turn, so it never meets an ingest or
    /// a search on another thread (a server's document listing, a watched folder's removals).
    /// </summary>
    /// <param name="work">What to do with the index; it runs synchronously in the turn.</param>
    /// <param name="changes">True when the work removes or changes documents, so answers read the vectors again.</param>
    /// <param name="cancellationToken">Stops the wait for the turn.</param>
    Task<T> UseIndexAsync<T>(Func<LocalQaIndex, T> work, bool changes = false, CancellationToken cancellationToken = default);

    /// <summary>True when a chat client was given: answers and summaries are generated, else extracted.</summary>
    bool CanGenerate { get; }

    /// <summary>
    /// Brings files and folders into the index: new and changed files read, cleaned, chunked (and
    /// embedded, with an embedding generator); unchanged ones skipped by their hash; with
    /// <see cref="IngestOptions.Prune"/>, files gone from the folders removed.
    /// </summary>
    Task<IngestReport> IngestAsync(IEnumerable<string> paths, IngestOptions? options = null, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The passages that best match <paramref name="query"/>, best first (full text, and vectors where the index has them).</summary>
    Task<IReadOnlyList<RetrievedPassage>> SearchAsync(string query, int top = 5, CancellationToken cancellationToken = default);

    /// <summary>Answers one question from the library, with its sources, citations and timings.</summary>
    Task<AskResult> AskAsync(string question, AskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers one question as it is generated: updates carrying text, then one last update that
    /// carries the whole <see cref="AskResult"/> (sources, citations, timings) and no text.
    /// </summary>
    IAsyncEnumerable<AnswerUpdate> AskStreamingAsync(string question, AskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>A conversation: follow-ups are resolved against its earlier turns, and with a chat model continue its prompt.</summary>
    Conversation StartConversation();

    /// <summary>
    /// Summarizes documents (loaded with <see cref="DocumentLoader"/>; long ones by map and reduce)
    /// and finds what each relates to in the library; one result per document, in order.
    /// </summary>
    Task<IReadOnlyList<SummaryResult>> SummarizeAsync(IReadOnlyList<Document> documents, SummarizeOptions? options = null, IProgress<SummarizeProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// A piece of a streaming answer: <see cref="Text"/> as it is generated, and on the last update
/// the whole answer (<see cref="Result"/>; in a conversation also <see cref="Turn"/>).
/// </summary>
public sealed record AnswerUpdate
{
    /// <summary>The text generated since the previous update; empty on the last one.</summary>
    public string Text { get; init; } = "";

    /// <summary>The complete answer, on the last update only.</summary>
    public AskResult? Result { get; init; }

    /// <summary>The conversation's record of the turn, on the last update of a conversation's answer.</summary>
    public ConversationAnswer? Turn { get; init; }
}
