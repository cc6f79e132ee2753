using System.Diagnostics;
using System.Text;
using LocalQa.Core.Retrieval;
using LocalQa.Core.Text;

namespace LocalQa.Core.Answering;

/// <summary>A content word of a text: its light stem and where it stands.</summary>
/// <param name="Stem">Lower-cased, accent-folded, lightly stemmed form ("Released" → "releas").</param>
/// <param name="Start">Offset of the word's first character.</param>
/// <param name="Length">Length of the word in the text.</param>
/// <param name="Capitalized">True when the word starts with an upper-case letter.</param>
internal readonly record struct TermToken(string Stem, int Start, int Length, bool Capitalized);

/// <summary>
/// Word-level text handling shared by the extractive answerer and summarizer: content-word
/// extraction with light stemming, word counting and word-boundary trimming.
/// </summary>
/// <remarks>
/// The stemmer is deliberately light (plural -s/-es/-ies, -ing, -ed, a final -e) so that
/// "release", "released" and "releases" meet while words are never mangled into each other the
/// way aggressive stemmers do ("university"/"universe"). Both sides of every comparison go through
/// the same function, so its only job is to be consistent.
/// </remarks>
internal static class ExtractiveText
{
    /// <summary>What a trimmed text ends with.</summary>
    public const char Ellipsis = '\u2026';

    private static readonly string AccentFolds = BuildAccentFolds();

    /// <summary>The content words of <paramref name="text"/>: stop words, single letters and punctuation dropped.</summary>
    public static List<TermToken> Terms(ReadOnlySpan<char> text)
    {
        var terms = new List<TermToken>();
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
            if (word.Length == 1 && !char.IsDigit(word[0]))
            {
                continue;
            }

            var lower = word.Length <= buffer.Length ? buffer[..word.Length] : new char[word.Length];
            Fold(word, lower);
            var folded = lower.ToString();
            if (StopWords.English.Contains(folded))
            {
                continue;
            }

            terms.Add(new TermToken(Stem(folded), start, word.Length, char.IsUpper(word[0])));
        }

        return terms;
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

    /// <summary>A light English stemmer; numbers and short words are returned unchanged.</summary>
    public static string Stem(string word)
    {
        if (word.Length <= 3 || !char.IsAsciiLetter(word[^1]))
        {
            return word;
        }

        var w = word.AsSpan();
        string? suffix = null;
        if (w.EndsWith("ies") && w.Length > 4)
        {
            w = w[..^3];
            suffix = "y";
        }
        else if (w.EndsWith("sses"))
        {
            w = w[..^2];
        }
        else if (w[^1] == 's' && !w.EndsWith("ss") && !w.EndsWith("us") && !w.EndsWith("is"))
        {
            w = w[..^1];
        }

        if (suffix is null)
        {
            if (w.EndsWith("ing") && w.Length > 5)
            {
                w = Undouble(w[..^3]);
            }
            else if (w.EndsWith("ed") && w.Length > 4)
            {
                w = Undouble(w[..^2]);
            }

            if (w.Length > 3 && w[^1] == 'e')
            {
                w = w[..^1];
            }
        }

        if (suffix is null && w.Length == word.Length)
        {
            return word;
        }

        return suffix is null ? w.ToString() : string.Concat(w, suffix);
    }

    /// <summary>Whitespace-separated words in <paramref name="text"/>.</summary>
    public static int CountWords(ReadOnlySpan<char> text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var isWord = !char.IsWhiteSpace(c);
            if (isWord && !inWord)
            {
                count++;
            }

            inWord = isWord;
        }

        return count;
    }

    /// <summary>
    /// The first <paramref name="maxWords"/> words of <paramref name="text"/> with runs of whitespace
    /// collapsed; when words were dropped, an ellipsis is glued to the last word kept, so the word
    /// count never exceeds <paramref name="maxWords"/>.
    /// </summary>
    public static string TrimToWords(ReadOnlySpan<char> text, int maxWords)
    {
        Debug.Assert(maxWords > 0, "maxWords must be positive");
        var builder = new StringBuilder();
        var words = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            if (words == maxWords)
            {
                // Punctuation dangling at the cut ("word," "word—") reads badly before an ellipsis.
                var end = builder.Length;
                while (end > 0 && char.IsPunctuation(builder[end - 1]) && builder[end - 1] is not ')' and not '"' and not '\u201D')
                {
                    end--;
                }

                builder.Length = end > 0 ? end : builder.Length;
                builder.Append(Ellipsis);
                return builder.ToString();
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (words > 0)
            {
                builder.Append(' ');
            }

            builder.Append(text[start..i]);
            words++;
        }

        return builder.ToString();
    }

    /// <summary>True when the sentence ends like a sentence (a full stop, a question or exclamation mark, a closing quote).</summary>
    public static bool EndsLikeSentence(ReadOnlySpan<char> sentence)
    {
        var trimmed = sentence.TrimEnd();
        if (trimmed.IsEmpty)
        {
            return false;
        }

        var k = trimmed.Length - 1;
        while (k > 0 && trimmed[k] is '"' or '\'' or ')' or ']' or '\u201D' or '\u2019' or '*' or '_')
        {
            k--;
        }

        return trimmed[k] is '.' or '!' or '?' or '\u2026' or '\u3002' or '\uFF01' or '\uFF1F';
    }

    /// <summary>The span without a leading list bullet ("- ", "• ", "* "), which reads as noise once the sentence is quoted alone.</summary>
    public static TextSpan WithoutListMarker(ReadOnlySpan<char> text, TextSpan span)
    {
        var sentence = span.In(text);
        var skip = 0;
        while (skip + 1 < sentence.Length && sentence[skip] is '-' or '\u2022' or '*' or '\u2013' or '\u00B7' or '\u25AA' && char.IsWhiteSpace(sentence[skip + 1]))
        {
            skip += 2;
            while (skip < sentence.Length && char.IsWhiteSpace(sentence[skip]))
            {
                skip++;
            }
        }

        return skip == 0 || skip >= sentence.Length ? span : new TextSpan(span.Start + skip, span.Length - skip);
    }

    private static ReadOnlySpan<char> Undouble(ReadOnlySpan<char> w)
    {
        // "planned" → "plan", "running" → "run"; but "fall", "miss", "buzz" keep their pair.
        if (w.Length > 2 && w[^1] == w[^2] && char.IsAsciiLetterLower(w[^1]) && w[^1] is not ('l' or 's' or 'z' or 'a' or 'e' or 'i' or 'o' or 'u'))
        {
            return w[..^1];
        }

        return w;
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
