using System.Text.Json.Serialization;

namespace LocalQa.Core.Summarizing;

/// <param name="LoadMs">Loading the inputs. Not in --json, which never showed it (the summarizer leaves it 0: the caller loads).</param>
public sealed record SummaryTimings(
    [property: JsonIgnore] double LoadMs,
    [property: JsonRound(3)] double MapMs,
    [property: JsonRound(3)] double ReduceMs,
    [property: JsonRound(3)] double RelatedMs,
    [property: JsonRound(3)] double TotalMs,
    int GeneratedTokens,
    [property: JsonRound(2)] double TokensPerSecond);
