using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using LocalQa.Core.Documents;
using LocalQa.Llama;
using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// The LocalQa index: one SQLite file holding documents, their chunks, a full-text index over the
/// chunks and embedding vectors. Every document is written in its own transaction, so a crash or an
/// error leaves each document wholly old or wholly new.
/// </summary>
/// <remarks>
/// An instance owns one connection and is not thread-safe. Several instances, in one process or
/// several, can share a file: it is in WAL mode, so readers never wait for a writer, and writers
/// wait for each other up to the busy timeout.
/// </remarks>
public sealed class LocalQaIndex : IDisposable
{
    private const int BusyTimeoutMilliseconds = 10_000;
    private const int SqliteNotADatabase = 26;
    private const int SqliteCorrupt = 11;
    private const int SqliteReadOnly = 8;
    private const int SqliteCannotOpen = 14;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteFull = 13;
    private const int SqliteIoErrorShmSize = 10 | (19 << 8); // SQLITE_IOERR_SHMSIZE: no room to grow the -shm file

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly DuplicateGrouping _grouping;
    private readonly SqliteCommand _hashByPath;
    private readonly SqliteCommand _nearDuplicateOf;
    private readonly SqliteCommand _pathAndTitle;
    private readonly SqliteCommand _upsertDocument;
    private readonly SqliteCommand _finishDocument;
    private readonly SqliteCommand _setTitle;
    private readonly SqliteCommand _deleteChunks;
    private readonly SqliteCommand _insertChunk;
    private readonly SqliteCommand _insertEmbedding;
    private readonly SqliteCommand _modelDimensions;
    private readonly SqliteCommand _deleteDocument;
    private readonly SqliteCommand _chunkRange;
    private readonly SqliteCommand _fullTextSearch;
    private readonly SqliteCommand _chunksById;
    private readonly SqliteCommand[] _commands;
    private const string DocumentSavepoint = "document";

    private WriteBatch? _batch;
    private bool _disposed;

    private LocalQaIndex(string path, SqliteConnection connection, TimeProvider time)
    {
        FilePath = path;
        _connection = connection;
        _time = time;
        _grouping = new DuplicateGrouping(connection);
        _hashByPath = Sql.Command(connection, "SELECT content_hash, size FROM documents WHERE path = $path", "$path");
        _nearDuplicateOf = Sql.Command(connection, """
            SELECT o.path FROM documents d JOIN documents o ON o.dup_group = d.dup_group AND o.id <> d.id
            WHERE d.path = $path ORDER BY o.id LIMIT 1
            """, "$path");
        _pathAndTitle = Sql.Command(connection, "SELECT path, title FROM documents WHERE id = $id", "$id");
        _upsertDocument = Sql.Command(connection, """
            INSERT INTO documents(path, title, content_hash, size, modified, ingested)
            VALUES ($path, $title, $hash, $size, $modified, $ingested)
            ON CONFLICT(path) DO UPDATE SET
                title = excluded.title, content_hash = excluded.content_hash, size = excluded.size,
                modified = excluded.modified, ingested = excluded.ingested
            RETURNING id
            """, "$path", "$title", "$hash", "$size", "$modified", "$ingested");
        _finishDocument = Sql.Command(connection,
            "UPDATE documents SET title = $title, content_hash = $hash, size = $size, modified = $modified WHERE id = $id",
            "$title", "$hash", "$size", "$modified", "$id");
        _setTitle = Sql.Command(connection, "UPDATE documents SET title = $title WHERE id = $id", "$title", "$id");
        _deleteChunks = Sql.Command(connection, "DELETE FROM chunks WHERE document_id = $id", "$id");
        _insertChunk = Sql.Command(connection, """
            INSERT INTO chunks(document_id, ordinal, start, length, heading, token_count, text)
            VALUES ($document, $ordinal, $start, $length, $heading, $tokens, $text)
            RETURNING id
            """, "$document", "$ordinal", "$start", "$length", "$heading", "$tokens", "$text");
        _insertEmbedding = Sql.Command(connection, """
            INSERT OR REPLACE INTO embeddings(chunk_id, model_id, dimensions, vector)
            VALUES ($chunk, $model, $dimensions, $vector)
            """, "$chunk", "$model", "$dimensions", "$vector");
        _modelDimensions = Sql.Command(connection, "SELECT dimensions FROM embeddings WHERE model_id = $model LIMIT 1", "$model");
        _deleteDocument = Sql.Command(connection, "DELETE FROM documents WHERE path = $path", "$path");
        _chunkRange = Sql.Command(connection, """
            SELECT id, document_id, ordinal, start, length, heading, token_count, text
            FROM chunks WHERE document_id = $document AND ordinal BETWEEN $first AND $last
            ORDER BY ordinal
            """, "$document", "$first", "$last");
        _fullTextSearch = Sql.Command(connection, """
            SELECT c.id, c.document_id, d.path, d.title, c.ordinal, c.start, c.length, c.heading, c.text,
                   coalesce(d.dup_group, d.id), f.rank
            FROM (SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH $query ORDER BY rank LIMIT $limit) AS f
            JOIN chunks c ON c.id = f.rowid
            JOIN documents d ON d.id = c.document_id
            ORDER BY f.rank, c.id
            """, "$query", "$limit");
        _chunksById = Sql.Command(connection, """
            SELECT c.id, c.document_id, d.path, d.title, c.ordinal, c.start, c.length, c.heading, c.text,
                   coalesce(d.dup_group, d.id)
            FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE c.id IN (SELECT value FROM json_each($ids))
            """, "$ids");
        _commands =
        [
            _hashByPath, _nearDuplicateOf, _pathAndTitle, _upsertDocument, _finishDocument, _setTitle, _deleteChunks, _insertChunk, _insertEmbedding, _modelDimensions,
            _deleteDocument, _chunkRange, _fullTextSearch, _chunksById,
        ];
    }

