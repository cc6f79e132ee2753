using LocalQa.Core.Extractive;
using LocalQa.Core.Text;

namespace LocalQa.Core.Summarizing;

/// <summary>A summary made of the article's own whole sentences, plus key points.</summary>
/// <param name="Text">The chosen sentences in the article's order, joined by spaces; empty for a text with no words.</param>
/// <param name="KeyPoints">Further central sentences not already in <paramref name="Text"/>, in the article's order, each whole and at most <see cref="ExtractiveSummarizer.KeyPointWords"/> words.</param>
/// <param name="Spans">Where the summary's sentences stand in the summarized text, in order.</param>
internal sealed record ExtractiveSummary(string Text, IReadOnlyList<string> KeyPoints, IReadOnlyList<TextSpan> Spans)
{
    /// <summary>The summary of a text without words.</summary>
    public static ExtractiveSummary Empty { get; } = new("", [], []);

    /// <summary>Whitespace-separated words in <see cref="Text"/>; never more than the budget asked for.</summary>
    public int WordCount => Words.Count(Text);

    /// <summary>Why each sentence was chosen: the summary's sentences, then the key points', with the factors that scored them.</summary>
    public IReadOnlyList<ScoredSentence> Explanation { get; init; } = [];
}
