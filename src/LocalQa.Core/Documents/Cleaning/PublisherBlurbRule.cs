using System.Text.RegularExpressions;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// Removes an "about the publisher" paragraph at the end of an article ("Acme is the leading
/// provider of …"), when the name it introduces appears nowhere else in the article.
/// </summary>
/// <remarks>
/// Not in <see cref="BoilerplateCleaner.DefaultRules"/>: such a paragraph is a real statement of
/// fact that users may ask about. Add it with <see cref="BoilerplateCleaner.With"/>.
/// </remarks>
internal sealed partial class PublisherBlurbRule : ICleaningRule
{
    private const int TailParagraphs = 2;

    /// <inheritdoc/>
    public string Name => "publisher-blurb";

    /// <inheritdoc/>
    public void Apply(CleaningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var blocks = context.Blocks;
        var seen = 0;
        for (var i = blocks.Count - 1; i >= 0 && seen < TailParagraphs; i--)
        {
            if (context.IsRemoved(i) || !context.IsBody(i))
            {
                continue;
            }

            seen++;
            var match = Blurb().Match(blocks[i].Text);
            if (!match.Success)
            {
                continue;
            }

            var name = match.Groups["name"].Value;
            var elsewhere = false;
            for (var j = 0; j < blocks.Count && !elsewhere; j++)
            {
                elsewhere = j != i && !context.IsRemoved(j) && blocks[j].Text.Contains(name, StringComparison.OrdinalIgnoreCase);
            }

            if (!elsewhere)
            {
                context.Remove(i, Name);
            }
        }
    }

    [GeneratedRegex(
        @"^(?<name>\p{Lu}[\w.&'-]*(?:\s\p{Lu}[\w.&'-]*){0,3})\s(?:is|are)\s(?:a|an|the)\s(?:[\w-]+\s){0,4}?(?:leading|premier|trusted|largest|top|independent|award-winning|fastest-growing|global|non-?profit|provider|publisher|platform|company)\b",
        RegexOptions.CultureInvariant)]
    private static partial Regex Blurb();
}
