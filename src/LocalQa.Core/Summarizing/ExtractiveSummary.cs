using LocalQa.Core.Answering;
using LocalQa.Core.Text;

namespace LocalQa.Core.Summarizing;

/// <summary>A summary made of the article's own sentences, plus key points.</summary>
/// <param name="Text">The chosen sentences in the article's order, joined by spaces; empty for a text with no words.</param>
/// <param name="KeyPoints">Further central sentences not already in <paramref name="Text"/>, in the article's order, each cut to about 30 words.</param>
/// <param name="Spans">Where the summary's sentences stand in the summarized text, in order.</param>
public sealed record ExtractiveSummary(string Text, IReadOnlyList<string> KeyPoints, IReadOnlyList<TextSpan> Spans)
{
    /// <summary>The summary of a text without words.</summary>
    public static ExtractiveSummary Empty { get; } = new("", [], []);

    /// <summary>Whitespace-separated words in <see cref="Text"/>; never more than the budget asked for.</summary>
    public int WordCount => ExtractiveText.CountWords(Text);

    /// <summary>True when the first chosen sentence alone was longer than the budget and was cut (<see cref="Text"/> then ends with "…").</summary>
    public bool Truncated { get; init; }
}
