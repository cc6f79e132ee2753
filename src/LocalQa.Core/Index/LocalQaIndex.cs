using System.Diagnostics.CodeAnalysis;
using LocalQa.Core.Documents;
using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// The LocalQa index: one SQLite file holding documents, their chunks, a full-text index over the
/// chunks and embedding vectors. Every document is written in its own transaction, so a crash or an
/// error leaves each document wholly old or wholly new.
/// </summary>
/// <remarks>
/// This class is the index's public face; each member hands its work to the store that owns that
/// part of the schema (<see cref="DocumentStore"/>, <see cref="ChunkStore"/>, <see cref="FullTextStore"/>,
/// <see cref="EmbeddingStore"/>, <see cref="NearDuplicateStore"/>), all sharing one
/// <see cref="IndexDatabase"/>. An instance owns one connection and is not thread-safe. Several
/// instances, in one process or several, can share a file: it is in WAL mode, so readers never wait
/// for a writer, and writers wait for each other up to the busy timeout.
/// </remarks>
public sealed class LocalQaIndex : IDisposable
{
    private readonly IndexDatabase _db;
    private readonly DocumentStore _documents;
    private readonly ChunkStore _chunks;
    private readonly FullTextStore _fullText;
    private readonly EmbeddingStore _embeddings;
    private readonly NearDuplicateStore _duplicates;
    private readonly IndexHealth _health;

    private LocalQaIndex(IndexDatabase db)
    {
        _db = db;
        _embeddings = new EmbeddingStore(db);
        _chunks = new ChunkStore(db, _embeddings);
        _duplicates = new NearDuplicateStore(db);
        _documents = new DocumentStore(db, _chunks, _duplicates);
        _fullText = new FullTextStore(db);
        _health = new IndexHealth(db, _fullText);
    }

    /// <summary>The full path of the index file.</summary>
    public string FilePath => _db.FilePath;

    /// <summary>The schema version this build of LocalQa writes.</summary>
    public static int SchemaVersion => IndexMigrations.CurrentVersion;

    /// <summary>
    /// Opens the index at <paramref name="path"/>, creating it (and its folder) when missing and
    /// upgrading an older schema in place.
    /// </summary>
    /// <exception cref="InvalidInputException">The file is not a LocalQa index, or was written by a newer LocalQa.</exception>
    public static LocalQaIndex Open(string path, TimeProvider? timeProvider = null) =>
        Open(path, IndexCreationOptions.Default, timeProvider);

    /// <summary>
    /// Checks the index file at <paramref name="path"/> without writing to it (read-only, no
    /// migration, nothing created): null when it opens and SQLite's quick check finds it sound, or
    /// when there is no file yet; otherwise the error a command would meet, with its fix.
    /// </summary>
    public static InvalidInputException? CheckFile(string path) => IndexDatabase.Check(path);

