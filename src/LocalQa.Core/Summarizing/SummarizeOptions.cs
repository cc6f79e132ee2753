namespace LocalQa.Core.Summarizing;

/// <summary>What a summary may be: its word budget, key points and related documents. The same defaults and bounds hold with a model and without one.</summary>
public sealed record SummarizeOptions
{
    /// <summary>The default word budget: a paragraph, read in under a minute.</summary>
    public const int DefaultMaxWords = 150;

    /// <summary>The smallest <see cref="MaxWords"/> accepted.</summary>
    public const int MinWords = 10;

    /// <summary>The largest <see cref="MaxWords"/> accepted.</summary>
    public const int MaxWordsLimit = 2000;

    /// <summary>The default number of key points: what a reader keeps from one look.</summary>
    public const int DefaultKeyPoints = 5;

    /// <summary>The most key points that can be asked for, extractive or generated.</summary>
    public const int MaxKeyPoints = 10;

    /// <summary>Most words the summary may take, <see cref="MinWords"/> to <see cref="MaxWordsLimit"/>; a generated summary that runs over is cut.</summary>
    public int MaxWords { get; init; } = DefaultMaxWords;

    /// <summary>Most key points to list beside the summary, 0 to <see cref="MaxKeyPoints"/>.</summary>
    public int KeyPoints { get; init; } = DefaultKeyPoints;

    /// <summary>Related library documents to list.</summary>
    public int Related { get; init; } = 3;
}
