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
    private readonly ConcurrentDictionary<string, (Conversation Conversation, long Used)> _conversations = new(StringComparer.Ordinal);
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

    /// <summary>The conversation <paramref name="id"/> names, or a new one (with a new id) when it is null.</summary>
    public (string Id, Conversation Conversation) Conversation(string? id)
    {
        var now = Interlocked.Increment(ref _clock);
        if (id is null)
        {
            var created = (Guid.NewGuid().ToString("N"), Qa.StartConversation());
            _conversations[created.Item1] = (created.Item2, now);
            while (_conversations.Count > MaxConversations)
            {
                var oldest = _conversations.MinBy(c => c.Value.Used).Key;
                _conversations.TryRemove(oldest, out _);
            }
            return created;
        }
        if (!_conversations.TryGetValue(id, out var found))
            throw new InvalidInputException($"There is no conversation '{id}' on this server (it may have been forgotten: at most {MaxConversations} are kept).",
                "Leave conversation_id out to start a new conversation, and pass the id that answer returns to follow up.");
        _conversations[id] = (found.Conversation, now);
        return (id, found.Conversation);
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