    internal static LocalQaIndex Open(string path, IndexCreationOptions options, TimeProvider? timeProvider = null, int? targetVersion = null)
    {
        var db = IndexDatabase.Open(path, options, timeProvider, targetVersion);
        try
        {
            return new LocalQaIndex(db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>The stored content hash of the document at <paramref name="path"/>: lets ingestion skip unchanged files with one indexed lookup.</summary>
    public bool TryGetDocumentHash(string path, [NotNullWhen(true)] out string? contentHash) =>
        TryGetDocumentHash(path, out contentHash, out _);

    /// <summary>
    /// The stored content hash and byte size of the document at <paramref name="path"/>. A file whose
    /// size differs has changed, so ingestion need not read it twice (once to hash, once to load).
    /// </summary>
    public bool TryGetDocumentHash(string path, [NotNullWhen(true)] out string? contentHash, out long sizeBytes)
    {
        try
        {
            return _documents.TryGetHash(path, out contentHash, out sizeBytes);
        }
        catch (SqliteException e) when (_db.UserError(e) is { } user)
        {
            throw user;
        }
    }

    /// <summary>
    /// The earliest indexed document in the same near-duplicate group as the one at
    /// <paramref name="path"/> (a copy of the same story), or null when it has none.
    /// </summary>
    public string? NearDuplicateOf(string path) => _db.Mapped(() => _duplicates.NearDuplicateOf(path));

    /// <summary>
    /// Indexed documents that nearly duplicate <paramref name="text"/> (an article not ingested, such
    /// as one being summarized), most similar first; empty for a text too short to compare.
    /// </summary>
    public IReadOnlyList<NearCopy> FindNearCopies(string text) => _db.Mapped(() => _duplicates.FindNearCopies(text));

    /// <summary>
    /// Replaces everything stored for <paramref name="document"/>'s path (row, chunks, full-text
    /// entries, vectors) in one transaction: on any exception the previous version stays intact.
    /// </summary>
    /// <param name="document">The loaded document; its path says which one it replaces.</param>
    /// <param name="chunks">The chunks, ordinals 0, 1, 2… in order, offsets inside the document text.</param>
    /// <param name="embeddings">Optional vectors, one per chunk in the same order.</param>
    internal UpsertResult UpsertDocument(Document document, IReadOnlyList<Chunk> chunks, ChunkEmbeddings? embeddings = null) =>
        _db.Mapped(() => _documents.Upsert(document, chunks, embeddings));

    /// <summary>
    /// Makes the next <see cref="UpsertDocument"/> calls share transactions (see <see cref="WriteBatch"/>)
    /// until the batch is disposed.
    /// </summary>
    /// <param name="maxDocuments">Commit after this many documents.</param>
    /// <param name="maxChars">Commit once the documents hold this much text (default 256 Ki characters).</param>
    /// <param name="maxAge">Commit once the open transaction is this old (default half a second): the most work a crash can lose.</param>
    internal WriteBatch BeginBatch(int maxDocuments = 256, long maxChars = 256 * 1024, TimeSpan? maxAge = null) =>
        _db.BeginBatch(maxDocuments, maxChars, maxAge ?? TimeSpan.FromMilliseconds(500));

    /// <summary>
    /// Starts replacing the document at <paramref name="path"/> with one written a section at a
    /// time (<see cref="DocumentWriter"/>); the previous version stays visible until it commits.
    /// </summary>
    internal DocumentWriter BeginDocument(string path) => _db.Mapped(() => _documents.BeginStreamed(path));

    /// <summary>Removes a document with its chunks, full-text entries and vectors.</summary>
    /// <returns>False when no document has that path.</returns>
    public bool RemoveDocument(string path) => _db.Mapped(() => _documents.Remove(path));

    /// <summary>Removes every document whose path is not in <paramref name="existingPaths"/> (files deleted since they were indexed).</summary>
    /// <returns>The removed paths, sorted.</returns>
    public IReadOnlyList<string> Prune(IEnumerable<string> existingPaths) => _db.Mapped(() => _documents.PruneExcept(existingPaths));

    /// <summary>All documents, ordered by path.</summary>
    public IReadOnlyList<IndexedDocument> ListDocuments() => _db.Mapped(() => _documents.Read(null));

    /// <summary>The document stored for <paramref name="path"/>, or null.</summary>
    public IndexedDocument? GetDocument(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var documents = _db.Mapped(() => _documents.Read(path));
        return documents.Count > 0 ? documents[0] : null;
    }

    /// <summary>
    /// The cleaned text of a document, as ingested, from chunk <paramref name="firstChunk"/> through
    /// <c>firstChunk + chunkCount - 1</c> (those that exist): the chunks' text with the overlap
    /// between neighbours removed, so that pages read one after another join into exactly the text
    /// read in one piece. Hosts page through a long document with it
    /// (<see cref="IndexedDocument.ChunkCount"/> says how far).
    /// </summary>
    /// <param name="documentId">The document's <see cref="IndexedDocument.Id"/>.</param>
    /// <param name="firstChunk">The first chunk ordinal (0-based).</param>
    /// <param name="chunkCount">How many chunks at most (1 or more).</param>
    /// <returns>The text; empty when the document has no chunk there.</returns>
    public string ReadDocumentText(long documentId, int firstChunk, int chunkCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstChunk);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkCount, 1);
        // The chunk before the page is read too, only to know where the text already given ends.
        var before = firstChunk > 0 ? 1 : 0;
        var chunks = _db.Mapped(() => _chunks.Neighbours(documentId, firstChunk, before, chunkCount - 1));
        var text = new System.Text.StringBuilder();
        var end = -1;
        foreach (var chunk in chunks)
        {
            // A chunk is the document text at [Start, Start + Length): what lies before the previous
            // chunk's end is the overlap, already given; a gap between them was a paragraph break.
            if (chunk.Ordinal >= firstChunk)
            {
                var skip = end < 0 ? 0 : Math.Clamp(end - chunk.Start, 0, chunk.Text.Length);
                if (end >= 0 && chunk.Start > end) text.Append("\n\n");
                text.Append(chunk.Text, skip, chunk.Text.Length - skip);
            }
            end = Math.Max(end, chunk.Start + chunk.Text.Length);
        }
        return text.ToString();
    }

    /// <summary>The chunk at <paramref name="ordinal"/> of a document, or null.</summary>
    internal StoredChunk? GetChunk(long documentId, int ordinal)
    {
        var chunks = _db.Mapped(() => _chunks.Neighbours(documentId, ordinal, 0, 0));
        return chunks.Count > 0 ? chunks[0] : null;
    }

    /// <summary>The chunks from <c>ordinal - before</c> to <c>ordinal + after</c> of a document that exist, in order.</summary>
    internal IReadOnlyList<StoredChunk> GetNeighbours(long documentId, int ordinal, int before = 1, int after = 1) =>
        _db.Mapped(() => _chunks.Neighbours(documentId, ordinal, before, after));

    /// <summary>The chunks with the given ids that exist, with their documents' path and title, in no particular order.</summary>
    internal IReadOnlyList<SourcedChunk> GetChunks(IReadOnlyCollection<long> chunkIds) => _db.Mapped(() => _chunks.ById(chunkIds));

    /// <summary>
    /// Full-text search: the best <paramref name="limit"/> chunks for an FTS5 MATCH expression,
    /// ranked by bm25. Build the expression from user text with <c>FtsQueryBuilder.Build</c>;
    /// a malformed expression throws <see cref="Microsoft.Data.Sqlite.SqliteException"/>.
    /// </summary>
    internal IReadOnlyList<ChunkHit> SearchFullText(string matchExpression, int limit) => _db.Mapped(() => _fullText.Search(matchExpression, limit));

    /// <summary>
    /// How many chunks match an FTS5 MATCH expression (a term's document frequency, for weighting it),
    /// counted from the full-text index without reading a chunk.
    /// </summary>
    public long CountFullText(string matchExpression) => _db.Mapped(() => _fullText.Count(matchExpression));

    /// <summary>Stores (or replaces) vectors of one embedding model for existing chunks, all in one transaction.</summary>
    /// <param name="modelId">Lower-case hex SHA-256 of the embedding model file.</param>
    /// <param name="dimensions">Length of every vector.</param>
    /// <param name="vectors">Each chunk's id with its vector.</param>
    /// <returns>The number of vectors written.</returns>
    public int StoreEmbeddings(string modelId, int dimensions, IReadOnlyList<(long ChunkId, float[] Vector)> vectors) =>
        _db.Mapped(() => _embeddings.Store(modelId, dimensions, vectors));

    /// <summary>Chunks that have no vector of <paramref name="modelId"/> yet: after a model change only these need embedding.</summary>
    internal IReadOnlyList<StoredChunk> ChunksWithoutEmbeddings(string modelId) => _db.Mapped(() => _embeddings.ChunksWithout(modelId));

    /// <summary>The length of the vectors of <paramref name="modelId"/> in this index, or null when it has none: an embedder of another length must not add to them.</summary>
    public int? EmbeddingDimensions(string modelId) => _db.Mapped(() => _embeddings.DimensionsOf(modelId));

    /// <summary>Deletes the vectors of every model except <paramref name="modelId"/>, reclaiming space after a model change.</summary>
    /// <returns>The number of vectors deleted.</returns>
    public int RemoveEmbeddingsExcept(string modelId) => _db.Mapped(() => _embeddings.RemoveExcept(modelId));

    /// <summary>
    /// Copies every vector of one model into one contiguous array (row i of <paramref name="vectors"/>
    /// belongs to <paramref name="chunkIds"/>[i]) without allocating per row.
    /// </summary>
    internal void ReadEmbeddingMatrix(string modelId, out long[] chunkIds, out float[] vectors, out int dimensions)
    {
        try
        {
            _embeddings.ReadMatrix(modelId, out chunkIds, out vectors, out dimensions);
        }
        catch (SqliteException e) when (_db.UserError(e) is { } user)
        {
            throw user;
        }
    }

    /// <summary>Counts of documents, chunks, duplicate groups and vectors per embedding model.</summary>
    public IndexStats Stats() => _db.Mapped(() => _health.Stats());

    /// <summary>Chunks in the index (one count, where <see cref="Stats"/> makes four).</summary>
    public long CountChunks() => _db.Mapped(() => _health.CountChunks());

    /// <summary>
    /// Checks the file (SQLite's integrity_check and foreign keys), the full-text index (FTS5's own
    /// check, one entry per chunk) and the vectors (byte length matches dimensions).
    /// </summary>
    public IndexIntegrityReport IntegrityCheck() => _health.IntegrityCheck();

    /// <summary>Merges full-text index segments and refreshes query planner statistics; worth running after a large ingest.</summary>
    public void Optimize() => _db.Mapped(() =>
    {
        _health.Optimize();
        return 0;
    });

    /// <summary>Closes the index's connection to its file.</summary>
    public void Dispose() => _db.Dispose();
}
