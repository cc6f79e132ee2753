using System.Diagnostics.CodeAnalysis;
using LocalQa.Core.Documents;
using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// Document rows and the writes that replace a document whole: an upsert of a document held in
/// memory, or a streamed one written a section at a time (<see cref="DocumentWriter"/>).
/// </summary>
internal sealed class DocumentStore
{
    private readonly IndexDatabase _db;
    private readonly ChunkStore _chunks;
    private readonly NearDuplicateStore _duplicates;
    private readonly SqliteCommand _hashByPath;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _finish;
    private readonly SqliteCommand _setTitle;
    private readonly SqliteCommand _delete;

    public DocumentStore(IndexDatabase db, ChunkStore chunks, NearDuplicateStore duplicates)
    {
        _db = db;
        _chunks = chunks;
        _duplicates = duplicates;
        _hashByPath = db.Command("SELECT content_hash, size FROM documents WHERE path = $path", "$path");
        _upsert = db.Command("""
            INSERT INTO documents(path, title, content_hash, size, modified, ingested)
            VALUES ($path, $title, $hash, $size, $modified, $ingested)
            ON CONFLICT(path) DO UPDATE SET
                title = excluded.title, content_hash = excluded.content_hash, size = excluded.size,
                modified = excluded.modified, ingested = excluded.ingested
            RETURNING id
            """, "$path", "$title", "$hash", "$size", "$modified", "$ingested");
        _finish = db.Command(
            "UPDATE documents SET title = $title, content_hash = $hash, size = $size, modified = $modified WHERE id = $id",
            "$title", "$hash", "$size", "$modified", "$id");
        _setTitle = db.Command("UPDATE documents SET title = $title WHERE id = $id", "$title", "$id");
        _delete = db.Command("DELETE FROM documents WHERE path = $path", "$path");
    }

    public bool TryGetHash(string path, [NotNullWhen(true)] out string? contentHash, out long sizeBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        _db.Reading(_hashByPath);
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

    public UpsertResult Upsert(Document document, IReadOnlyList<Chunk> chunks, ChunkEmbeddings? embeddings)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunks);
        _db.ThrowIfDisposed();
        var signature = NearDuplicateDetector.ComputeSignature(document.Text);
        return _db.WriteDocument(transaction =>
        {
            var documentId = Start(transaction, document.Path, document.Title, document.ContentHash, document.SizeBytes, document.ModifiedUtc);
            var chunkIds = _chunks.Write(transaction, documentId, chunks, embeddings, document);
            var group = _duplicates.Assign(transaction, documentId, signature);
            return new UpsertResult(documentId, chunkIds, group);
        }, document.Text.Length);
    }

    public DocumentWriter BeginStreamed(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var transaction = _db.BeginOwnTransaction();
        try
        {
            // Title and hash are placeholders until Commit; nobody outside the transaction sees them.
            var id = _db.Mapped(() => Start(transaction, path, path, "", 0, DateTimeOffset.UnixEpoch));
            return new DocumentWriter(this, transaction, id);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <summary>A streamed document's next chunks, ordinals and offsets already relative to the document.</summary>
    public void WriteChunks(SqliteTransaction transaction, long documentId, IReadOnlyList<Chunk> chunks, ChunkEmbeddings? embeddings) =>
        _chunks.Write(transaction, documentId, chunks, embeddings, document: null);

    public void SetTitle(SqliteTransaction transaction, long documentId, string title) => _db.Mapped(() =>
    {
        _db.ThrowIfDisposed();
        Sql.Enlist(transaction, _setTitle);
        return Sql.Run(_setTitle, title, documentId);
    });

    /// <summary>Sets a streamed document's row, groups it and commits.</summary>
    public long Finish(SqliteTransaction transaction, long documentId, string title, string contentHash, long size, DateTimeOffset modifiedUtc, ulong[]? signature) => _db.Mapped(() =>
    {
        _db.ThrowIfDisposed();
        Sql.Enlist(transaction, _finish);
        Sql.Run(_finish, title, contentHash, size, modifiedUtc.ToUnixTimeMilliseconds(), documentId);
        var group = _duplicates.Assign(transaction, documentId, signature);
        transaction.Commit();
        return group;
    });

    public bool Remove(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _db.Write(transaction =>
        {
            Sql.Enlist(transaction, _delete);
            return Sql.Run(_delete, path) > 0;
        });
    }

    public IReadOnlyList<string> PruneExcept(IEnumerable<string> existingPaths)
    {
        ArgumentNullException.ThrowIfNull(existingPaths);
        var keep = existingPaths.ToHashSet(StringComparer.Ordinal);
        return _db.Write(transaction =>
        {
            var removed = new List<string>();
            using (var paths = Sql.Command(_db.Connection, "SELECT path FROM documents ORDER BY path"))
            {
                paths.Transaction = transaction;
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

            Sql.Enlist(transaction, _delete);
            foreach (var path in removed)
            {
                Sql.Run(_delete, path);
            }

            return removed;
        });
    }

    /// <summary>Every document, or the one at <paramref name="path"/>, ordered by path.</summary>
    public List<IndexedDocument> Read(string? path)
    {
        using var command = _db.ReadCommand("""
            SELECT d.id, d.path, d.title, d.content_hash, d.size, d.modified, d.ingested, coalesce(d.dup_group, d.id),
                   (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)
            FROM documents d
            WHERE $path IS NULL OR d.path = $path
            ORDER BY d.path
            """, "$path");
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

    /// <summary>Inserts or updates the document's row and deletes its old chunks; returns its id.</summary>
    private long Start(SqliteTransaction transaction, string path, string title, string contentHash, long size, DateTimeOffset modifiedUtc)
    {
        Sql.Enlist(transaction, _upsert);
        var documentId = (long)Sql.Scalar(
            _upsert,
            path,
            title,
            contentHash,
            size,
            modifiedUtc.ToUnixTimeMilliseconds(),
            _db.Time.GetUtcNow().ToUnixTimeMilliseconds())!;
        _chunks.DeleteOf(transaction, documentId);
        return documentId;
    }
}
