namespace LocalQa.Core.Documents;

/// <summary>A loaded and cleaned article: the unit the index stores and replaces atomically.</summary>
/// <param name="Path">The file path as ingested (absolute, or as given for stdin/text).</param>
/// <param name="Title">First heading, HTML title, or first line.</param>
/// <param name="Text">Cleaned body text; chunk offsets point into this string.</param>
/// <param name="ContentHash">Lower-case hex SHA-256 of the file's raw bytes.</param>
/// <param name="SizeBytes">Size of the raw file.</param>
/// <param name="ModifiedUtc">Last write time of the file.</param>
/// <remarks>
/// <see cref="Text"/> holds one block (heading, paragraph, list item, table row) per line;
/// a blank line separates paragraphs. A line break is therefore always a sentence boundary.
/// </remarks>
public sealed record Document(string Path, string Title, string Text, string ContentHash, long SizeBytes, DateTimeOffset ModifiedUtc)
{
    /// <summary>
    /// The lines of <see cref="Text"/> that the loader recognised as headings, in order. Markdown and
    /// HTML headings carry their level; headings guessed in plain text have level 0. Empty for a
    /// document built without a loader.
    /// </summary>
    public IReadOnlyList<HeadingSpan> Headings { get; init; } = [];

    /// <summary>
    /// Every line of <see cref="Text"/> that the loader saw as something other than running text
    /// (a heading, list item, table row, code block or caption), in order: what lets a summary leave
    /// code and tables out. Empty for a document built without a loader.
    /// </summary>
    public IReadOnlyList<BlockSpan> Blocks { get; init; } = [];

    /// <summary>
    /// Where each page starts in <see cref="Text"/>, in order, for documents that have pages (PDF);
    /// empty otherwise. Kept apart from the text so the index schema and chunk offsets stay as they
    /// are: a chunk's page is <see cref="PageAt"/> of its start.
    /// </summary>
    public IReadOnlyList<PageSpan> Pages { get; init; } = [];

    /// <summary>The 1-based page that holds <paramref name="offset"/>, or null when the document has no pages.</summary>
    public int? PageAt(int offset)
    {
        int lo = 0, hi = Pages.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (Pages[mid].Start <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        // Text before the first page mark (a title the loader added) belongs to the first page.
        return Pages.Count == 0 ? null : Pages[Math.Max(found, 0)].Page;
    }

    /// <summary>The text of the last heading that starts at or before <paramref name="offset"/>, or null.</summary>
    public string? HeadingAt(int offset)
    {
        var index = HeadingIndexAt(Headings, offset);
        return index < 0 ? null : Text.Substring(Headings[index].Start, Headings[index].Length);
    }

    internal static int HeadingIndexAt(IReadOnlyList<HeadingSpan> headings, int offset)
    {
        int lo = 0, hi = headings.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (headings[mid].Start <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}

/// <summary>A heading line in <see cref="Document.Text"/>.</summary>
/// <param name="Start">Offset of the heading's first character.</param>
/// <param name="Length">Length of the heading line, without the line break.</param>
/// <param name="Level">1 to 6 from Markdown or HTML; 0 when guessed from plain text.</param>
public readonly record struct HeadingSpan(int Start, int Length, int Level);

/// <summary>The start of a page in <see cref="Document.Text"/>.</summary>
/// <param name="Start">Offset of the first character of the first block on the page.</param>
/// <param name="Page">The 1-based page number in the source file.</param>
public readonly record struct PageSpan(int Start, int Page);

/// <summary>A block of <see cref="Document.Text"/> that is not a paragraph.</summary>
/// <param name="Start">Offset of the block's first character.</param>
/// <param name="Length">Length of the block (a code block may span several lines).</param>
/// <param name="Kind">What the block was in its source.</param>
public readonly record struct BlockSpan(int Start, int Length, BlockKind Kind)
{
    /// <summary>Offset just past the block's last character.</summary>
    public int End => Start + Length;
}

/// <summary>A sentence-aligned piece of a document's <see cref="Document.Text"/>.</summary>
/// <param name="Ordinal">0-based position within the document.</param>
/// <param name="Start">Character offset of the chunk's first character in the document text.</param>
/// <param name="Length">Number of characters; <c>Text == doc.Text.Substring(Start, Length)</c>.</param>
/// <param name="Text">The chunk's text.</param>
/// <param name="Heading">The heading the chunk sits under, if any.</param>
/// <param name="TokenCount">Tokens by the configured tokenizer, or the calibrated estimate.</param>
public sealed record Chunk(int Ordinal, int Start, int Length, string Text, string? Heading, int TokenCount)
{
    /// <summary>The page the chunk starts on, for documents that have pages (PDF); null otherwise.</summary>
    public int? Page { get; init; }
}
