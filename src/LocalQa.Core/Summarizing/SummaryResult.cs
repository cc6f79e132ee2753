using LocalQa.Core.Answering;

namespace LocalQa.Core.Summarizing;

public sealed record SummaryResult
{
    public required string Source { get; init; }
    public required string Title { get; init; }
    public required string Summary { get; init; }
    public required IReadOnlyList<string> KeyPoints { get; init; }
    public required AnswerMode Mode { get; init; }
    public IReadOnlyList<RelatedDocument> Related { get; init; } = [];
    public int Words => LocalQa.Core.Text.Words.Count(Summary);

    /// <summary>True when the library was searched for related documents (it may have found none that pass the bar).</summary>
    /// <remarks>Not in --json: an empty "related" there already says nothing passed, and a script has no use for the difference.</remarks>
    public bool RelatedSearched { get; init; }

    /// <summary>For an extractive summary: why each sentence was chosen (summary sentences, then key points).</summary>
    public IReadOnlyList<Extractive.ScoredSentence> Explanation { get; init; } = [];

    // The map-reduce shape explains the timings, so --json shows it inside "timings" (the CLI puts it there).
    public int MapSequences { get; init; }

    public int ReduceSteps { get; init; }

    public SummaryTimings? Timings { get; init; }
    public string? Note { get; init; }
}
