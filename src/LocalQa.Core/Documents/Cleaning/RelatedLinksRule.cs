using LocalQa.Core.Text;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// Removes link lists to other stories: a "Related posts" / "You may also like" style heading and
/// the short, title-like lines under it, and runs of title-like lines that share few words with the
/// article (cross-links to unrelated stories placed between sections).
/// </summary>
/// <remarks>
/// A title-like line directly followed by running text is a section heading and stays, whatever its
/// words; so do the headline lines before the first paragraph. Only titles of five words or more
/// whose content words mostly do not occur in the article's paragraphs are treated as links.
/// </remarks>
internal sealed class RelatedLinksRule : ICleaningRule
{
    private const int MaxHeadingWords = 8;
    private const int MinLinkTitleWords = 5;
    private const double MaxRelatedness = 0.5;

    /// <inheritdoc/>
    public string Name => "related-links";

    /// <inheritdoc/>
    public void Apply(CleaningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        RemoveLabelledLists(context);
        RemoveUnrelatedTitleRuns(context);
    }

    private void RemoveLabelledLists(CleaningContext context)
    {
        var blocks = context.Blocks;
        for (var i = 0; i < blocks.Count; i++)
        {
            var text = blocks[i].Text;
            if (Words.Count(text, MaxHeadingWords) > MaxHeadingWords
                || !BoilerplatePatterns.RelatedLinksHeading().IsMatch(PhraseRule.NormalizeLine(text)))
            {
                continue;
            }

            context.Remove(i, Name);
            for (var j = i + 1; j < blocks.Count && !context.IsBody(j); j++)
            {
                // The next section's heading is followed by its text; a link is followed by more links.
                var next = context.NextKept(j);
                if (blocks[j].IsHeading && next >= 0 && context.IsBody(next))
                {
                    break;
                }

                context.Remove(j, Name);
                i = j;
            }
        }
    }

    private void RemoveUnrelatedTitleRuns(CleaningContext context)
    {
        var kept = new List<int>();
        for (var i = 0; i < context.Blocks.Count; i++)
        {
            if (!context.IsRemoved(i))
            {
                kept.Add(i);
            }
        }

        var firstBody = kept.FindIndex(context.IsBody);
        if (firstBody < 0)
        {
            return;
        }

        var toRemove = new List<int>();
        for (var k = firstBody; k < kept.Count; k++)
        {
            if (context.IsBody(kept[k]))
            {
                continue;
            }

            var runEnd = k;
            while (runEnd + 1 < kept.Count && !context.IsBody(kept[runEnd + 1]))
            {
                runEnd++;
            }

            var lastCandidate = runEnd + 1 < kept.Count ? runEnd - 1 : runEnd;
            for (var r = k; r <= lastCandidate; r++)
            {
                var text = CleaningContext.StripListMarker(context.Blocks[kept[r]].Text);
                if (Words.Count(text) >= MinLinkTitleWords && context.RelatednessToBody(text) < MaxRelatedness)
                {
                    toRemove.Add(kept[r]);
                }
            }

            k = runEnd;
        }

        foreach (var index in toRemove)
        {
            context.Remove(index, Name);
        }
    }
}
