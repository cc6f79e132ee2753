using LocalQa.Core.Text;

namespace LocalQa.Core.Answering;

/// <summary>One answered turn of a conversation: what was asked, what it was resolved to, what came back.</summary>
internal sealed record ConversationTurn(string Question, string StandaloneQuestion, string Answer);

/// <summary>How a question was resolved against the conversation.</summary>
public sealed record FollowUpResolution(string Standalone, bool RefersBack, bool Carried, string? Problem)
{
    /// <summary>The question leans on earlier turns (a pointer back, or too little of its own to
    /// search on): the case where a chat model's condensing prompt is worth its tokens.</summary>
    public bool NeedsContext { get; init; }

    /// <summary>The standalone form was written by the chat model's condensing prompt, not carried.</summary>
    public bool Condensed { get; init; }

    /// <summary>The question names its own subject and borrows only the last turn's predicate
    /// ("What about Devi Parikh?"): the carry copies that predicate as it was, so a model's rewrite
    /// would add nothing to search with.</summary>
    public bool NamesOwnSubject { get; init; }

    /// <summary>The question was rewritten before retrieval, by either means.</summary>
    public bool Rewritten => Carried || Condensed;
}

/// <summary>
/// Turns a follow-up into a standalone question without a model: when the question leans on earlier
/// turns (a pronoun, "the second one", "what about …", or too few words of its own to retrieve on),
/// the subject of the last turn — its names and key terms, and the names its answer opened with — is
/// carried into the query. A question that names its own subject and refers back to nothing is left
/// alone, so a change of subject does not drag the old one along.
/// </summary>
internal static class FollowUps
{
    // Words that only make sense with an antecedent (Lexicon.Pronouns). "that"/"this" count only as determiners
    // ("that team"), not as the relative "that" of "the lab that he led": handled by position below.
    private static bool PointsBack(string word) =>
        Lexicon.Pronouns.TryGetValue(word, out var how) && how is Pointing.Personal or Pointing.Demonstrative or Pointing.Reference;

    private static bool IsDeterminer(string word) =>
        Lexicon.Pronouns.TryGetValue(word, out var how) && how is Pointing.Demonstrative or Pointing.Determiner;

    // The words a question opens with before its subject: question words, auxiliaries, connectives, asking words.
    private static bool IsQuestionWording(string word) =>
        Lexicon.QuestionWords.Contains(word) || Lexicon.Auxiliaries.Contains(word) || Lexicon.Connectives.Contains(word) || Lexicon.Asking.Contains(word) || Lexicon.Fillers.Contains(word);

    /// <summary>Resolves <paramref name="question"/> against the turns before it (oldest first).</summary>
    public static FollowUpResolution Resolve(IReadOnlyList<ConversationTurn> history, string question)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(question);
        var words = Words.All(question).Select(w => w.Lower).ToList();
        var refersBack = RefersBack(question, words);
        var ownNames = Names(question);
        var ownTerms = Words.Terms(question).Count(t => !Lexicon.QuestionPhrasing.HasStem(t.Stem) && !Lexicon.Ordinals.HasStem(t.Stem));
        // Without a pointer back, a question with a name of its own, or enough words to retrieve on, stands alone.
        var needsContext = refersBack || (ownNames.Count == 0 && ownTerms < 2);
        if (!needsContext) return new FollowUpResolution(question, false, false, null);
        if (history.Count == 0)
        {
            var problem = refersBack
                ? "That question refers back to something, but nothing has been asked yet; say who or what you mean."
                : null;
            return new FollowUpResolution(question, refersBack, false, problem) { NeedsContext = true };
        }

        var last = history[^1];
        var carry = new List<string>();
        var seen = new HashSet<string>(Words.StemSet(question), StringComparer.Ordinal);
        void Add(string phrase)
        {
            var stems = Words.StemSet(phrase);
            if (stems.Count == 0 || stems.IsSubsetOf(seen)) return;
            seen.UnionWith(stems);
            carry.Add(phrase);
        }

