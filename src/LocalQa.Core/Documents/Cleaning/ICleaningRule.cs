namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// One stage of the <see cref="BoilerplateCleaner"/>: looks at the blocks of a document and marks
/// the ones that are not part of the article. Rules never edit text, they only remove whole blocks,
/// so every sentence they keep is the source's own.
/// </summary>
/// <remarks>
/// A rule should err on the side of keeping: it removes a block only when the block is short or
/// matches a phrase that article prose does not use. Rules run in order and see the removals of the
/// rules before them. Implementations must be stateless or thread-safe: one cleaner serves many loads.
/// </remarks>
public interface ICleaningRule
{
    /// <summary>A short name, reported with every block the rule removes.</summary>
    string Name { get; }

    /// <summary>Marks boilerplate blocks of <paramref name="context"/> with <see cref="CleaningContext.Remove"/>.</summary>
    void Apply(CleaningContext context);
}
