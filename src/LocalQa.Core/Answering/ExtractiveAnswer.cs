using System.Globalization;
using System.Text;
using LocalQa.Core.Extractive;
using LocalQa.Core.Text;

namespace LocalQa.Core.Answering;

/// <summary>A sentence quoted from a passage as (part of) an extractive answer.</summary>
/// <param name="Text">The sentence as it stands in the passage, whitespace runs collapsed.</param>
/// <param name="PassageIndex">0-based index of its passage in the list given to the answerer; cite it as <c>[PassageIndex + 1]</c>.</param>
/// <param name="Score">How well the sentence answers the question (0 to about 1.5; higher is better).</param>
/// <param name="Span">Where the sentence stands in its passage's text.</param>
/// <remarks>
/// In --json ("why") a reader sees the sentence, the passage number its citation shows, the score and
/// its factors; the 0-based index and the character span are for code that edits the passage.
/// </remarks>
public sealed record ExtractiveSentence(
    string Text,
    int PassageIndex,
    double Score,
    TextSpan Span)
{
    /// <summary>The factors that scored the sentence: its coverage of the question, then each factor that applied, with why.</summary>
    public IReadOnlyList<FactorHit> Factors { get; init; } = [];

    /// <summary>The 1-based passage number a citation marker uses.</summary>
    public int Citation => PassageIndex + 1;
}

/// <summary>An answer made of sentences quoted from the retrieved passages, or an abstention.</summary>
/// <param name="Sentences">1 to <see cref="ExtractiveOptions.MaxSentences"/> sentences in reading order; empty when <paramref name="Abstained"/>.</param>
/// <param name="Abstained">True when the passages do not support an answer well enough to quote one.</param>
/// <param name="TopScore">The best sentence score found, also when abstaining (0 when there was nothing to score).</param>
internal sealed record ExtractiveAnswer(IReadOnlyList<ExtractiveSentence> Sentences, bool Abstained, double TopScore)
{
    /// <summary>
    /// The answer as one text, each sentence followed by its citation marker ("… in 2013. [1] … [3]"),
    /// in the format <see cref="Citations.Parse"/> reads; empty when abstained.
    /// </summary>
    public string Text
    {
        get
        {
            var text = new StringBuilder();
            foreach (var sentence in Sentences)
            {
                if (text.Length > 0)
                {
                    text.Append(' ');
                }

                text.Append(sentence.Text).Append(" [").Append(sentence.Citation.ToString(CultureInfo.InvariantCulture)).Append(']');
            }

            return text.ToString();
        }
    }

    /// <summary>The 1-based passage numbers quoted, in first-quoted order.</summary>
    public IReadOnlyList<int> Cited => Sentences.Select(s => s.Citation).Distinct().ToList();

    internal static ExtractiveAnswer Abstain(double topScore) => new([], true, topScore);
}

/// <summary>Tunables of <see cref="ExtractiveAnswerer"/>.</summary>
internal sealed record ExtractiveOptions
{
    /// <summary>The defaults.</summary>
    public static ExtractiveOptions Default { get; } = new();

    /// <summary>At most this many sentences are quoted (1 to 10; default 3).</summary>
    public int MaxSentences { get; init; } = 3;

    /// <summary>Only the first this many passages are read (default 5): the retriever ranked them, deeper ones rarely help.</summary>
    public int MaxPassages { get; init; } = 5;

    /// <summary>
    /// The answer is withheld when the best sentence scores below this (default 0.35). A score near 1
    /// means a sentence holding every content word of the question, with the kind of answer asked for.
    /// </summary>
    public double AbstainBelow { get; init; } = 0.35;

    /// <summary>Further sentences are quoted only when they score at least this fraction of the best one (default 0.6).</summary>
    public double CompanionRatio { get; init; } = 0.6;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSentences, 1, nameof(MaxSentences));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxSentences, 10, nameof(MaxSentences));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPassages, 1, nameof(MaxPassages));
        ArgumentOutOfRangeException.ThrowIfNegative(AbstainBelow, nameof(AbstainBelow));
        ArgumentOutOfRangeException.ThrowIfNegative(CompanionRatio, nameof(CompanionRatio));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CompanionRatio, 1.0, nameof(CompanionRatio));
    }
}
