using LocalQa.Core.Answering;

namespace LocalQa.Core.Summarizing;

/// <summary>The summary of one document: its prose, key points, and the library documents it relates to.</summary>
public sealed record SummaryResult
{
    /// <summary>The summarized document's path (<see cref="Documents.Document.Path"/>).</summary>
    public required string Source { get; init; }

    /// <summary>The document's title.</summary>
    public required string Title { get; init; }

    /// <summary>The summary as prose, at most <see cref="SummarizeOptions.MaxWords"/> words.</summary>
    public required string Summary { get; init; }

    /// <summary>The key points, one sentence or phrase each; at most <see cref="SummarizeOptions.KeyPoints"/>, perhaps fewer.</summary>
    public required IReadOnlyList<string> KeyPoints { get; init; }

    /// <summary>Whether the chat model wrote the summary or sentences were quoted.</summary>
    public required AnswerMode Mode { get; init; }

    /// <summary>Library documents related to this one, near copies first; empty when none passed the bar or the library was not searched.</summary>
    public IReadOnlyList<RelatedDocument> Related { get; init; } = [];

    /// <summary>Words in <see cref="Summary"/>.</summary>
    public int Words => LocalQa.Core.Text.Words.Count(Summary);

    /// <summary>True when the library was searched for related documents (it may have found none that pass the bar).</summary>
    /// <remarks>Not in --json: an empty "related" there already says nothing passed, and a script has no use for the difference.</remarks>
    public bool RelatedSearched { get; init; }

    /// <summary>For an extractive summary: why each sentence was chosen (summary sentences, then key points).</summary>
    public IReadOnlyList<Extractive.ScoredSentence> Explanation { get; init; } = [];

    // The map-reduce shape explains the timings, so --json shows it inside "timings" (the CLI puts it there).
    /// <summary>Parts the document was split into and summarized one by one; 0 when it fit one prompt, or the summary is extractive.</summary>
    public int MapSequences { get; init; }

    /// <summary>
    /// Rounds of combining partial summaries in the call that made this summary, shared by the documents
    /// summarized together; 0 when each fit one prompt, or the summary is extractive.
    /// </summary>
    public int ReduceSteps { get; init; }

    /// <summary>Where the time went; set on every result the library returns.</summary>
    public SummaryTimings? Timings { get; init; }

    /// <summary>Why the summary is extractive, for the user (e.g. no chat model configured); null for a generated one.</summary>
    public string? Note { get; init; }
}
