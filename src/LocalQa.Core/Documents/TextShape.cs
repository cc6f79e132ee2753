using System.Buffers;
using LocalQa.Core.Text;

namespace LocalQa.Core.Documents;

/// <summary>Cheap shape tests on a line of text, shared by the loaders and the cleaning rules.</summary>
internal static class TextShape
{
    private static readonly SearchValues<char> NumericLineChars = SearchValues.Create("0123456789.,:;%+-()$€£ ");

    /// <summary>True when the line ends like a sentence or a clause: <c>. ! ? … : ; ,</c>, optionally followed by closing quotes or brackets.</summary>
    public static bool EndsWithPunctuation(ReadOnlySpan<char> text)
    {
        text = text.TrimEnd();
        while (!text.IsEmpty && text[^1] is '"' or '\'' or ')' or ']' or '\u201D' or '\u2019' or '\u00BB' or '*')
        {
            text = text[..^1];
        }

        return !text.IsEmpty && text[^1] is '.' or '!' or '?' or '\u2026' or ':' or ';' or ',' or '\u3002' or '\uFF01' or '\uFF1F';
    }

    /// <summary>True when the line starts with a list bullet or an enumeration like <c>1.</c> or <c>a)</c>.</summary>
    public static bool StartsWithListMarker(ReadOnlySpan<char> text)
    {
        text = text.TrimStart();
        if (text.IsEmpty)
        {
            return false;
        }

        if (text[0] is '-' or '*' or '+' or '\u2022' or '\u25E6' or '\u25AA' or '\u2023' or '\u2013' or '\u2014' or '\u00B7')
        {
            return text.Length == 1 || char.IsWhiteSpace(text[1]);
        }

        var i = 0;
        while (i < text.Length && i < 3 && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i == 0 && text.Length > 1 && char.IsAsciiLetter(text[0]))
        {
            i = 1;
        }

        return i > 0 && i + 1 < text.Length && text[i] is '.' or ')' && char.IsWhiteSpace(text[i + 1]);
    }

    /// <summary>
    /// The share of words (of four letters or more, plus the first word) that start with an upper-case
    /// letter or a digit; headings and titles score high, sentences low.
    /// </summary>
    public static double CapitalizedShare(ReadOnlySpan<char> text)
    {
        int considered = 0, capitalized = 0;
        var first = true;
        foreach (var range in text.Split(' '))
        {
            var word = text[range].Trim("\"'“‘(«[");
            if (word.IsEmpty)
            {
                continue;
            }

            var letters = 0;
            foreach (var c in word)
            {
                if (char.IsLetter(c))
                {
                    letters++;
                }
            }

            if (first || letters >= 4)
            {
                considered++;
                if (char.IsUpper(word[0]) || char.IsDigit(word[0]))
                {
                    capitalized++;
                }
            }

            first = false;
        }

        return considered == 0 ? 0 : (double)capitalized / considered;
    }

    /// <summary>
    /// True for a line shaped like a heading or a title: short, no closing punctuation (a question
    /// mark is allowed), starts with a capital letter or a digit, not a list item.
    /// </summary>
    public static bool LooksLikeHeading(ReadOnlySpan<char> line, int maxWords = 14, int maxLength = 110)
    {
        line = line.Trim();
        if (line.IsEmpty || line.Length > maxLength)
        {
            return false;
        }

        var words = Words.Count(line, maxWords);
        if (words == 0 || words > maxWords)
        {
            return false;
        }

        if (!(char.IsUpper(line[0]) || char.IsDigit(line[0]) || line[0] is '"' or '\u201C' or '\u2018'))
        {
            return false;
        }

        if (StartsWithListMarker(line) || !line.ContainsAnyExcept(NumericLineChars))
        {
            return false;
        }

        return !EndsWithPunctuation(line) || (line[^1] == '?' && CapitalizedShare(line) >= 0.6);
    }
}
