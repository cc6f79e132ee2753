namespace LocalQa.Core.Summarizing;

/// <summary>What a summary may be: its word budget, key points and related documents. The same defaults and bounds hold with a model and without one.</summary>
public sealed record SummarizeOptions
{
    /// <summary>The default word budget: a paragraph, read in under a minute.</summary>
    public const int DefaultMaxWords = 150;

    public const int MinWords = 10;
    public const int MaxWordsLimit = 2000;

    /// <summary>The default number of key points: what a reader keeps from one look.</summary>
    public const int DefaultKeyPoints = 5;

    /// <summary>The most key points that can be asked for, extractive or generated.</summary>
    public const int MaxKeyPoints = 10;

    public int MaxWords { get; init; } = DefaultMaxWords;
    public int KeyPoints { get; init; } = DefaultKeyPoints;

    /// <summary>Related library documents to list.</summary>
    public int Related { get; init; } = 3;
}
