namespace LocalQa.Core.Answering;

/// <summary>The answer to one turn of a conversation: the ask result and how the question was resolved.</summary>
public sealed record ConversationAnswer(int Turn, string Question, FollowUpResolution Resolution, AskResult Result)
{
    public string StandaloneQuestion => Resolution.Standalone;
}

/// <summary>
/// A chat's memory: each question is resolved against the turns before it (<see cref="FollowUps"/>)
/// and the standalone form is what retrieval sees. Not thread-safe: one conversation, one caller.
/// </summary>
public sealed class Conversation(Answerer answerer)
{
    private readonly List<ConversationTurn> _turns = [];
    private readonly List<ConversationAnswer> _answers = [];

    public IReadOnlyList<ConversationAnswer> Answers => _answers;

    /// <summary>What <paramref name="question"/> would become, asked now.</summary>
    public FollowUpResolution Resolve(string question) => FollowUps.Resolve(_turns, question);

    public async Task<ConversationAnswer> AskAsync(string question, AskOptions? options = null, Func<string, ValueTask>? onText = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        var resolution = Resolve(question);
        var result = await answerer.AskAsync(resolution.Standalone, options, onText, cancellationToken).ConfigureAwait(false);
        _turns.Add(new ConversationTurn(question, resolution.Standalone, result.Abstained ? "" : result.Answer));
        var answer = new ConversationAnswer(_answers.Count + 1, question, resolution, result);
        _answers.Add(answer);
        return answer;
    }

    /// <summary>Starts a new conversation: earlier turns no longer resolve follow-ups.</summary>
    public void Reset()
    {
        _turns.Clear();
        _answers.Clear();
        answerer.ResetCache();
    }
}
