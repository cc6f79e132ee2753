using LocalQa.Core.Retrieval;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Answering;

/// <summary>
/// What the chat model has been shown in a conversation, laid out so that each turn only appends:
/// the system prompt, then per turn the user message (the passages new to the conversation, the
/// numbers of earlier passages that bear on it, the question) and the answer exactly as generated.
/// Passage numbers run on through the conversation, so a passage already in the context is cited by
/// its number and never sent twice. When the context fills, whole turns are dropped from the front
/// and their passages leave with them (a later turn that needs one sends it again, under a new number).
/// Not thread-safe: one conversation, one caller.
/// </summary>
internal sealed class ConversationPrompt
{
    private readonly List<Turn> _turns = [];
    private readonly Dictionary<PassageKey, int> _numbers = [];
    private readonly Dictionary<int, RetrievedPassage> _passages = [];

    private sealed record Turn(ChatMessage User, ChatMessage Assistant, IReadOnlyList<int> Introduced);

    // Neighbour expansion makes one passage of several chunks: the span identifies it.
    private readonly record struct PassageKey(long Document, int First, int Last)
    {
        public static PassageKey Of(RetrievedPassage p) => new(p.DocumentId, p.FirstOrdinal, p.LastOrdinal);
    }

    /// <summary>Turns still in the prompt.</summary>
    public int TurnCount => _turns.Count;

    /// <summary>The number the next new passage gets; numbers are never reused within a conversation.</summary>
    public int NextNumber { get; private set; } = 1;

    /// <summary>Turns dropped so far to fit the context.</summary>
    public int DroppedTurns { get; private set; }

    /// <summary>The number of <paramref name="passage"/> if its text is in the prompt now, else 0.</summary>
    public int NumberOf(RetrievedPassage passage)
    {
        ArgumentNullException.ThrowIfNull(passage);
        return _numbers.GetValueOrDefault(PassageKey.Of(passage));
    }

    /// <summary>Whether passage <paramref name="number"/> is in the prompt now.</summary>
    public bool Contains(int number) => _passages.ContainsKey(number);

    public RetrievedPassage Passage(int number) => _passages[number];

    /// <summary>The whole message list: the system prompt, every kept turn, then <paramref name="next"/> if given.</summary>
    public List<ChatMessage> Messages(string system, ChatMessage? next = null)
    {
        var list = new List<ChatMessage>(2 + 2 * _turns.Count) { new(ChatRole.System, system) };
        foreach (var t in _turns)
        {
            list.Add(t.User);
            list.Add(t.Assistant);
        }
        if (next is not null) list.Add(next);
        return list;
    }

    /// <summary>Records an answered turn and the passages it introduced (numbered from <see cref="NextNumber"/>).</summary>
    public void Add(ChatMessage user, string answer, IReadOnlyList<PackedPassage> introduced)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(introduced);
        foreach (var p in introduced)
        {
            if (p.Number < NextNumber) throw new ArgumentException($"Passage number {p.Number} was given before.", nameof(introduced));
            _numbers[PassageKey.Of(p.Passage)] = p.Number;
            _passages[p.Number] = p.Passage;
        }
        if (introduced.Count > 0) NextNumber = introduced.Max(p => p.Number) + 1;
        // The answer goes back as generated, untrimmed: the chat client then finds the very tokens it sampled.
        _turns.Add(new Turn(user, new ChatMessage(ChatRole.Assistant, answer), introduced.Select(p => p.Number).ToArray()));
    }

    /// <summary>Drops the oldest turn and the passages it introduced; false when no turn is left.</summary>
    public bool DropOldest()
    {
        if (_turns.Count == 0) return false;
        foreach (var n in _turns[0].Introduced)
        {
            if (_passages.Remove(n, out var p)) _numbers.Remove(PassageKey.Of(p));
        }
        _turns.RemoveAt(0);
        DroppedTurns++;
        return true;
    }

    /// <summary>Forgets everything (a new conversation); numbering starts again at 1.</summary>
    public void Clear()
    {
        _turns.Clear();
        _numbers.Clear();
        _passages.Clear();
        NextNumber = 1;
        DroppedTurns = 0;
    }
}
