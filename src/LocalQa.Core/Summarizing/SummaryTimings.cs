namespace LocalQa.Core.Summarizing;

/// <summary>Where a summary's time went; the caller's loading of the inputs is not in it.</summary>
/// <param name="MapMs">Summarizing the parts (the whole article when it fits one prompt).</param>
/// <param name="ReduceMs">Combining the parts' summaries, every round.</param>
/// <param name="RelatedMs">Finding what the article relates to in the library.</param>
/// <param name="TotalMs">From the start of the call to this result.</param>
/// <param name="GeneratedTokens">Tokens the chat model generated, map and reduce together.</param>
/// <param name="TokensPerSecond">Generated tokens per second of the map and reduce.</param>
public sealed record SummaryTimings(
    double MapMs,
    double ReduceMs,
    double RelatedMs,
    double TotalMs,
    int GeneratedTokens,
    double TokensPerSecond);
