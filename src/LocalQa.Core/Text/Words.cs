using System.Collections.Frozen;
using System.Diagnostics;
using System.Text;

namespace LocalQa.Core.Text;

/// <summary>A content word of a text: its stem and where it stands.</summary>
/// <param name="Stem">Lower-cased, accent-folded, stemmed form ("Released" → "releas"; see <see cref="EnglishStemmer"/>).</param>
/// <param name="Start">Offset of the word's first character.</param>
/// <param name="Length">Length of the word in the text.</param>
/// <param name="Capitalized">True when the word starts with an upper-case letter.</param>
internal readonly record struct TermToken(string Stem, int Start, int Length, bool Capitalized);

/// <summary>A word of a text, stop words included: lower-cased and accent-folded, not stemmed.</summary>
/// <param name="Lower">The folded form ("Jérôme" → "jerome").</param>
/// <param name="Start">Offset of the word's first character.</param>
/// <param name="Length">Length of the word in the text.</param>
internal readonly record struct WordToken(string Lower, int Start, int Length);

/// <summary>
/// The one word counter and content-word reader of LocalQa: what a "word" is for word budgets,
/// and which words of a text say what it is about (stop words of <see cref="Lexicon.FunctionWords"/>
/// and single letters dropped, the rest folded and stemmed).
/// </summary>
public static class Words
{
    private static readonly string AccentFolds = BuildAccentFolds();

    /// <summary>Whitespace-separated words: what a reader counts, and what every word budget counts.</summary>
    public static int Count(ReadOnlySpan<char> text) => Count(text, int.MaxValue);

    /// <summary>Whitespace-separated words, counting no further than <paramref name="limit"/> + 1.</summary>
    public static int Count(ReadOnlySpan<char> text, int limit)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                inWord = false;
            }
            else if (!inWord)
            {
                inWord = true;
                if (++count > limit)
                {
                    break;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// Every word of <paramref name="text"/> in order, stop words included, lower-cased and accent-folded
    /// but not stemmed: what reading a question's wording needs ("how many", "on the other side"). A
    /// contraction's tail ("don't", "he's") is dropped; "3.1" and "350,000" stay one word.
    /// </summary>
    internal static List<WordToken> All(ReadOnlySpan<char> text)
    {
        var words = new List<WordToken>();
        Scan(text, false, (_, start, length, lower) => words.Add(new WordToken(lower.ToString(), start, length)));
        return words;
    }

    /// <summary>The content words of <paramref name="text"/> in order: stop words, single letters and punctuation dropped.</summary>
    internal static List<TermToken> Terms(ReadOnlySpan<char> text)
    {
        var terms = new List<TermToken>();
        Scan(text, true, (source, start, length, lower) =>
        {
            var stem = EnglishStemmer.Stem(lower);
            terms.Add(new TermToken(lower[..stem].ToString(), start, length, char.IsUpper(source[start])));
        });
        return terms;
    }

    private delegate void WordFound(ReadOnlySpan<char> text, int start, int length, Span<char> lower);

    // The one word scanner: letters and digits; a number keeps its inner '.' and ','.
    private static void Scan(ReadOnlySpan<char> text, bool contentOnly, WordFound found)
    {
        Span<char> buffer = stackalloc char[64];
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var digits = true;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsLetterOrDigit(c))
                {
                    digits &= char.IsDigit(c);
                    i++;
                }
                else if (digits && c is '.' or ',' && i + 1 < text.Length && char.IsDigit(text[i + 1]))
                {
                    // "3.1", "350,000": a number stays one term, so "LLaMA 3" does not match "LLaMA 3.1".
                    i++;
                }
                else
                {
                    break;
                }
            }

            var word = text[start..i];
            var contractionTail = start >= 2 && text[start - 1] is '\'' or '\u2019' && char.IsLetter(text[start - 2]);
            if ((word.Length == 1 && !char.IsDigit(word[0]) && (contentOnly || contractionTail)) || (contractionTail && word.Length <= 2))
            {
                continue;
            }

            var lower = word.Length <= buffer.Length ? buffer[..word.Length] : new char[word.Length];
            Fold(word, lower);
            if (contentOnly && Lexicon.FunctionWords.Contains(lower))
            {
                continue;
            }

            found(text, start, word.Length, lower);
        }
    }

    /// <summary>The distinct stems of <paramref name="text"/>.</summary>
    public static HashSet<string> StemSet(ReadOnlySpan<char> text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in Terms(text))
        {
            set.Add(term.Stem);
        }

        return set;
    }

    /// <summary>True when <paramref name="lowerWord"/> is a stop word of <see cref="Lexicon.FunctionWords"/>.</summary>
    public static bool IsStopWord(ReadOnlySpan<char> lowerWord) => Lexicon.FunctionWords.Contains(lowerWord);

    /// <summary>Lower-cases and removes the accents of Latin letters ("Jérôme" → "jerome").</summary>
    public static void Fold(ReadOnlySpan<char> word, Span<char> destination)
    {
        Debug.Assert(destination.Length >= word.Length, "destination too short");
        for (var k = 0; k < word.Length; k++)
        {
            var c = word[k];
            if (c is >= '\u00C0' and <= '\u017F')
            {
                var folded = AccentFolds[c - '\u00C0'];
                c = folded == '*' ? char.ToLowerInvariant(c) : folded;
            }
            else
            {
                c = char.ToLowerInvariant(c);
            }

            destination[k] = c;
        }
    }

    // U+00C0–U+017F: the base letter of each accented Latin letter, '*' where there is none.
    private static string BuildAccentFolds()
    {
        const string latin1 = "aaaaaaaceeeeiiiidnooooo*ouuuuy**aaaaaaaceeeeiiiidnooooo*ouuuuy*y";
        (char Letter, int Count)[] extendedA =
        [
            ('a', 6), ('c', 8), ('d', 4), ('e', 10), ('g', 8), ('h', 4), ('i', 12), ('j', 2), ('k', 3), ('l', 10),
            ('n', 9), ('o', 8), ('r', 6), ('s', 8), ('t', 6), ('u', 12), ('w', 2), ('y', 3), ('z', 6), ('s', 1),
        ];
        var builder = new StringBuilder(latin1);
        foreach (var (letter, count) in extendedA)
        {
            builder.Append(letter, count);
        }

        Debug.Assert(builder.Length == 0x180 - 0xC0, "the fold table must cover U+00C0 to U+017F");
        return builder.ToString();
    }
}
