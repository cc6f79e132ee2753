namespace LocalQa.Core.Answering;

/// <summary>The answer to one turn of a conversation: the ask result and how the question was resolved.</summary>
public sealed record ConversationAnswer(int Turn, string Question, FollowUpResolution Resolution, AskResult Result)
{
    /// <summary>The question as retrieval saw it, with what it leaned on from earlier turns filled in.</summary>
    public string StandaloneQuestion => Resolution.Standalone;

    /// <summary>The chat model's condensing attempt for this turn, kept or refused; null when none was made.</summary>
    internal CondenseAttempt? Condense { get; init; }

    /// <summary>True on the first turn for which earlier turns were dropped to fit the context: the chat says so once.</summary>
    public bool AnnounceDrop { get; init; }

    /// <summary>How the standalone question was made: "model", "carried" or "as_asked".</summary>
    public string StandaloneBy => Resolution.Condensed ? "model" : Resolution.Carried ? "carried" : "as_asked";
}

/// <summary>
/// A chat's memory. Each question is resolved against the turns before it and the standalone form is
/// what retrieval sees: with a chat model, a question that leans on earlier turns is rewritten by the
/// condensing prompt, and the subject carry of <see cref="FollowUps"/> stands in when the rewrite is
/// refused; without one, the carry alone. The carry is also kept, unasked, where it is as good: a
/// question that names its own subject and borrows the last predicate ("What about X?"), and a
/// question too long to be a clipped follow-up. With a chat model, the answer continues one prompt that
/// holds the whole conversation (<see cref="ConversationPrompt"/>), so each turn evaluates only what
/// it appends. Start one with <see cref="ILocalQa.StartConversation"/>; its answers take their turn
/// with the face's other calls. One conversation, one caller: its turns are asked one after another.
/// </summary>
public sealed class Conversation
{
    private readonly Answerer answerer;

    internal Conversation(Answerer answerer)
    {
        this.answerer = answerer;
    }

    private readonly List<ConversationTurn> _turns = [];
    private readonly List<ConversationAnswer> _answers = [];
    private readonly ConversationPrompt _prompt = new();
    private bool _dropAnnounced;

    /// <summary>The answers so far, first turn first; <see cref="Reset"/> empties it.</summary>
    public IReadOnlyList<ConversationAnswer> Answers => _answers;

    /// <summary>What the chat model sees of this conversation (empty in extractive mode).</summary>
    internal ConversationPrompt Prompt => _prompt;

    /// <summary>What <paramref name="question"/> would become by the subject carry, asked now.</summary>
    public FollowUpResolution Resolve(string question) => FollowUps.Resolve(_turns, question);

    /// <summary>
    /// Records a turn answered elsewhere, for a caller that keeps the history itself (an OpenAI API
    /// client sends the whole conversation with each request): the question is made standalone by
    /// the subject carry against the turns before it, as it would have been then, so that later
    /// follow-ups resolve against it. Nothing is retrieved or generated, and the face's turn is not taken.
    /// </summary>
    public void Remember(string question, string answer)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answer);
        _turns.Add(new ConversationTurn(question, Resolve(question).Standalone, answer));
    }

    /// <summary>Answers the next turn: the question is made standalone from the earlier turns, then answered.</summary>
    public Task<ConversationAnswer> AskAsync(string question, AskOptions? options = null, CancellationToken cancellationToken = default) =>
        AskAsync(question, options, null, cancellationToken);

    /// <summary>Answers the next turn as it is generated; the last update carries the turn (<see cref="AnswerUpdate.Turn"/>) and its result.</summary>
    public IAsyncEnumerable<AnswerUpdate> AskStreamingAsync(string question, AskOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalQaService.Stream(
            (onText, ct) => AskAsync(question, options, onText, ct),
            turn => new AnswerUpdate { Result = turn.Result, Turn = turn },
            cancellationToken);

    /// <summary>A turn whose answer text goes to <paramref name="onText"/> as it is generated; the answerer takes the face's turns.</summary>
    internal async Task<ConversationAnswer> AskAsync(string question, AskOptions? options, Func<string, ValueTask>? onText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        options ??= new AskOptions();
        // The limit is on what the user typed; the subject carried into the search may add a little.
        Answerer.CheckLength(question.Trim(), options);
        var resolution = Resolve(question);
        var generative = answerer.CanGenerate && !options.Extractive;
        CondenseAttempt? condense = null;
        if (generative && resolution.NeedsContext && !resolution.NamesOwnSubject && resolution.Problem is null && _turns.Count > 0
            && question.Trim().Length <= QuestionCondenser.MaxQuestionChars)
        {
            condense = await answerer.CondenseAsync(question.Trim(), _turns, _prompt, cancellationToken).ConfigureAwait(false);
            if (condense?.Accepted is { } rewritten) resolution = resolution with { Standalone = rewritten, Carried = false, Condensed = true };
        }
        var turn = generative ? new ConversationTurnRequest(question.Trim(), _prompt) : null;
        var searched = options with { MaxQuestionChars = Math.Max(options.MaxQuestionChars, resolution.Standalone.Length) };
        var result = await answerer.AskAsync(resolution.Standalone, turn, searched, onText, cancellationToken).ConfigureAwait(false);
        _turns.Add(new ConversationTurn(question, resolution.Standalone, result.Abstained ? "" : result.Answer));
        var announce = result.DroppedTurns > 0 && !_dropAnnounced;
        _dropAnnounced |= announce;
        var answer = new ConversationAnswer(_answers.Count + 1, question, resolution, result) { Condense = condense, AnnounceDrop = announce };
        _answers.Add(answer);
        return answer;
    }

    /// <summary>Starts a new conversation: earlier turns no longer resolve follow-ups.</summary>
    public void Reset()
    {
        _turns.Clear();
        _answers.Clear();
        _prompt.Clear();
        _dropAnnounced = false;
        answerer.ResetCache();
    }
}
