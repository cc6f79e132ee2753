namespace LocalQa.Core.Summarizing;

public sealed record SummarizeOptions
{
    public int MaxWords { get; init; } = 150;
    public int KeyPoints { get; init; } = 5;

    /// <summary>Related library documents to list.</summary>
    public int Related { get; init; } = 3;
}
