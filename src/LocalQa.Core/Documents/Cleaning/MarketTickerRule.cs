using LocalQa.Core.Text;
using System.Buffers;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// Removes market-data widgets: runs of short lines of index names, prices and signed changes
/// ("NIKKEI 225", "38,405.66", "+470.90 (+1.24%)"), with the status lines among them.
/// </summary>
/// <remarks>
/// A run counts as a ticker only with at least three quote-like lines, two of them signed changes
/// or percentages, so a short list of figures inside an article stays.
/// </remarks>
internal sealed class MarketTickerRule : ICleaningRule
{
    private const int MaxShortWords = 6;
    private const int MaxShortLength = 48;
    private const int MaxLeadingLabels = 2;
    private static readonly SearchValues<char> NumberChars = SearchValues.Create("0123456789.,");

    /// <inheritdoc/>
    public string Name => "market-ticker";

    /// <inheritdoc/>
    public void Apply(CleaningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var run = new List<int>();
        for (var i = 0; i <= context.Blocks.Count; i++)
        {
            if (i < context.Blocks.Count && context.IsRemoved(i))
            {
                continue;
            }

            if (i < context.Blocks.Count && IsShort(context.Blocks[i].Text))
            {
                run.Add(i);
                continue;
            }

            RemoveIfTicker(context, run);
            run.Clear();
        }
    }

    private void RemoveIfTicker(CleaningContext context, List<int> run)
    {
        int quotes = 0, signed = 0, firstQuote = -1, lastQuote = -1;
        for (var k = 0; k < run.Count; k++)
        {
            var (numeric, tokens, hasSigned) = Measure(context.Blocks[run[k]].Text);
            if (numeric > 0 && numeric * 2 >= tokens)
            {
                quotes++;
                signed += hasSigned ? 1 : 0;
                firstQuote = firstQuote < 0 ? k : firstQuote;
                lastQuote = k;
            }
        }

        if (quotes < 3 || signed < 2 || quotes * 10 < (lastQuote - firstQuote + 1) * 3)
        {
            return;
        }

        // The widget is name, price, change, … ending on a figure; it may open with a status line and a
        // name. Short lines after the last figure belong to what follows (a headline, a heading).
        for (var k = Math.Max(0, firstQuote - MaxLeadingLabels); k <= lastQuote; k++)
        {
            context.Remove(run[k], Name);
        }
    }

    private static bool IsShort(string text) =>
        text.Length <= MaxShortLength && Words.Count(text, MaxShortWords) <= MaxShortWords && !text.EndsWith('.');

    private static (int Numeric, int Tokens, bool Signed) Measure(string text)
    {
        int numeric = 0, tokens = 0;
        var signed = false;
        foreach (var range in text.AsSpan().Split(' '))
        {
            var token = text.AsSpan()[range].Trim("()[]\u2022*");
            if (token.IsEmpty)
            {
                continue;
            }

            tokens++;
            var isSigned = token[0] is '+' or '-' or '\u2212' || token[^1] == '%';
            var core = token.TrimStart("+-\u2212$€£¥").TrimEnd("%");
            if (!core.IsEmpty && char.IsAsciiDigit(core[0]) && !core.ContainsAnyExcept(NumberChars))
            {
                numeric++;
                signed |= isSigned;
            }
        }

        return (numeric, tokens, signed);
    }
}
