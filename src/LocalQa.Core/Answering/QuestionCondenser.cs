using LocalQa.Core.Text;

namespace LocalQa.Core.Answering;

/// <summary>
/// Judges what the chat model's condensing prompt (prompts/condense.txt) made of a follow-up. A
/// rewrite is kept only when it looks like the question made standalone: one line of ordinary text,
/// not much longer than the question, keeping the question's own words, adding words from the
/// conversation (what "he" or "that one" stood for) and inventing few others. Anything else — an
/// empty or garbled reply, an answer instead of a question, a new subject — is refused, and the
/// subject carry of <see cref="FollowUps"/> stands, which is as good for retrieval and costs nothing.
/// </summary>
internal static class QuestionCondenser
{
    /// <summary>Most tokens the model may spend on the rewrite.</summary>
    public const int MaxTokens = 48;

    /// <summary>Longest follow-up sent to the model; a longer question carries its own subject.</summary>
    public const int MaxQuestionChars = 500;

    /// <summary>Earlier questions listed in the condensing prompt, newest last.</summary>
    public const int HistoryTurns = 4;

    private static readonly string[] Labels = ["rewritten question", "standalone question", "question", "rewritten"];

    /// <summary>The {{$history}} of the condensing prompt: the earlier questions as searched, one a line.</summary>
    public static string History(IReadOnlyList<ConversationTurn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        return string.Join("\n", turns.Skip(Math.Max(0, turns.Count - HistoryTurns)).Select(t => "- " + t.StandaloneQuestion.ReplaceLineEndings(" ")));
    }

    /// <summary>The standalone question in <paramref name="reply"/>, or null when it is not one worth searching with.</summary>
    public static string? Accept(string reply, string question, IReadOnlyList<ConversationTurn> turns)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(turns);
        var line = Clean(reply);
        if (line.Length < 3 || line.Length > Math.Max(2 * question.Length, question.Length + 160)) return null;
        var plain = line.Count(c => char.IsLetterOrDigit(c) || char.IsWhiteSpace(c) || c is '?' or ',' or '.' or '\'' or '’' or '-' or '"' or '(' or ')' or ':' or '%' or '&');
        if (plain < 0.95 * line.Length) return null;

        var said = Words.StemSet(question);
        var conversation = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in turns)
        {
            conversation.UnionWith(Words.StemSet(t.Question));
            conversation.UnionWith(Words.StemSet(t.StandaloneQuestion));
            conversation.UnionWith(Words.StemSet(t.Answer));
        }
        var terms = Words.Terms(line);
        if (terms.Count == 0) return null;
        // A rewrite names what the conversation named; words from nowhere mean an answer or an invention.
        var known = terms.Count(t => said.Contains(t.Stem) || conversation.Contains(t.Stem) || Lexicon.QuestionPhrasing.HasStem(t.Stem));
        if (known < 0.75 * terms.Count) return null;
        var stems = terms.Select(t => t.Stem).ToHashSet(StringComparer.Ordinal);
        var own = Words.Terms(question).Select(t => t.Stem).Where(s => !Lexicon.QuestionPhrasing.HasStem(s)).ToHashSet(StringComparer.Ordinal);
        if (own.Count > 0 && own.Count(stems.Contains) * 2 < own.Count) return null;
        // It must have resolved something: a rewrite that adds nothing from the conversation is the question again.
        return stems.Any(s => !said.Contains(s) && conversation.Contains(s)) ? line : null;
    }

    private static string Clean(string reply)
    {
        var line = reply.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        foreach (var label in Labels)
        {
            if (line.Length > label.Length && line.StartsWith(label, StringComparison.OrdinalIgnoreCase) && line[label.Length] == ':')
            {
                line = line[(label.Length + 1)..].Trim();
                break;
            }
        }
        return line.Trim().Trim('"', '\'', '“', '”', '`').Trim();
    }
}
