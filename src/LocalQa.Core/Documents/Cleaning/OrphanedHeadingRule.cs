namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// Removes a heading whose whole section was removed by earlier rules ("Eyewitness Accounts" over a
/// call for contributions), so that no empty section is left. Keep it last in the pipeline.
/// </summary>
internal sealed class OrphanedHeadingRule : ICleaningRule
{
    /// <inheritdoc/>
    public string Name => "orphaned-heading";

    /// <inheritdoc/>
    public void Apply(CleaningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var blocks = context.Blocks;

        // From the end, so that a heading over an orphaned sub-heading is orphaned too.
        for (var i = blocks.Count - 1; i >= 0; i--)
        {
            if (!blocks[i].IsHeading || context.IsRemoved(i))
            {
                continue;
            }

            var removed = 0;
            var kept = 0;
            for (var j = i + 1; j < blocks.Count; j++)
            {
                if (!context.IsRemoved(j))
                {
                    if (blocks[j].IsHeading && (blocks[i].HeadingLevel == 0 || blocks[j].HeadingLevel <= blocks[i].HeadingLevel || blocks[j].HeadingLevel == 0))
                    {
                        break;
                    }

                    kept++;
                    break;
                }

                removed++;
            }

            if (removed > 0 && kept == 0)
            {
                context.Remove(i, Name);
            }
        }
    }
}
