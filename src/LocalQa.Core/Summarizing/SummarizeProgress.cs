namespace LocalQa.Core.Summarizing;

/// <summary>Progress of a long summary: map sequences done of total, and decode speed.</summary>
public sealed record SummarizeProgress(int MapDone, int MapTotal, int ReduceStep, double TokensPerSecond);
