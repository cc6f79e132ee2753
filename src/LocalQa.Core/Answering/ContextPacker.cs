using LocalQa.Core.Prompts;
using LocalQa.Core.Retrieval;
using LocalQa.Core.Text;

namespace LocalQa.Core.Answering;

/// <summary>A passage as numbered in the prompt.</summary>
internal sealed record PackedPassage(int Number, RetrievedPassage Passage);

/// <summary>
/// Chooses the passages that fit the token budget (best first) and lays them out in a canonical order
/// (document, then position) so that consecutive questions on one topic render the same prompt
/// prefix and the KV cache of the previous answer is reused. In a conversation, numbers continue
/// from the passages already given (<c>firstNumber</c>), so every number in the
/// prompt names one passage.
/// </summary>
internal static class ContextPacker
{
    public static async Task<(IReadOnlyList<PackedPassage> Passages, string Text)> PackAsync(
        IReadOnlyList<RetrievedPassage> ranked, int budgetTokens, ITokenCounter counter, PromptLibrary prompts, int firstNumber = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstNumber, 1);
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(prompts);
        var chosen = new List<(RetrievedPassage P, string Rendered)>();
        var used = 0;
        foreach (var p in ranked)
        {
            // Numbers are assigned after sorting; a placeholder of the same width keeps the count honest.
            var rendered = await RenderAsync(prompts, Math.Max(99, firstNumber + ranked.Count), p, cancellationToken).ConfigureAwait(false);
            var cost = counter.CountTokens(rendered) + 1;
            if (used + cost > budgetTokens)
            {
                if (chosen.Count == 0 && budgetTokens > 64)
                {
                    // The best passage alone is too long: keep its beginning rather than nothing.
                    var keepChars = Math.Max(64, (int)((long)p.Text.Length * (budgetTokens - 32) / Math.Max(1, cost)));
                    var cut = p with { Text = p.Text[..Math.Min(p.Text.Length, keepChars)] };
                    chosen.Add((cut, await RenderAsync(prompts, 99, cut, cancellationToken).ConfigureAwait(false)));
                }
                break;
            }
            chosen.Add((p, rendered));
            used += cost;
        }
        var ordered = chosen
            .OrderBy(c => c.P.DocumentPath, StringComparer.Ordinal)
            .ThenBy(c => c.P.FirstOrdinal)
            .Select((c, i) => new PackedPassage(firstNumber + i, c.P))
            .ToArray();
        var laidOut = new string[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
            laidOut[i] = await RenderAsync(prompts, ordered[i].Number, ordered[i].Passage, cancellationToken).ConfigureAwait(false);
        return (ordered, string.Join("\n", laidOut));
    }

    private static ValueTask<string> RenderAsync(PromptLibrary prompts, int number, RetrievedPassage p, CancellationToken ct) =>
        prompts.RenderAsync("passage", new Dictionary<string, string>
        {
            ["id"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["title"] = UntrustedText.Neutralize(p.Title).Replace("\"", "'", StringComparison.Ordinal),
            ["text"] = UntrustedText.Neutralize(p.Text.Trim()),
        }, ct);
}
