namespace LocalQa.Core.Documents;

/// <summary>What a <see cref="TextBlock"/> was in its source.</summary>
public enum BlockKind
{
    /// <summary>Running text: a paragraph, or one line of a plain-text file.</summary>
    Paragraph,

    /// <summary>A heading (Markdown <c>#</c>, HTML <c>h1</c>–<c>h6</c>, or a heading-like line of plain text).</summary>
    Heading,

    /// <summary>One item of a list, without its marker.</summary>
    ListItem,

    /// <summary>One row of a table, cells joined by <c>" | "</c>.</summary>
    TableRow,

    /// <summary>Preformatted text or code; may span several lines.</summary>
    Code,

    /// <summary>The caption of a figure or a table.</summary>
    Caption,
}

/// <summary>
/// One block of a loaded document before it becomes <see cref="Document.Text"/>: the unit that the
/// loaders produce and that <see cref="Cleaning.ICleaningRule"/>s inspect and remove.
/// </summary>
/// <param name="Text">The block's text, trimmed; one line except for <see cref="BlockKind.Code"/>.</param>
/// <param name="Kind">What the block was in its source.</param>
/// <param name="HeadingLevel">1–6 for Markdown/HTML headings, 0 for plain-text headings and non-headings.</param>
/// <param name="StartsParagraph">True when a blank line separates this block from the previous one.</param>
public sealed record TextBlock(string Text, BlockKind Kind = BlockKind.Paragraph, int HeadingLevel = 0, bool StartsParagraph = true)
{
    /// <summary>True for <see cref="BlockKind.Heading"/>.</summary>
    public bool IsHeading => Kind == BlockKind.Heading;

    /// <summary>
    /// The 1-based page the block starts on, for formats that have pages (PDF); 0 when unknown.
    /// <see cref="Document.Pages"/> is built from it, so a citation can say "p. 7".
    /// </summary>
    public int Page { get; init; }
}