        // "What about Devi Parikh?": a new subject with no pronoun to resolve takes the last turn's
        // predicate (its words that are not names), never its subject.
        if (ownNames.Count > 0 && !words.Any(PointsBack))
        {
            var names = Words.StemSet(string.Join(" ", Names(last.Question)));
            foreach (var t in Words.Terms(last.Question))
            {
                if (Lexicon.QuestionPhrasing.HasStem(t.Stem) || names.Contains(t.Stem)) continue;
                Add(last.Question.Substring(t.Start, t.Length));
            }
            var carried = carry.Count == 0 ? question : question.TrimEnd() + " (" + string.Join(" ", carry) + ")";
            return new FollowUpResolution(carried, refersBack, carry.Count > 0, null) { NeedsContext = true, NamesOwnSubject = true };
        }

        // The subject of the last turn: the names it asked about, then its content words, then the
        // names its answer gives for what was asked (who "he" is when the question was "Who became …?").
        foreach (var n in Names(last.StandaloneQuestion)) Add(n);
        foreach (var t in Words.Terms(last.StandaloneQuestion))
        {
            if (Lexicon.QuestionPhrasing.HasStem(t.Stem)) continue;
            Add(last.StandaloneQuestion.Substring(t.Start, t.Length));
        }
        foreach (var n in AnswerNames(last.StandaloneQuestion, last.Answer, 2)) Add(n);
        if (carry.Count == 0) return new FollowUpResolution(question, refersBack, false, null) { NeedsContext = true };
        return new FollowUpResolution(question.TrimEnd() + " (" + string.Join(" ", carry) + ")", refersBack, true, null) { NeedsContext = true };
    }

    private static bool RefersBack(string question, List<string> words)
    {
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i];
            if (PointsBack(w)) return true;
            // "that team", "the second one", "this lab": a determiner followed by a noun, not a relative "that".
            if (IsDeterminer(w) && i > 0 && !IsQuestionWording(words[i - 1]) && i + 1 < words.Count && !Lexicon.FunctionWords.Contains(words[i + 1])) return true;
            if (w is "one" or "ones" && i > 0 && Lexicon.Ordinals.Contains(words[i - 1])) return true;
        }
        // "What about …?", "And …?": a clipped question that continues the last one.
        if (words.Count >= 2 && words[0] == "what" && words[1] == "about") return true;
        if (words.Count >= 2 && words[0] == "how" && words[1] == "about") return true;
        return words.Count is > 0 and <= 4 && Discourse.OpeningOf(question) == Opening.Connective;
    }

    /// <summary>The names of <paramref name="text"/> (<see cref="Text.Names"/>): "Erik Meijer", "Meta Superintelligence Labs", "FAIR".</summary>
    internal static List<string> Names(string text) => Text.Names.Find(text).ConvertAll(n => n.Text);

    /// <summary>
    /// The names the answer gives for what was asked: in the answer's sentence that shares most words
    /// with the question, the names nearest to those shared words ("… Alexandr Wang as Chief AI Officer").
    /// </summary>
    private static IEnumerable<string> AnswerNames(string question, string answer, int count)
    {
        if (string.IsNullOrWhiteSpace(answer)) return [];
        var asked = Words.StemSet(question);
        string? best = null;
        var bestOverlap = 0;
        foreach (var span in SentenceSplitter.Split(answer))
        {
            var sentence = answer.Substring(span.Start, span.Length);
            var overlap = Words.StemSet(sentence).Count(asked.Contains);
            if (overlap > bestOverlap) (best, bestOverlap) = (sentence, overlap);
        }
        if (best is null) return [];
        var anchors = Words.Terms(best).Where(t => asked.Contains(t.Stem)).Select(t => t.Start).ToArray();
        return Names(best)
            .Where(n => !Words.StemSet(n).IsSubsetOf(asked))
            .Select(n => (Name: n, Distance: anchors.Min(a => Math.Abs(best.IndexOf(n.Split(' ')[0], StringComparison.Ordinal) - a))))
            .OrderBy(x => x.Distance)
            .Take(count)
            .Select(x => x.Name);
    }
}
