namespace LocalQa.Core.Documents;

/// <summary>
/// One piece of a document too large to hold whole: a run of whole paragraphs, cleaned and
/// composed like <see cref="Document.Text"/>. The whole document's text is the sections joined by
/// a blank line; <see cref="Offset"/> is where this one starts in it.
/// </summary>
/// <param name="Index">0-based position among the document's sections.</param>
/// <param name="Offset">Character offset of <see cref="Text"/> in the whole document's text.</param>
/// <param name="Text">The section's cleaned text (one block per line, blank lines between paragraphs).</param>
/// <param name="Headings">The heading lines of <see cref="Text"/>, offsets relative to it.</param>
/// <param name="BytesRead">Bytes of the file read so far: progress through a long file (for a PDF, its size times the share of its pages read).</param>
/// <param name="Title">The document's title, chosen from its first section as <see cref="DocumentLoader.Load"/> would.</param>
public sealed record DocumentSection(int Index, long Offset, string Text, IReadOnlyList<HeadingSpan> Headings, long BytesRead, string Title)
{
    /// <summary>
    /// Where each page starts in <see cref="Text"/>, offsets relative to it, for a document that has
    /// pages (PDF); empty otherwise. The first is at 0 even when the section starts part-way down a
    /// page, so that every chunk of the section knows its page.
    /// </summary>
    public IReadOnlyList<PageSpan> Pages { get; init; } = [];
}

/// <summary>What <see cref="DocumentLoader.LoadSections"/> found once the whole file was read.</summary>
public sealed record SectionedLoad
{
    /// <summary>The file's full path.</summary>
    public required string Path { get; init; }

    /// <summary>Chosen from the first section, as <see cref="DocumentLoader.Load"/> would; null when skipped.</summary>
    public string? Title { get; init; }

    /// <summary>Lower-case hex SHA-256 of the file's raw bytes.</summary>
    public string ContentHash { get; init; } = "";

    /// <summary>Bytes in the file; 0 when it was skipped before it was read.</summary>
    public long SizeBytes { get; init; }

    /// <summary>The file's last write time; the default value when the file was skipped.</summary>
    public DateTimeOffset ModifiedUtc { get; init; }

    /// <summary>Why nothing should be stored, as a sentence naming the file; null when loaded.</summary>
    public string? SkipReason { get; init; }

    /// <summary>Problems that did not stop the load, each naming the file (bytes that were not valid text, say).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Whether the file was read and its sections are to be stored (no <see cref="SkipReason"/>).</summary>
    public bool IsLoaded => SkipReason is null;
}
