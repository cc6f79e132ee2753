namespace LocalQa.Core.Documents;

/// <summary>A loaded and cleaned article: the unit the index stores and replaces atomically.</summary>
/// <param name="Path">The file path as ingested (absolute, or as given for stdin/text).</param>
/// <param name="Title">First heading, HTML title, or first line.</param>
/// <param name="Text">Cleaned body text; chunk offsets point into this string.</param>
/// <param name="ContentHash">Lower-case hex SHA-256 of the file's raw bytes.</param>
/// <param name="SizeBytes">Size of the raw file.</param>
/// <param name="ModifiedUtc">Last write time of the file.</param>
public sealed record Document(string Path, string Title, string Text, string ContentHash, long SizeBytes, DateTimeOffset ModifiedUtc);

/// <summary>A sentence-aligned piece of a document's <see cref="Document.Text"/>.</summary>
/// <param name="Ordinal">0-based position within the document.</param>
/// <param name="Start">Character offset of the chunk's first character in the document text.</param>
/// <param name="Length">Number of characters; <c>Text == doc.Text.Substring(Start, Length)</c>.</param>
/// <param name="Text">The chunk's text.</param>
/// <param name="Heading">The heading the chunk sits under, if any.</param>
/// <param name="TokenCount">Tokens by the configured tokenizer, or the calibrated estimate.</param>
public sealed record Chunk(int Ordinal, int Start, int Length, string Text, string? Heading, int TokenCount);
