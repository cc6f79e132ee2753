using System.Collections.Concurrent;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Hosting;
using ModelContextProtocol;

namespace LocalQa.Server.Mcp;

/// <summary>
/// What the MCP tools share in one process: the library, the turn every call takes before it
/// touches the library (serve's <see cref="Admission"/>, or a gate of its own over stdio), and the
/// conversations that <c>ask</c> continues, bounded in number (the least recently used goes first).
/// </summary>
internal sealed class McpLibrary : IDisposable
{
    /// <summary>Conversations kept at once; an id older than the newest this many is forgotten.</summary>
    public const int MaxConversations = 64;

    private readonly SemaphoreSlim? _gate;
    private readonly Admission? _admission;
    // Each conversation with its own turn: serve admits several calls at once, and two asks of one
    // conversation must not extend its prompt at the same time.
    private readonly ConcurrentDictionary<string, (Conversation Conversation, SemaphoreSlim Turn, long Used)> _conversations = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>Over stdio: calls take turns at a gate of their own.</summary>
    public McpLibrary(LocalQaLibrary library)
    {
        Library = library;
        _gate = new SemaphoreSlim(1, 1);
    }

    /// <summary>Inside serve: calls take the server's turn, and a full queue is a tool error that says so.</summary>
    public McpLibrary(LocalQaLibrary library, Admission admission)
    {
        Library = library;
        _admission = admission;
    }

    public LocalQaLibrary Library { get; }

    public ILocalQa Qa => Library.Qa;

    public async Task<IDisposable> TurnAsync(CancellationToken ct)
    {
        if (_admission is not null)
            return await _admission.EnterAsync(ct).ConfigureAwait(false)
                ?? throw new McpException("The server is busy: too many requests are waiting. Try again in a moment.");
        await _gate!.WaitAsync(ct).ConfigureAwait(false);
        return new Release(_gate);
    }

    /// <summary>
    /// The conversation <paramref name="id"/> names, or a new one (with a new id) when it is null, once
    /// no other call is asking it: dispose <c>Hold</c> when the turn is answered.
    /// </summary>
    public async Task<(string Id, Conversation Conversation, IDisposable Hold)> ConversationAsync(string? id, CancellationToken ct)
    {
        var now = Interlocked.Increment(ref _clock);
        (Conversation Conversation, SemaphoreSlim Turn, long Used) kept;
        if (id is null)
        {
            id = Guid.NewGuid().ToString("N");
            kept = (Qa.StartConversation(), new SemaphoreSlim(1, 1), now);
            _conversations[id] = kept;
            while (_conversations.Count > MaxConversations)
            {
                var oldest = _conversations.MinBy(c => c.Value.Used).Key;
                _conversations.TryRemove(oldest, out _);
            }
        }
        else
        {
            if (!_conversations.TryGetValue(id, out kept))
                throw new InvalidInputException($"There is no conversation '{id}' on this server (it may have been forgotten: at most {MaxConversations} are kept).",
                    "Leave conversation_id out to start a new conversation, and pass the id that answer returns to follow up.");
            _conversations[id] = kept with { Used = now };
        }
        await kept.Turn.WaitAsync(ct).ConfigureAwait(false);
        return (id, kept.Conversation, new Release(kept.Turn));
    }

    public void Dispose() => _gate?.Dispose();

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) gate.Release();
        }
    }
}
