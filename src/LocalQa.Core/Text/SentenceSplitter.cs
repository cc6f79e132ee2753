using System.Buffers;
using System.Collections.Frozen;

namespace LocalQa.Core.Text;

/// <summary>
/// Splits text into sentences as spans of the original text: no substring is allocated.
/// </summary>
/// <remarks>
/// <para>
/// A line break always ends a sentence: loaders put one block (paragraph, heading, list item) per
/// line and unwrap hard-wrapped paragraphs, so a line break in a <c>Document.Text</c> is a
/// boundary. Inside a line, a sentence ends after <c>. ! ? …</c> (and CJK full stops) plus any
/// closing quotes or brackets, when whitespace and then something that can start a sentence
/// follow. Not boundaries: decimals (<c>3.5</c>), abbreviations and titles (<c>Dr.</c>,
/// <c>e.g.</c>, <c>U.S.</c>, <c>et al.</c>), single-letter initials (<c>J. Smith</c>), list
/// markers (<c>1. Item</c>), and any terminator followed by a lower-case word
/// (<c>wait... what</c>, <c>“Why?” he asked</c>).
/// </para>
/// <para>
/// Spans are trimmed of whitespace and never overlap; together they hold every non-whitespace
/// character of the text. Linear in the length of the text.
/// </para>
/// </remarks>
internal static class SentenceSplitter
{
    private static readonly SearchValues<char> RomanDigits = SearchValues.Create("ivxIVX");

    private const int MaxAbbreviationLength = 6;

    /// <summary>Enumerates the sentences of <paramref name="text"/> without allocating.</summary>
    public static SentenceEnumerator Enumerate(ReadOnlySpan<char> text) => new(text);

    /// <summary>The sentences of <paramref name="text"/> as spans, in order.</summary>
    public static List<TextSpan> Split(ReadOnlySpan<char> text)
    {
        var spans = new List<TextSpan>();
        foreach (var span in Enumerate(text))
        {
            spans.Add(span);
        }

        return spans;
    }

    /// <summary>An allocation-free enumerator of sentence spans; see <see cref="SentenceSplitter"/>.</summary>
    public ref struct SentenceEnumerator
    {
        private readonly ReadOnlySpan<char> _text;
        private int _position;

        internal SentenceEnumerator(ReadOnlySpan<char> text)
        {
            _text = text;
            _position = 0;
            Current = default;
        }

        /// <summary>The current sentence.</summary>
        public TextSpan Current { get; private set; }

        /// <summary>Returns this enumerator, for <c>foreach</c>.</summary>
        public readonly SentenceEnumerator GetEnumerator() => this;

        /// <summary>Advances to the next sentence.</summary>
        public bool MoveNext()
        {
            var text = _text;
            var i = _position;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                _position = text.Length;
                return false;
            }

            var start = i;
            while (i < text.Length)
            {
                var c = text[i];
                if (c is '\n' or '\r' or '\u2028' or '\u2029')
                {
                    Emit(start, TrimEnd(text, start, i), i + 1);
                    return true;
                }

                if (IsTerminator(c))
                {
                    var runEnd = i;
                    while (runEnd < text.Length && IsTerminator(text[runEnd]))
                    {
                        runEnd++;
                    }

                    var end = runEnd;
                    while (end < text.Length && IsCloser(text[end]))
                    {
                        end++;
                    }

                    if (end >= text.Length)
                    {
                        Emit(start, end, end);
                        return true;
                    }

                    if (char.IsWhiteSpace(text[end]) && IsBoundary(text, start, i, runEnd, end))
                    {
                        Emit(start, end, end);
                        return true;
                    }

                    i = end;
                    continue;
                }

                i++;
            }

            Emit(start, TrimEnd(text, start, text.Length), text.Length);
            return true;
        }

        private void Emit(int start, int end, int next)
        {
            Current = new TextSpan(start, end - start);
            _position = next;
        }

        private static int TrimEnd(ReadOnlySpan<char> text, int start, int end)
        {
            while (end > start && char.IsWhiteSpace(text[end - 1]))
            {
                end--;
            }

            return end;
        }
    }

    private static bool IsTerminator(char c) => c is '.' or '!' or '?' or '\u2026' or '\u3002' or '\uFF01' or '\uFF1F';

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or ']' or '}' or '\u201D' or '\u2019' or '\u00BB' or '\u203A' or '*' or '_';

    /// <param name="text">The whole text.</param>
    /// <param name="sentenceStart">Where the current sentence starts.</param>
    /// <param name="runStart">The first terminator.</param>
    /// <param name="runEnd">Just past the terminators.</param>
    /// <param name="end">Just past the closers; whitespace is here.</param>
    private static bool IsBoundary(ReadOnlySpan<char> text, int sentenceStart, int runStart, int runEnd, int end)
    {
        var next = end;
        while (next < text.Length && char.IsWhiteSpace(text[next]))
        {
            if (text[next] is '\n' or '\r')
            {
                return true;
            }

            next++;
        }

        if (next >= text.Length)
        {
            return true;
        }

        if (char.IsLower(text[next]))
        {
            return false;
        }

        var singlePeriod = runEnd - runStart == 1 && text[runStart] == '.';
        if (!singlePeriod || end != runEnd)
        {
            return true;
        }

        var wordStart = runStart;
        while (wordStart > sentenceStart && (char.IsLetterOrDigit(text[wordStart - 1]) || text[wordStart - 1] == '.'))
        {
            wordStart--;
        }

        var word = text[wordStart..runStart];
        if (word.IsEmpty)
        {
            return true;
        }

        // "1. Item", "a. Item", "iv. Item" at the start of a line are list markers.
        if (wordStart == sentenceStart && IsListMarker(word))
        {
            return false;
        }

        // Initials and dotted abbreviations: "J. Smith", "U.S. officials", "e.g. This".
        if (word.Length == 1 && char.IsUpper(word[0]))
        {
            return false;
        }

        if (IsDottedAbbreviation(word))
        {
            return false;
        }

        if (word.Length > MaxAbbreviationLength)
        {
            return true;
        }

        Span<char> lower = stackalloc char[MaxAbbreviationLength];
        var length = word.ToLowerInvariant(lower);
        return !Lexicon.Abbreviations.Contains(lower[..length]);
    }

    private static bool IsListMarker(ReadOnlySpan<char> word) =>
        (word.Length <= 3 && AllDigits(word))
        || (word.Length == 1 && char.IsLetter(word[0]))
        || (word.Length <= 4 && !word.ContainsAnyExcept(RomanDigits));

    private static bool AllDigits(ReadOnlySpan<char> word)
    {
        // A loop, because MemoryExtensions.ContainsAnyExceptInRange allocates on .NET 10.
        foreach (var c in word)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // "U.S", "e.g", "i.e", "a.m": single letters separated by periods.
    private static bool IsDottedAbbreviation(ReadOnlySpan<char> word)
    {
        if (word.Length < 3)
        {
            return false;
        }

        for (var k = 0; k < word.Length; k++)
        {
            var expectLetter = k % 2 == 0;
            if (expectLetter ? !char.IsLetter(word[k]) : word[k] != '.')
            {
                return false;
            }
        }

        return word.Length % 2 == 1;
    }
}
