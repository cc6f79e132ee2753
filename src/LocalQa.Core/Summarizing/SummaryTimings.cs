namespace LocalQa.Core.Summarizing;

public sealed record SummaryTimings(double LoadMs, double MapMs, double ReduceMs, double RelatedMs, double TotalMs, int GeneratedTokens, double TokensPerSecond);
