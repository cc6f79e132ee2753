using LocalQa.Core.Documents;
using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// Writes one document too large to hold in memory, a section at a time, inside one transaction:
/// until <see cref="Commit"/> every reader (and the index after a crash) sees the previous version
/// of the document, or none. Disposing without committing rolls the document back.
/// </summary>
/// <remarks>
/// The index's connection belongs to the writer until it is committed or disposed: use the index
/// for nothing else meanwhile. Each section's near-duplicate signature is folded into the
/// document's (a slot-wise minimum, as if the text had been hashed whole, except for the few
/// shingles that straddle two sections).
/// </remarks>
internal sealed class DocumentWriter : IDisposable
{
    private readonly DocumentStore _store;
    private readonly SqliteTransaction _transaction;
    private readonly long _documentId;
    private ulong[]? _signature;
    private long _end;
    private bool _titled;
    private bool _done;

    internal DocumentWriter(DocumentStore store, SqliteTransaction transaction, long documentId)
    {
        _store = store;
        _transaction = transaction;
        _documentId = documentId;
    }

    /// <summary>Chunks written so far; the next section's first chunk gets this ordinal.</summary>
    public int ChunkCount { get; private set; }

    /// <summary>
    /// Stores a section's chunks. Their ordinals and offsets are relative to the section (0, 1, 2…;
    /// offsets into <see cref="DocumentSection.Text"/>); they are stored relative to the document.
    /// </summary>
    /// <param name="section">The section, as the loader handed it over.</param>
    /// <param name="chunks">The section's chunks, in order.</param>
    /// <param name="embeddings">Their vectors in the same order, or null.</param>
    /// <param name="headingBefore">The heading the section's first chunks sit under when the section itself has none before them (the last heading of an earlier section).</param>
    public void Add(DocumentSection section, IReadOnlyList<Chunk> chunks, ChunkEmbeddings? embeddings = null, string? headingBefore = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(chunks);
        ObjectDisposedException.ThrowIf(_done, this);
        if (section.Offset < _end || section.Offset + section.Text.Length > int.MaxValue)
        {
            throw new ArgumentException($"Section {section.Index} starts at {section.Offset}, before the end of the previous one ({_end}) or past the largest offset.", nameof(section));
        }

        var absolute = new Chunk[chunks.Count];
        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            if (c.Ordinal != i || c.Start < 0 || c.Length < 0 || (long)c.Start + c.Length > section.Text.Length)
            {
                throw new ArgumentException($"Chunk {i} of section {section.Index} has ordinal {c.Ordinal} and spans [{c.Start}, +{c.Length}) of {section.Text.Length} characters.", nameof(chunks));
            }

            absolute[i] = c with { Ordinal = ChunkCount + i, Start = (int)(section.Offset + c.Start), Heading = c.Heading ?? headingBefore };
        }

        if (!_titled)
        {
            // Every chunk's full-text row indexes the document's title: it must be the real one
            // before the first chunk is written, not the placeholder.
            _store.SetTitle(_transaction, _documentId, section.Title);
            _titled = true;
        }

        _store.WriteChunks(_transaction, _documentId, absolute, embeddings);
        if (NearDuplicateDetector.ComputeSignature(section.Text) is { } signature)
        {
            if (_signature is null)
            {
                _signature = signature;
            }
            else
            {
                NearDuplicateDetector.Merge(_signature, signature);
            }
        }

        ChunkCount += absolute.Length;
        _end = section.Offset + section.Text.Length;
    }

    /// <summary>Row id of the document; stable across replacements of the same path.</summary>
    public long DocumentId => _documentId;

    /// <summary>Records the document's title, hash, size and time, groups it with its near-duplicates and commits.</summary>
    /// <returns>The document's near-duplicate group (see <see cref="UpsertResult.DuplicateGroup"/>).</returns>
    public long Commit(string title, string contentHash, long sizeBytes, DateTimeOffset modifiedUtc)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(contentHash);
        ObjectDisposedException.ThrowIf(_done, this);
        var group = _store.Finish(_transaction, _documentId, title, contentHash, sizeBytes, modifiedUtc, _signature);
        _done = true;
        _transaction.Dispose();
        return group;
    }

    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        _transaction.Dispose();
    }
}