    /// <summary>The full path of the index file.</summary>
    public string FilePath { get; }

    /// <summary>The schema version this build of LocalQa writes.</summary>
    public static int SchemaVersion => IndexMigrations.CurrentVersion;

    /// <summary>
    /// Opens the index at <paramref name="path"/>, creating it (and its folder) when missing and
    /// upgrading an older schema in place.
    /// </summary>
    /// <exception cref="InvalidInputException">The file is not a LocalQa index, or was written by a newer LocalQa.</exception>
    public static LocalQaIndex Open(string path, TimeProvider? timeProvider = null) =>
        Open(path, IndexCreationOptions.Default, timeProvider);

    internal static LocalQaIndex Open(string path, IndexCreationOptions options, TimeProvider? timeProvider = null, int? targetVersion = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SqliteRuntime.EnsureInitialized();
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new InvalidInputException($"The index path '{fullPath}' is a folder.", "Give a file name for the index, for example index.db inside that folder.");
        }

        var folder = Path.GetDirectoryName(fullPath);
        try
        {
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"Cannot create the folder of the index '{fullPath}': {e.Message}", "Choose an index path in a writable folder.", e);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy statement for this long on top of SQLite's own
            // busy handler; left at its default of 30 s, a locked index made a writer wait 30 s, not the busy timeout.
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString());
        try
        {
            connection.Open();
            var version = CheckFile(connection, fullPath);
            Configure(connection);
            var target = targetVersion ?? IndexMigrations.CurrentVersion;
            if (version < target)
            {
                IndexMigrations.MigrateTo(connection, target, options);
            }

            return new LocalQaIndex(fullPath, connection, timeProvider ?? TimeProvider.System);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteReadOnly or SqliteCannotOpen)
        {
            connection.Dispose();
            throw new InvalidInputException(
                $"Cannot open the index '{fullPath}' for writing: {e.Message}",
                "Check that the file and its folder are writable, or choose another index path.",
                e);
        }
        catch (SqliteException e) when (UserError(fullPath, e) is { } user)
        {
            connection.Dispose();
            throw user;
        }
        catch
        {
            connection.Dispose();
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
        ArgumentNullException.ThrowIfNull(path);
        ThrowIfDisposed();
        Sql.Enlist(ReadTransaction, _hashByPath);
        Sql.SetValues(_hashByPath, [path]);
        using var reader = _hashByPath.ExecuteReader();
        if (!reader.Read())
        {
            contentHash = null;
            sizeBytes = 0;
            return false;
        }
        contentHash = reader.GetString(0);
        sizeBytes = reader.GetInt64(1);
        return true;
    }

    /// <summary>
    /// The earliest indexed document in the same near-duplicate group as the one at
    /// <paramref name="path"/> (a copy of the same story), or null when it has none.
    /// </summary>
    public string? NearDuplicateOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ThrowIfDisposed();
        Sql.Enlist(ReadTransaction, _nearDuplicateOf);
        return Sql.Scalar(_nearDuplicateOf, path) as string;
    }

    /// <summary>
    /// Indexed documents that nearly duplicate <paramref name="text"/> (an article not ingested, such
    /// as one being summarized), most similar first; empty for a text too short to compare.
    /// </summary>
    public IReadOnlyList<NearCopy> FindNearCopies(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ThrowIfDisposed();
        if (NearDuplicateDetector.ComputeSignature(text) is not { } signature) return [];
        var copies = new List<NearCopy>();
        Sql.Enlist(ReadTransaction, _pathAndTitle);
        foreach (var (id, similarity) in _grouping.Find(ReadTransaction, signature))
        {
            Sql.SetValues(_pathAndTitle, [id]);
            using var reader = _pathAndTitle.ExecuteReader();
            if (reader.Read()) copies.Add(new NearCopy(id, reader.GetString(0), reader.GetString(1), similarity));
        }
        return copies;
    }

    /// <summary>
    /// Replaces everything stored for <paramref name="document"/>'s path (row, chunks, full-text
    /// entries, vectors) in one transaction: on any exception the previous version stays intact.
    /// </summary>
    /// <param name="chunks">The chunks, ordinals 0, 1, 2… in order, offsets inside the document text.</param>
    /// <param name="embeddings">Optional vectors, one per chunk in the same order.</param>
    public UpsertResult UpsertDocument(Document document, IReadOnlyList<Chunk> chunks, ChunkEmbeddings? embeddings = null) =>
        Writing(() => Upsert(document, chunks, embeddings));

    private UpsertResult Upsert(Document document, IReadOnlyList<Chunk> chunks, ChunkEmbeddings? embeddings)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunks);
        ThrowIfDisposed();
        var signature = NearDuplicateDetector.ComputeSignature(document.Text);
        if (_batch is { } batch)
        {
            var shared = batch.Transaction();
            shared.Save(DocumentSavepoint);
            UpsertResult result;
            try
            {
                result = WriteDocument(shared, document, chunks, embeddings, signature);
                shared.Release(DocumentSavepoint);
            }
            catch
            {
                try
                {
                    shared.Rollback(DocumentSavepoint);
                    shared.Release(DocumentSavepoint);
                }
                catch (SqliteException)
                {
                    // SQLite rolled the whole transaction back itself (a full disk does).
                    batch.Abandon();
                }

                throw;
            }

            batch.Written(document.Text.Length);
            return result;
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        var own = WriteDocument(transaction, document, chunks, embeddings, signature);
        transaction.Commit();
        return own;
    }

    private UpsertResult WriteDocument(SqliteTransaction transaction, Document document, IReadOnlyList<Chunk> chunks, ChunkEmbeddings? embeddings, ulong[]? signature)
    {
        var documentId = StartDocument(transaction, document.Path, document.Title, document.ContentHash, document.SizeBytes, document.ModifiedUtc);
        var chunkIds = WriteChunks(transaction, documentId, chunks, embeddings, document);
        var group = _grouping.Assign(transaction, documentId, signature);
        return new UpsertResult(documentId, chunkIds, group);
    }

    /// <summary>
    /// Makes the next <see cref="UpsertDocument"/> calls share transactions (see <see cref="WriteBatch"/>)
    /// until the batch is disposed.
    /// </summary>
    /// <param name="maxDocuments">Commit after this many documents.</param>
    /// <param name="maxChars">Commit once the documents hold this much text (default 256 Ki characters).</param>
    /// <param name="maxAge">Commit once the open transaction is this old (default half a second): the most work a crash can lose.</param>
    public WriteBatch BeginBatch(int maxDocuments = 256, long maxChars = 256 * 1024, TimeSpan? maxAge = null)
    {
        ThrowIfDisposed();
        if (_batch is not null)
        {
            throw new InvalidOperationException("A write batch is already open on this index.");
        }

        _batch = new WriteBatch(this, _connection, maxDocuments, maxChars, maxAge ?? TimeSpan.FromMilliseconds(500), _time);
        return _batch;
    }

    internal void CommitBatch(SqliteTransaction transaction) => Writing(() =>
    {
        transaction.Commit();
        return 0;
    });

    internal void EndBatch(WriteBatch batch)
    {
        if (ReferenceEquals(_batch, batch))
        {
            _batch = null;
        }
    }

    /// <summary>The open batch's transaction, which Microsoft.Data.Sqlite wants every command on this connection to name; null outside a batch.</summary>
    private SqliteTransaction? ReadTransaction => _batch?.OpenTransaction;

    /// <summary>Commits an open batch before a write that needs its own transaction.</summary>
    private void FlushBatch() => _batch?.Commit();

    /// <summary>
    /// Starts replacing the document at <paramref name="path"/> with one written a section at a
    /// time (<see cref="DocumentWriter"/>); the previous version stays visible until it commits.
    /// </summary>
    public DocumentWriter BeginDocument(string path) => Writing(() =>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfDisposed();
        FlushBatch();
        var transaction = _connection.BeginTransaction(deferred: false);
        try
        {
            // Title and hash are placeholders until Commit; nobody outside the transaction sees them.
            var id = StartDocument(transaction, path, path, "", 0, DateTimeOffset.UnixEpoch);
            return new DocumentWriter(this, transaction, id);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    });

    private long StartDocument(SqliteTransaction transaction, string path, string title, string contentHash, long size, DateTimeOffset modifiedUtc)
    {
        Sql.Enlist(transaction, _commands);
        var documentId = (long)Sql.Scalar(
            _upsertDocument,
            path,
            title,
            contentHash,
            size,
            modifiedUtc.ToUnixTimeMilliseconds(),
            _time.GetUtcNow().ToUnixTimeMilliseconds())!;
        Sql.Run(_deleteChunks, documentId);
        return documentId;
    }

    /// <summary>Inserts chunks (ordinals and offsets final) with their vectors.</summary>
    /// <param name="document">The whole document, to check each chunk against as it is written; null when the caller checked them.</param>
    internal List<long> WriteChunks(SqliteTransaction transaction, long documentId, IReadOnlyList<Chunk> chunks, ChunkEmbeddings? embeddings, Document? document = null) => Writing(() =>
    {
        ThrowIfDisposed();
        Sql.Enlist(transaction, _commands);
        byte[]? vectorBytes = null;
        if (embeddings is not null)
        {
            ValidateEmbeddingsShape(embeddings.ModelId, embeddings.Dimensions);
            if (embeddings.Vectors.Count != chunks.Count)
            {
                throw new ArgumentException($"{embeddings.Vectors.Count} embedding vectors were given for {chunks.Count} chunks.", nameof(embeddings));
            }

            CheckModelDimensions(embeddings.ModelId, embeddings.Dimensions);
            vectorBytes = new byte[embeddings.Dimensions * sizeof(float)];
        }

        var chunkIds = new List<long>(chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            if (document is not null)
            {
                ValidateChunk(document, chunk, i);
            }

            var chunkId = (long)Sql.Scalar(
                _insertChunk, documentId, chunk.Ordinal, chunk.Start, chunk.Length, chunk.Heading, chunk.TokenCount, chunk.Text)!;
            chunkIds.Add(chunkId);
            if (embeddings is not null)
            {
                WriteEmbedding(chunkId, embeddings.ModelId, embeddings.Dimensions, embeddings.Vectors[i], vectorBytes!);
            }
        }

        return chunkIds;
    });

    internal void SetTitle(SqliteTransaction transaction, long documentId, string title) => Writing(() =>
    {
        ThrowIfDisposed();
        Sql.Enlist(transaction, _setTitle);
        return Sql.Run(_setTitle, title, documentId);
    });

    /// <summary>Sets a streamed document's row, groups it and commits.</summary>
    internal long FinishDocument(SqliteTransaction transaction, long documentId, string title, string contentHash, long size, DateTimeOffset modifiedUtc, ulong[]? signature) => Writing(() =>
    {
        ThrowIfDisposed();
        Sql.Enlist(transaction, _commands);
        Sql.Run(_finishDocument, title, contentHash, size, modifiedUtc.ToUnixTimeMilliseconds(), documentId);
        var group = _grouping.Assign(transaction, documentId, signature);
        transaction.Commit();
        return group;
    });

    /// <summary>Removes a document with its chunks, full-text entries and vectors.</summary>
    /// <returns>False when no document has that path.</returns>
    public bool RemoveDocument(string path) => Writing(() => Remove(path));

    private bool Remove(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ThrowIfDisposed();
        FlushBatch();
        using var transaction = _connection.BeginTransaction(deferred: false);
        Sql.Enlist(transaction, _deleteDocument);
        var removed = Sql.Run(_deleteDocument, path) > 0;
        transaction.Commit();
        return removed;
    }

    /// <summary>Removes every document whose path is not in <paramref name="existingPaths"/> (files deleted since they were indexed).</summary>
    /// <returns>The removed paths, sorted.</returns>
    public IReadOnlyList<string> Prune(IEnumerable<string> existingPaths) => Writing(() => PruneExcept(existingPaths));

    private List<string> PruneExcept(IEnumerable<string> existingPaths)
    {
        ArgumentNullException.ThrowIfNull(existingPaths);
        ThrowIfDisposed();
        var keep = existingPaths.ToHashSet(StringComparer.Ordinal);
        var removed = new List<string>();
        FlushBatch();
        using var transaction = _connection.BeginTransaction(deferred: false);
        using (var paths = _connection.CreateCommand())
        {
            paths.Transaction = transaction;
            paths.CommandText = "SELECT path FROM documents ORDER BY path";
            using var reader = paths.ExecuteReader();
            while (reader.Read())
            {
                var path = reader.GetString(0);
                if (!keep.Contains(path))
                {
                    removed.Add(path);
                }
            }
        }

        Sql.Enlist(transaction, _deleteDocument);
        foreach (var path in removed)
        {
            Sql.Run(_deleteDocument, path);
        }

        transaction.Commit();
        return removed;
    }

    /// <summary>All documents, ordered by path.</summary>
    public IReadOnlyList<IndexedDocument> ListDocuments() => ReadDocuments(null);

    /// <summary>The document stored for <paramref name="path"/>, or null.</summary>
    public IndexedDocument? GetDocument(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var documents = ReadDocuments(path);
        return documents.Count > 0 ? documents[0] : null;
    }

    /// <summary>The chunk at <paramref name="ordinal"/> of a document, or null.</summary>
    public StoredChunk? GetChunk(long documentId, int ordinal)
    {
        var chunks = GetNeighbours(documentId, ordinal, 0, 0);
        return chunks.Count > 0 ? chunks[0] : null;
    }

    /// <summary>The chunks from <c>ordinal - before</c> to <c>ordinal + after</c> of a document that exist, in order.</summary>
    public IReadOnlyList<StoredChunk> GetNeighbours(long documentId, int ordinal, int before = 1, int after = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(before);
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ThrowIfDisposed();
        Sql.Enlist(ReadTransaction, _chunkRange);
        Sql.SetValues(_chunkRange, [documentId, (long)ordinal - before, (long)ordinal + after]);
        var chunks = new List<StoredChunk>(before + after + 1);
        using var reader = _chunkRange.ExecuteReader();
        while (reader.Read())
        {
            chunks.Add(ReadStoredChunk(reader));
        }

        return chunks;
    }

    /// <summary>
    /// Full-text search: the best <paramref name="limit"/> chunks for an FTS5 MATCH expression,
    /// ranked by bm25. Build the expression from user text with <c>FtsQueryBuilder.Build</c>;
    /// a malformed expression throws <see cref="SqliteException"/>.
    /// </summary>
    public IReadOnlyList<ChunkHit> SearchFullText(string matchExpression, int limit)
    {
        ArgumentNullException.ThrowIfNull(matchExpression);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ThrowIfDisposed();
        var hits = new List<ChunkHit>(Math.Min(limit, 256));
        if (limit == 0)
        {
            return hits;
        }

        Sql.Enlist(ReadTransaction, _fullTextSearch);
        Sql.SetValues(_fullTextSearch, [matchExpression, limit]);
        using var reader = _fullTextSearch.ExecuteReader();
        while (reader.Read())
        {
            hits.Add(new ChunkHit(ReadSourcedChunk(reader), -reader.GetDouble(10)));
        }

        return hits;
    }

    /// <summary>The chunks with the given ids that exist, with their documents' path and title, in no particular order.</summary>
    public IReadOnlyList<SourcedChunk> GetChunks(IReadOnlyCollection<long> chunkIds)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        ThrowIfDisposed();
        var chunks = new List<SourcedChunk>(chunkIds.Count);
        if (chunkIds.Count == 0)
        {
            return chunks;
        }

        Sql.Enlist(ReadTransaction, _chunksById);
        Sql.SetValues(_chunksById, ["[" + string.Join(',', chunkIds.Select(id => id.ToString(CultureInfo.InvariantCulture))) + "]"]);
        using var reader = _chunksById.ExecuteReader();
        while (reader.Read())
        {
            chunks.Add(ReadSourcedChunk(reader));
        }

        return chunks;
    }

    /// <summary>Stores (or replaces) vectors of one embedding model for existing chunks, all in one transaction.</summary>
    /// <param name="modelId">Lower-case hex SHA-256 of the embedding model file.</param>
    /// <returns>The number of vectors written.</returns>
    public int StoreEmbeddings(string modelId, int dimensions, IReadOnlyList<(long ChunkId, float[] Vector)> vectors) =>
        Writing(() => Store(modelId, dimensions, vectors));

    private int Store(string modelId, int dimensions, IReadOnlyList<(long ChunkId, float[] Vector)> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ValidateEmbeddingsShape(modelId, dimensions);
        ThrowIfDisposed();
        FlushBatch();
        using var transaction = _connection.BeginTransaction(deferred: false);
        Sql.Enlist(transaction, _commands);
        CheckModelDimensions(modelId, dimensions);
        var buffer = new byte[dimensions * sizeof(float)];
        foreach (var (chunkId, vector) in vectors)
        {
            WriteEmbedding(chunkId, modelId, dimensions, vector, buffer);
        }

        transaction.Commit();
        return vectors.Count;
    }

    /// <summary>Chunks that have no vector of <paramref name="modelId"/> yet: after a model change only these need embedding.</summary>
    public IReadOnlyList<StoredChunk> ChunksWithoutEmbeddings(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ThrowIfDisposed();
        using var command = Sql.Command(_connection, """
            SELECT id, document_id, ordinal, start, length, heading, token_count, text
            FROM chunks c
            WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.model_id = $model AND e.chunk_id = c.id)
            ORDER BY id
            """, "$model");
        command.Transaction = ReadTransaction;
        Sql.SetValues(command, [modelId]);
        var chunks = new List<StoredChunk>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            chunks.Add(ReadStoredChunk(reader));
        }

        return chunks;
    }

    /// <summary>Deletes the vectors of every model except <paramref name="modelId"/>, reclaiming space after a model change.</summary>
    /// <returns>The number of vectors deleted.</returns>
    public int RemoveEmbeddingsExcept(string modelId) => Writing(() => RemoveEmbeddings(modelId));

    private int RemoveEmbeddings(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ThrowIfDisposed();
        FlushBatch();
        using var transaction = _connection.BeginTransaction(deferred: false);
        using var command = Sql.Command(_connection, "DELETE FROM embeddings WHERE model_id <> $model", "$model");
        command.Transaction = transaction;
        var removed = Sql.Run(command, modelId);
        transaction.Commit();
        return removed;
    }

    /// <summary>Counts of documents, chunks, duplicate groups and vectors per embedding model.</summary>
    public IndexStats Stats()
    {
        ThrowIfDisposed();
        var documents = Sql.ScalarLong(_connection, ReadTransaction, "SELECT count(*) FROM documents");
        var chunks = Sql.ScalarLong(_connection, ReadTransaction, "SELECT count(*) FROM chunks");
        var groups = Sql.ScalarLong(_connection, ReadTransaction,
            "SELECT count(*) FROM (SELECT dup_group FROM documents WHERE dup_group IS NOT NULL GROUP BY dup_group HAVING count(*) > 1)");
        var models = new List<EmbeddingModelStats>();
        using var command = _connection.CreateCommand();
        command.Transaction = ReadTransaction;
        command.CommandText = "SELECT model_id, dimensions, count(*) FROM embeddings GROUP BY model_id, dimensions ORDER BY model_id";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            models.Add(new EmbeddingModelStats(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2)));
        }

        return new IndexStats(documents, chunks, groups, models);
    }

    /// <summary>
    /// Checks the file (SQLite's integrity_check and foreign keys), the full-text index (FTS5's own
    /// check, one entry per chunk) and the vectors (byte length matches dimensions).
    /// </summary>
    public IndexIntegrityReport IntegrityCheck()
    {
        ThrowIfDisposed();
        FlushBatch();
        var problems = new List<string>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "PRAGMA integrity_check";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var line = reader.GetString(0);
                if (line != "ok")
                {
                    problems.Add("SQLite: " + line);
                }
            }
        }

        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "PRAGMA foreign_key_check";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                problems.Add($"Row {reader.GetValue(1)} of table {reader.GetString(0)} points at a missing row of {reader.GetString(2)}.");
            }
        }

        try
        {
            Sql.Execute(_connection, null, "INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 0)");
        }
        catch (SqliteException e)
        {
            problems.Add("Full-text index: " + e.Message);
        }

        var chunkCount = Sql.ScalarLong(_connection, null, "SELECT count(*) FROM chunks");
        var ftsCount = Sql.ScalarLong(_connection, null, "SELECT count(*) FROM chunks_fts");
        if (chunkCount != ftsCount)
        {
            problems.Add($"The full-text index holds {ftsCount} entries for {chunkCount} chunks.");
        }

        var badVectors = Sql.ScalarLong(_connection, null, "SELECT count(*) FROM embeddings WHERE length(vector) <> dimensions * 4");
        if (badVectors > 0)
        {
            problems.Add($"{badVectors} vectors have a byte length that does not match their dimensions.");
        }

        return new IndexIntegrityReport(problems);
    }

    /// <summary>Merges full-text index segments and refreshes query planner statistics; worth running after a large ingest.</summary>
    public void Optimize()
    {
        ThrowIfDisposed();
        FlushBatch();
        Writing(() =>
        {
            Sql.Execute(_connection, null, "INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')");
            Sql.Execute(_connection, null, "PRAGMA optimize");
            return 0;
        });
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var command in _commands)
        {
            command.Dispose();
        }

        _grouping.Dispose();
        _connection.Dispose();
    }

    /// <summary>
    /// Copies every vector of one model into one contiguous array (row i of <paramref name="vectors"/>
    /// belongs to <paramref name="chunkIds"/>[i]) without allocating per row.
    /// </summary>
    internal void ReadEmbeddingMatrix(string modelId, out long[] chunkIds, out float[] vectors, out int dimensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ThrowIfDisposed();
        FlushBatch();
        using var transaction = _connection.BeginTransaction(deferred: true);
        using var shape = Sql.Command(_connection, "SELECT count(*), max(dimensions), min(dimensions) FROM embeddings WHERE model_id = $model", "$model");
        shape.Transaction = transaction;
        Sql.SetValues(shape, [modelId]);
        int count;
        using (var reader = shape.ExecuteReader())
        {
            reader.Read();
            count = reader.GetInt32(0);
            dimensions = count == 0 ? 0 : reader.GetInt32(1);
            if (count > 0 && reader.GetInt32(2) != dimensions)
            {
                throw new InvalidOperationException($"Vectors of model {modelId} have different dimensions; run an integrity check.");
            }
        }

        chunkIds = new long[count];
        vectors = new float[(long)count * dimensions];
        using var rows = Sql.Command(_connection, "SELECT chunk_id, vector FROM embeddings WHERE model_id = $model ORDER BY chunk_id", "$model");
        rows.Transaction = transaction;
        Sql.SetValues(rows, [modelId]);
        var buffer = new byte[dimensions * sizeof(float)];
        var row = 0;
        using (var reader = rows.ExecuteReader())
        {
            while (reader.Read() && row < count)
            {
                if (reader.GetBytes(1, 0, null, 0, 0) != buffer.Length)
                {
                    throw new InvalidOperationException($"The vector of chunk {reader.GetInt64(0)} has the wrong length; run an integrity check.");
                }

                reader.GetBytes(1, 0, buffer, 0, buffer.Length);
                var target = vectors.AsSpan(row * dimensions, dimensions);
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, float>(buffer).CopyTo(target);
                }
                else
                {
                    for (var i = 0; i < target.Length; i++)
                    {
                        target[i] = BinaryPrimitives.ReadSingleLittleEndian(buffer.AsSpan(i * sizeof(float)));
                    }
                }

                chunkIds[row++] = reader.GetInt64(0);
            }
        }

        transaction.Commit();
    }

    /// <summary>Refuses anything that is not an SQLite file holding a LocalQa index this build understands, before writing a byte.</summary>
    private static int CheckFile(SqliteConnection connection, string path)
    {
        long version, applicationId, objects;
        try
        {
            version = Sql.ScalarLong(connection, null, "PRAGMA user_version");
            applicationId = Sql.ScalarLong(connection, null, "PRAGMA application_id");
            objects = Sql.ScalarLong(connection, null, "SELECT count(*) FROM sqlite_schema");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt)
        {
            throw new InvalidInputException(
                $"'{path}' is not a LocalQa index (not an SQLite database).",
                "Pass the path of an index file, or a name that does not exist yet to create a new index.",
                e);
        }

        if (applicationId != IndexMigrations.ApplicationId && !(applicationId == 0 && objects == 0))
        {
            throw new InvalidInputException(
                $"'{path}' is an SQLite database of another program, not a LocalQa index.",
                "Pass the path of an index file, or a name that does not exist yet to create a new index.");
        }

        if (version > IndexMigrations.CurrentVersion)
        {
            throw new InvalidInputException(
                $"The index '{path}' has schema version {version}, newer than this LocalQa understands ({IndexMigrations.CurrentVersion}).",
                "Upgrade LocalQa to open this index, or build a new index in another file.");
        }

        return (int)version;
    }

    private static void Configure(SqliteConnection connection)
    {
        // WAL is a property of the file, the rest of the connection: a reader in another process
        // never blocks on a writer, and a second writer waits instead of failing at once.
        Sql.Execute(connection, null, "PRAGMA journal_mode = WAL");
        Sql.Execute(connection, null, "PRAGMA synchronous = NORMAL");
        Sql.Execute(connection, null, "PRAGMA busy_timeout = " + BusyTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture));
        Sql.Execute(connection, null, "PRAGMA foreign_keys = ON");

        // SQLite's default page cache (2 MB) is smaller than the b-trees an ingest touches for every
        // document (chunks, full-text segments, near-duplicate bands), so each statement read the
        // same pages from the OS again: half of ingesting 100,000 notes was pread() in the kernel.
        Sql.Execute(connection, null, "PRAGMA cache_size = -" + CacheKibibytes.ToString(CultureInfo.InvariantCulture));

        // A large document's transaction grows the WAL to the size of everything it wrote; without
        // a limit the file stays that large (gigabytes) after the checkpoint has emptied it.
        Sql.Execute(connection, null, "PRAGMA journal_size_limit = " + (64L << 20).ToString(CultureInfo.InvariantCulture));
    }

    private const int CacheKibibytes = 64 * 1024;

    private static void ValidateEmbeddingsShape(string modelId, int dimensions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
    }

    private static void ValidateChunk(Document document, Chunk chunk, int index)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Ordinal != index)
        {
            throw new ArgumentException($"Chunk {index} of '{document.Path}' has ordinal {chunk.Ordinal}; ordinals must be 0, 1, 2… in order.", nameof(chunk));
        }

        if (chunk.Start < 0 || chunk.Length < 0 || (long)chunk.Start + chunk.Length > document.Text.Length)
        {
            throw new ArgumentException($"Chunk {index} of '{document.Path}' spans [{chunk.Start}, +{chunk.Length}) outside the document's {document.Text.Length} characters.", nameof(chunk));
        }

        ArgumentNullException.ThrowIfNull(chunk.Text);
    }

    private void CheckModelDimensions(string modelId, int dimensions)
    {
        if (Sql.Scalar(_modelDimensions, modelId) is long stored && stored != dimensions)
        {
            throw new ArgumentException($"Model {modelId} already has {stored}-dimensional vectors in this index; got {dimensions}.", nameof(dimensions));
        }
    }

    private void WriteEmbedding(long chunkId, string modelId, int dimensions, float[] vector, byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (vector.Length != dimensions)
        {
            throw new ArgumentException($"The vector for chunk {chunkId} has {vector.Length} dimensions; {dimensions} expected.", nameof(vector));
        }

        foreach (var value in vector)
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentException($"The vector for chunk {chunkId} holds a NaN or infinite value.", nameof(vector));
            }
        }

        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(vector.AsSpan()).CopyTo(buffer);
        }
        else
        {
            for (var i = 0; i < vector.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), vector[i]);
            }
        }

        Sql.Run(_insertEmbedding, chunkId, modelId, dimensions, buffer);
    }

    private List<IndexedDocument> ReadDocuments(string? path)
    {
        ThrowIfDisposed();
        using var command = Sql.Command(_connection, """
            SELECT d.id, d.path, d.title, d.content_hash, d.size, d.modified, d.ingested, coalesce(d.dup_group, d.id),
                   (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)
            FROM documents d
            WHERE $path IS NULL OR d.path = $path
            ORDER BY d.path
            """, "$path");
        command.Transaction = ReadTransaction;
        Sql.SetValues(command, [path]);
        var documents = new List<IndexedDocument>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            documents.Add(new IndexedDocument(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt64(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                reader.GetInt64(7),
                reader.GetInt32(8)));
        }

        return documents;
    }

    private static StoredChunk ReadStoredChunk(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetInt64(1),
        reader.GetInt32(2),
        reader.GetInt32(3),
        reader.GetInt32(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.GetInt32(6),
        reader.GetString(7));

    private static SourcedChunk ReadSourcedChunk(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetInt64(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt32(4),
        reader.GetInt32(5),
        reader.GetInt32(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.GetString(8),
        reader.GetInt64(9));

    /// <summary>
    /// Runs a write, turning the SQLite failures a user can fix into <see cref="InvalidInputException"/>
    /// naming the index. The write's transaction has rolled back by then, so every document stays
    /// wholly old or wholly new.
    /// </summary>
    private T Writing<T>(Func<T> write)
    {
        try
        {
            return write();
        }
        catch (SqliteException e) when (UserError(FilePath, e) is { } user)
        {
            throw user;
        }
    }

    /// <summary>A full disk or another process's write lock, as a message and a fix; null for anything else, which is a bug.</summary>
    private static InvalidInputException? UserError(string path, SqliteException e) => e.SqliteErrorCode switch
    {
        SqliteFull => DiskFull(path, e),
        _ when e.SqliteExtendedErrorCode == SqliteIoErrorShmSize => DiskFull(path, e),
        SqliteBusy or SqliteLocked => new InvalidInputException(
            $"The index '{path}' is locked: another LocalQa process is writing to it (waited {BusyTimeoutMilliseconds / 1000} s).",
            "Wait for the other process to finish, or stop it, then run this again; nothing was lost.",
            e),
        _ => null,
    };

    private static InvalidInputException DiskFull(string path, SqliteException e) => new(
        $"The disk holding the index '{path}' is full; every document already stored in it is whole.",
        "Free space on that disk, or use --index to put the index on another disk, then run this again.",
        e);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
