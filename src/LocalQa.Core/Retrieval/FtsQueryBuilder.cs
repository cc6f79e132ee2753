using System.Collections.Frozen;
using System.Text;
using LocalQa.Core.Index;

namespace LocalQa.Core.Retrieval;

/// <summary>
/// Turns any user text into a safe FTS5 MATCH expression: every term is a double-quoted string,
/// so FTS5 operators (AND, OR, NOT, NEAR) and syntax characters (* : ( ) ^ " - +) in the
/// question are only ever searched for, never interpreted.
/// </summary>
public static class FtsQueryBuilder
{
    /// <summary>At most this many distinct terms are kept, so a pasted article cannot make a query slow.</summary>
    public const int MaxTerms = 64;

    /// <summary>
    /// The search terms of a question OR-ed together (bm25 ranks chunks matching more and rarer terms
    /// higher), or null when the question has no searchable term (only stop words or punctuation).
    /// </summary>
    public static string? Build(string question)
    {
        var terms = Terms(question);
        if (terms.Count == 0)
        {
            return null;
        }

        var query = new StringBuilder();
        foreach (var term in terms)
        {
            if (query.Length > 0)
            {
                query.Append(" OR ");
            }

            AppendQuoted(query, term);
        }

        return query.ToString();
    }

    /// <summary>The distinct lower-case terms of <paramref name="question"/> in order of appearance, stop words and single letters dropped.</summary>
    public static IReadOnlyList<string> Terms(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var terms = new List<string>();
        var phrasing = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (start, length) in new WordEnumerator(question))
        {
            var word = question.AsSpan(start, length);
            if (!HasLetterOrDigit(word) || (length == 1 && !char.IsAsciiDigit(word[0])))
            {
                continue;
            }

            var term = word.ToString().ToLowerInvariant();
            if (StopWords.English.Contains(term) || !seen.Add(term))
            {
                continue;
            }

            // Words about the asking ("short for", "according to the articles") match passages that
            // merely share the phrase; they are searched only when the question has nothing else.
            if (StopWords.QuestionPhrasing.Contains(term))
            {
                phrasing.Add(term);
                continue;
            }

            terms.Add(term);
            if (terms.Count == MaxTerms)
            {
                break;
            }
        }

        return terms.Count > 0 ? terms : phrasing.Take(MaxTerms).ToList();
    }

    /// <summary>An FTS5 string: double quotes around, embedded double quotes doubled.</summary>
    internal static void AppendQuoted(StringBuilder builder, string term)
    {
        builder.Append('"');
        foreach (var c in term)
        {
            if (c == '"')
            {
                builder.Append('"');
            }

            builder.Append(c);
        }

        builder.Append('"');
    }

    private static bool HasLetterOrDigit(ReadOnlySpan<char> word)
    {
        foreach (var rune in word.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Words too common to say what a question is about.</summary>
public static class StopWords
{
    /// <summary>
    /// Function words of English: articles, pronouns, auxiliaries, prepositions, conjunctions,
    /// question words and contraction fragments ("don't" splits into "don" and "t"). Content words
    /// that merely look common ("new", "us", "AI") are kept: in a question they carry meaning.
    /// </summary>
    public static FrozenSet<string> English { get; } = FrozenSet.Create(StringComparer.Ordinal,
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "aren",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "cannot", "could", "couldn", "did", "didn", "do", "does", "doesn", "doing", "don", "down", "during",
        "each", "either", "else", "ever", "few", "for", "from", "further", "had", "hadn", "has", "hasn", "have",
        "haven", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
        "into", "is", "isn", "it", "its", "itself", "just", "ll", "may", "me", "might", "more", "most", "must",
        "mustn", "my", "myself", "neither", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other",
        "ought", "our", "ours", "ourselves", "out", "over", "own", "re", "same", "shall", "shan", "she", "should",
        "shouldn", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
        "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "upon", "ve",
        "very", "was", "wasn", "we", "were", "weren", "what", "whatever", "when", "where", "whether", "which",
        "while", "who", "whom", "whose", "why", "will", "with", "won", "would", "wouldn", "you", "your", "yours",
        "yourself", "yourselves",
    ]);

    /// <summary>
    /// Words that describe the question rather than its subject: how it is asked ("what is X short for",
    /// "what does Y call Z", "named in these articles", "according to"), not what it is about.
    /// </summary>
    public static FrozenSet<string> QuestionPhrasing { get; } = FrozenSet.Create(StringComparer.Ordinal,
    [
        "according", "article", "articles", "call", "called", "calls", "current", "currently", "describe",
        "described", "explain", "kind", "like", "look", "mean", "means", "mentioned", "named", "say", "said",
        "says", "short", "stand", "stands", "tell", "text", "texts", "today",
    ]);
}
