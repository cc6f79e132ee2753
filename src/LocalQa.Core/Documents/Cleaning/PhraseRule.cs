using System.Text;
using System.Text.RegularExpressions;
using LocalQa.Core.Text;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// Removes short blocks that match a pattern: the building block for navigation, call-to-action,
/// licence and credit lines. Add your own with <see cref="BoilerplateCleaner.With"/>.
/// </summary>
internal sealed class PhraseRule : ICleaningRule
{
    private readonly Regex _pattern;
    private readonly int _maxWords;
    private readonly bool _wholeLine;
    private readonly bool _allowFinalPeriod;
    private readonly int _maxSentenceWords;

    /// <param name="name">Reported with each removed block.</param>
    /// <param name="pattern">Matched case-insensitively; see <paramref name="wholeLine"/>.</param>
    /// <param name="maxWords">Blocks longer than this are always kept: article prose may use any phrase.</param>
    /// <param name="wholeLine">
    /// True: the pattern is matched against the whole block, lower-cased, with surrounding bullets,
    /// arrows and punctuation stripped and whitespace collapsed (anchor it with <c>^…$</c>).
    /// False: the pattern may match anywhere in the block as written.
    /// </param>
    /// <param name="allowFinalPeriod">False: a block that ends with a period is kept (credits and captions have none).</param>
    /// <param name="maxSentenceWords">
    /// When positive, the sentence holding the match must have at most this many words: prompts to the
    /// reader are short sentences, while prose that quotes such a phrase runs on.
    /// </param>
    public PhraseRule(string name, Regex pattern, int maxWords, bool wholeLine, bool allowFinalPeriod = true, int maxSentenceWords = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxWords);
        Name = name;
        _pattern = pattern;
        _maxWords = maxWords;
        _wholeLine = wholeLine;
        _allowFinalPeriod = allowFinalPeriod;
        _maxSentenceWords = maxSentenceWords;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public void Apply(CleaningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        for (var i = 0; i < context.Blocks.Count; i++)
        {
            if (!context.IsRemoved(i) && Matches(context.Blocks[i].Text))
            {
                context.Remove(i, Name);
            }
        }
    }

    /// <summary>True when this rule would remove a block with this text.</summary>
    public bool Matches(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Words.Count(text, _maxWords) > _maxWords)
        {
            return false;
        }

        if (!_allowFinalPeriod && text.TrimEnd().EndsWith('.'))
        {
            return false;
        }

        if (_wholeLine)
        {
            return _pattern.IsMatch(NormalizeLine(text));
        }

        var match = _pattern.Match(text);
        return match.Success && (_maxSentenceWords <= 0 || SentenceWordsAt(text, match.Index) <= _maxSentenceWords);
    }

    private static int SentenceWordsAt(string text, int index)
    {
        foreach (var sentence in SentenceSplitter.Enumerate(text))
        {
            if (index < sentence.End)
            {
                return Words.Count(sentence.In(text));
            }
        }

        return 0;
    }

    /// <summary>Lower-cases, strips non-alphanumeric characters at both ends and collapses whitespace.</summary>
    internal static string NormalizeLine(string text)
    {
        var span = text.AsSpan();
        var start = 0;
        var end = span.Length;
        while (start < end && !char.IsLetterOrDigit(span[start]))
        {
            start++;
        }

        while (end > start && !char.IsLetterOrDigit(span[end - 1]))
        {
            end--;
        }

        var builder = new StringBuilder(end - start);
        var space = false;
        foreach (var c in span[start..end])
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }

            space = false;
            builder.Append(c is '\u2019' or '\u2018' ? '\'' : char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
