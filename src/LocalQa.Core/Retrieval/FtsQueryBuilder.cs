using System.Collections.Frozen;
using System.Text;
using LocalQa.Core.Index;
using LocalQa.Core.Text;

namespace LocalQa.Core.Retrieval;

/// <summary>
/// Turns any user text into a safe FTS5 MATCH expression: every term is a double-quoted string,
/// so FTS5 operators (AND, OR, NOT, NEAR) and syntax characters (* : ( ) ^ " - +) in the
/// question are only ever searched for, never interpreted.
/// </summary>
internal static class FtsQueryBuilder
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
            if (Lexicon.FunctionWords.Contains(term) || !seen.Add(term))
            {
                continue;
            }

            // Words about the asking ("short for", "according to the articles") match passages that
            // merely share the phrase; they are searched only when the question has nothing else.
            if (Lexicon.QuestionPhrasing.Contains(term))
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
