namespace LocalQa.Core.Documents;

/// <summary>What a parser of a binary format (PDF, Word, EPUB) got from a file, before cleaning.</summary>
/// <param name="Blocks">The text in reading order, one block per heading, paragraph, list item or table row.</param>
/// <param name="Title">The title the file declares, when it declares a useful one; otherwise null.</param>
/// <param name="SkipReason">Why nothing can be read (a scan, an encrypted file), as a clause for "skipped, …"; null when read.</param>
internal sealed record PackagedText(List<TextBlock> Blocks, string? Title = null, string? SkipReason = null)
{
    /// <summary>Problems that did not stop the parse, without the file name (the loader adds it).</summary>
    public List<string> Warnings { get; init; } = [];

    internal static PackagedText Skip(string reason) => new([], SkipReason: reason);
}
