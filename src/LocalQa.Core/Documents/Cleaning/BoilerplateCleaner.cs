namespace LocalQa.Core.Documents.Cleaning;

/// <summary>A block that cleaning removed, and the rule that removed it.</summary>
/// <param name="Index">The block's position among the document's blocks before cleaning.</param>
/// <param name="Text">The block's text.</param>
/// <param name="Rule">The <see cref="ICleaningRule.Name"/> of the rule.</param>
public sealed record RemovedBlock(int Index, string Text, string Rule);

/// <summary>The outcome of cleaning one document's blocks.</summary>
/// <param name="Blocks">The blocks kept, in order.</param>
/// <param name="Removed">The blocks removed, in order.</param>
/// <param name="TitleHint">A title suggested by a rule (see <see cref="CleaningContext.TitleHint"/>), or null.</param>
public sealed record CleaningResult(IReadOnlyList<TextBlock> Blocks, IReadOnlyList<RemovedBlock> Removed, string? TitleHint = null);

/// <summary>
/// Removes the boilerplate of scraped pages (navigation, tickers, ads, calls to action, comment
/// forms, link lists, licence lines) from a document's blocks, by running a pipeline of
/// <see cref="ICleaningRule"/>s. Thread-safe; immutable.
/// </summary>
/// <example>
/// <code>
/// var cleaner = BoilerplateCleaner.Default.With(new PublisherBlurbRule());
/// var options = new LoadOptions { Cleaner = cleaner };
/// </code>
/// </example>
public sealed class BoilerplateCleaner
{
    private readonly ICleaningRule[] _rules;

    /// <summary>A cleaner that runs <paramref name="rules"/> in order.</summary>
    public BoilerplateCleaner(IEnumerable<ICleaningRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules];
        if (Array.Exists(_rules, r => r is null))
        {
            throw new ArgumentException("A cleaning rule is null.", nameof(rules));
        }
    }

    /// <summary>
    /// The default pipeline: navigation lines, breadcrumbs, comment forms, calls to action,
    /// copyright and licence lines, image credits, market tickers, related-link lists, and last,
    /// headings left without a section.
    /// </summary>
    public static IReadOnlyList<ICleaningRule> DefaultRules { get; } =
    [
        new PhraseRule("navigation", BoilerplatePatterns.NavigationLine(), maxWords: 8, wholeLine: true),
        new BreadcrumbRule(),
        new CommentFormRule(),
        new PhraseRule("call-to-action", BoilerplatePatterns.CallToAction(), maxWords: 45, wholeLine: false, maxSentenceWords: 20),
        new PhraseRule("copyright", BoilerplatePatterns.CopyrightNotice(), maxWords: 30, wholeLine: false),
        new PhraseRule("image-credit", BoilerplatePatterns.ImageCredit(), maxWords: 12, wholeLine: false, allowFinalPeriod: false),
        new MarketTickerRule(),
        new RelatedLinksRule(),
        new OrphanedHeadingRule(),
    ];

    /// <summary>The cleaner with <see cref="DefaultRules"/>.</summary>
    public static BoilerplateCleaner Default { get; } = new(DefaultRules);

    /// <summary>A cleaner that keeps everything.</summary>
    public static BoilerplateCleaner None { get; } = new([]);

    /// <summary>This cleaner's rules, in the order they run.</summary>
    public IReadOnlyList<ICleaningRule> Rules => _rules;

    /// <summary>
    /// A new cleaner with <paramref name="rule"/> added: before the <see cref="OrphanedHeadingRule"/>
    /// when there is one (it must see every removal), otherwise last.
    /// </summary>
    public BoilerplateCleaner With(ICleaningRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var rules = new List<ICleaningRule>(_rules);
        var orphans = rules.FindIndex(r => r is OrphanedHeadingRule);
        rules.Insert(orphans < 0 ? rules.Count : orphans, rule);
        return new BoilerplateCleaner(rules);
    }

    /// <summary>A new cleaner without the rules of type <typeparamref name="TRule"/>.</summary>
    public BoilerplateCleaner Without<TRule>() where TRule : ICleaningRule =>
        new(_rules.Where(r => r is not TRule));

    /// <summary>A new cleaner without the rules named <paramref name="name"/>.</summary>
    public BoilerplateCleaner Without(string name) =>
        new(_rules.Where(r => !string.Equals(r.Name, name, StringComparison.Ordinal)));

    /// <summary>Runs the rules over <paramref name="blocks"/>.</summary>
    public CleaningResult Clean(IReadOnlyList<TextBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (_rules.Length == 0 || blocks.Count == 0)
        {
            return new CleaningResult(blocks, []);
        }

        var context = new CleaningContext(blocks);
        foreach (var rule in _rules)
        {
            rule.Apply(context);
        }

        var kept = new List<TextBlock>(blocks.Count);
        var removed = new List<RemovedBlock>();
        var pendingBreak = false;
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            if (context.RemovedBy(i) is { } by)
            {
                removed.Add(new RemovedBlock(i, block.Text, by));
                pendingBreak |= block.StartsParagraph;
                continue;
            }

            // A removed block may have carried the paragraph break for the blocks after it.
            if (pendingBreak && !block.StartsParagraph)
            {
                block = block with { StartsParagraph = true };
            }

            pendingBreak = false;
            kept.Add(block);
        }

        return new CleaningResult(kept, removed, context.TitleHint);
    }
}
